/**
 * The one shape every watch mode has. A mode decides which tasks a poll asks about and how; the poll
 * itself (poller.ts), its shared work (pollRun.ts) and the state store (state.ts) are the same for all.
 */
import type { PollRun, TriggerSettings } from '../pollRun';
import type { TriggerState } from '../state';

export interface WatchModeRoom {
	/** One poll's work: status checks, list pages, and delivering what finished. */
	run(run: PollRun): Promise<void>;
	/** How many tasks wait when a poll sends nothing (an earlier 429's Retry-After still runs). */
	waiting(state: TriggerState, settings: TriggerSettings): number;
	/** What the mode keeps of the state, so it stays bounded. */
	prune(state: TriggerState, settings: TriggerSettings): TriggerState;
}
