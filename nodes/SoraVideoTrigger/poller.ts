/**
 * One real poll of the Sora Video Trigger: the watch mode's work (modes/), then, synchronously, the
 * hand-off: what this poll may still fire, what it learned committed to the state store (state.ts), and
 * the items for n8n, or the error that says why there are none.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { triggerEmptyWatchListError } from '../shared/problems';
import { allTasksMode } from './modes/allTasks';
import type { WatchModeRoom } from './modes/room';
import { taskIdsMode } from './modes/taskIds';
import type { PollEnvironment } from './pollRun';
import { finishedMs, PollRun } from './pollRun';
import type { WatchMode } from './state';
import { accountFingerprint, TriggerStateStore } from './state';

export type { PollEnvironment, TriggerEvent, TriggerSettings } from './pollRun';
export { MAX_BUDGET_CUTS, MAX_PAGES_PER_POLL, parseTaskIds, SWEEP_INTERVAL_MS } from './pollRun';
export { fetchTestEvent } from './testEvent';

/** Each watch mode in its own file, behind one shape. */
const WATCH_MODES: Record<WatchMode, WatchModeRoom> = { taskIds: taskIdsMode, all: allTasksMode };

/**
 * One real poll: fires each newly finished task once, carries what does not fit, and merges what it
 * learned into the static data. Returns the items to emit (empty: nothing to emit).
 */
export async function poll(env: PollEnvironment): Promise<INodeExecutionData[]> {
	const { settings, session, staticData, fn } = env;
	if (settings.watch === 'taskIds' && settings.taskIds.length === 0) throw triggerEmptyWatchListError(fn.getNode());
	const mode = WATCH_MODES[settings.watch];
	const store = new TriggerStateStore(staticData, session, accountFingerprint(env.client.provider.id, env.client.apiRoot, env.client.secrets));
	const run = new PollRun(env, store.load());
	// The provider asked us to wait (Retry-After): no request at all before then.
	if (run.stored.notBefore <= Date.now()) await mode.run(run);
	else run.holdUntil(run.stored.notBefore, mode.waiting(run.stored, settings));

	// From here on synchronous: no other poll runs between these checks and the hand-off to n8n.
	// A task whose lease expired and was taken over (or handled meanwhile) by another poll is not this poll's to fire.
	let fires = run.fires.filter(({ task }) => session.owns(task.id) || (!session.heldByOther(task.id) && !session.handled(task.id)));
	// Too late for n8n to take the items (its durable scheduler may have abandoned the poll and would drop
	// them unseen): none counts as fired; the next poll delivers them, first.
	const tooLate = Date.now() - env.budget.startedAt > env.acceptedWithinMs;
	if (tooLate) {
		for (const { task, cuts } of fires) run.changes.due[task.id] = cuts;
		fires = [];
	}
	for (const { task, value } of fires) run.changes.done[task.id] = value;
	// Merged into the newest state there is, so nothing another poll recorded meanwhile is undone.
	store.commit(
		run.changes,
		(state) => mode.prune(state, settings),
		fires.map(({ task }) => task.id),
	);
	// For n8n's log at debug level: what each poll did, without any task content.
	fn.logger.debug('Sora Video Trigger poll', {
		poll: session.id,
		known: Object.keys(run.stored.done).length,
		fired: fires.length,
		skipped: run.fires.length - fires.length,
		tooLate,
		carried: Object.keys(run.changes.due).length,
		checked: run.answered.size,
		leftToOtherPolls: run.sharedChecks,
		rateLimited: run.rateLimited,
		ms: Date.now() - env.budget.startedAt,
	});

	const items = fires.sort((a, b) => finishedMs(a.task) - finishedMs(b.task)).map(({ item }) => item);
	// A 429 in the activation poll does not fail the user's "Activate" click: nothing is lost, a later poll continues.
	if (items.length === 0 && !((run.rateLimited || run.heldUntil !== null) && session.isFirst)) {
		const failure = run.failure();
		if (failure) throw failure;
	}
	return items;
}
