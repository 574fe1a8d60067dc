/**
 * The time one poll may take. n8n's durable scheduler abandons a poll that exceeds
 * N8N_SCHEDULER_POLL_TIMEOUT (45 s by default) and discards its items; n8n's default engine starts the
 * next poll on the next tick whether or not this one has ended. So a poll stops starting work when its
 * budget is spent, and everything still in flight (requests, retry waits, a download) is aborted then.
 */
import type { Timer } from '../shared/timers';
import { startTimer } from '../shared/timers';

/** A download that ignores the budget's abort is given up this long after the deadline. */
export const OVERRUN_GRACE_MS = 5000;
/** What a poll does after its deadline besides a download's overrun: merging, building the items. */
const WRAP_UP_MS = 1000;

/**
 * The budget of one poll: the user's, and short enough that the whole poll, overrun included, ends
 * before n8n stops taking its items (`engineMs`, n8n's own poll budget, itself short of the durable
 * scheduler's timeout). Never less than half of n8n's budget.
 */
export function pollBudgetMs(userMs: number, engineMs: number): number {
	return Math.min(userMs, Math.max(engineMs - OVERRUN_GRACE_MS - WRAP_UP_MS, engineMs / 2));
}

export class PollBudget {
	readonly startedAt: number;
	readonly deadline: number;
	private readonly controller = new AbortController();
	/**
	 * One signal per request (requestSignal), aborted with the budget's own: Node warns when more than 10
	 * listeners wait on one signal, and up to 50 requests (each with its retry wait) run at once. Raising
	 * that limit needs Node's `events` module, which n8n's community-package scanner refuses.
	 */
	private readonly requestControllers = new Set<AbortController>();
	private readonly timer: Timer;
	private readonly waiters = new Set<() => void>();

	constructor(readonly ms: number, now = Date.now()) {
		this.startedAt = now;
		this.deadline = now + ms;
		this.timer = startTimer(ms, () => this.abort(), { background: true });
	}

	private abort(): void {
		this.controller.abort();
		for (const controller of this.requestControllers) controller.abort();
		this.requestControllers.clear();
	}

	/** Aborted at the deadline (and when the poll ends). */
	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/** A signal of its own for one request, aborted with the budget: nobody listens on a shared one. */
	requestSignal(): AbortSignal {
		const controller = new AbortController();
		if (this.controller.signal.aborted) controller.abort();
		else this.requestControllers.add(controller);
		return controller.signal;
	}

	get expired(): boolean {
		return this.controller.signal.aborted || Date.now() >= this.deadline;
	}

	/** Resolves `graceMs` after the deadline: a last resort for work that ignores the abort. */
	async overrun(graceMs: number): Promise<'overrun'> {
		return await new Promise((resolve) => {
			const timer = startTimer(
				this.deadline + graceMs - Date.now(),
				() => {
					this.waiters.delete(stop);
					resolve('overrun');
				},
				{ background: true },
			);
			const stop = () => timer.cancel();
			this.waiters.add(stop);
		});
	}

	/** The poll has ended: whatever it left running (a download that ignored the abort) is stopped too. */
	dispose(): void {
		this.timer.cancel();
		this.abort();
		for (const stop of this.waiters) stop();
		this.waiters.clear();
	}
}
