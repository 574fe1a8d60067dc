/**
 * The time one poll may take. n8n's durable scheduler abandons a poll that exceeds
 * N8N_SCHEDULER_POLL_TIMEOUT (45 s by default) and discards its items; n8n's default engine starts the
 * next poll on the next tick whether or not this one has ended. So a poll stops starting work when its
 * budget is spent, and everything still in flight (requests, retry waits, a download) is aborted then.
 */
import { setMaxListeners } from 'events';

/** Every request in flight listens to the budget's signal (up to 50 at once, plus their retry waits). */
const SIGNAL_LISTENERS = 500;

export class PollBudget {
	readonly startedAt: number;
	readonly deadline: number;
	private readonly controller = new AbortController();
	private readonly timer: NodeJS.Timeout;
	private readonly waiters = new Set<() => void>();

	constructor(readonly ms: number, now = Date.now()) {
		this.startedAt = now;
		this.deadline = now + ms;
		setMaxListeners(SIGNAL_LISTENERS, this.controller.signal);
		this.timer = setTimeout(() => this.controller.abort(), Math.max(0, ms));
		this.timer.unref?.();
	}

	/** Aborts the requests of the poll's client at the deadline. */
	get signal(): AbortSignal {
		return this.controller.signal;
	}

	get expired(): boolean {
		return this.controller.signal.aborted || Date.now() >= this.deadline;
	}

	/** Resolves `graceMs` after the deadline: a last resort for work that ignores the abort. */
	async overrun(graceMs: number): Promise<'overrun'> {
		return await new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.waiters.delete(stop);
				resolve('overrun');
			}, Math.max(0, this.deadline + graceMs - Date.now()));
			timer.unref?.();
			const stop = () => clearTimeout(timer);
			this.waiters.add(stop);
		});
	}

	/** The poll has ended: whatever it left running (a download that ignored the abort) is stopped too. */
	dispose(): void {
		clearTimeout(this.timer);
		this.controller.abort();
		for (const stop of this.waiters) stop();
		this.waiters.clear();
	}
}
