/**
 * Coordination between polls of the same trigger (same workflow, same node) that run at once.
 *
 * What n8n 2.41 does, and why this lives in process memory rather than only in static data:
 * - Default engine (n8n-core ActiveWorkflowTriggers): each cron tick calls `executePollTrigger()` without
 *   awaiting the previous one, so a poll that runs longer than the interval overlaps the next. All polls
 *   of one activation share one Workflow object, and so one static data object.
 * - Durable scheduler (N8N_SCHEDULER_ENABLED + N8N_SCHEDULER_POLL_TRIGGERS_ENABLED): every tick builds a
 *   fresh Workflow from the database, so overlapping polls each hold their own copy of the static data,
 *   saved only when a poll emits (WorkflowStaticDataService.saveStaticData, on `__emit`).
 * In both engines the polls of a trigger run in the same n8n main process, so a claim recorded here,
 * synchronously and before any await, is seen by every other poll of the trigger whichever engine runs it.
 *
 * - A lease: a poll that is about to fire a task (and maybe download it) claims it first; another poll
 *   skips a task leased by someone else. Leases expire (the owner's deadline plus a grace), so a poll that
 *   died or was abandoned never blocks a task for long; the owner checks it still holds its leases
 *   before it hands its items to n8n.
 * - Recently fired: when a poll returns items, their tasks are noted for the polls that were already
 *   running then. Those polls read the static data before the items existed (durable scheduler) and would
 *   otherwise fire them again, or save a state without them over the one that has them.
 * Nothing here survives a restart, and nothing needs to: after a restart no poll is running.
 */

/** How long after its owner's deadline a lease still holds. */
export const LEASE_GRACE_MS = 30_000;

interface Lease {
	owner: number;
	expires: number;
}

interface Fired {
	value: number;
	at: number;
	until: number;
}

interface Session {
	startedAt: number;
	deadline: number;
}

interface Scope {
	leases: Map<string, Lease>;
	fired: Map<string, Fired>;
	sessions: Map<number, Session>;
	polls: number;
	lastUsed: number;
}

const scopes = new Map<string, Scope>();
/** A trigger not polled for this long (deactivated, deleted) is dropped from memory. */
const IDLE_SCOPE_MS = 24 * 60 * 60 * 1000;
let sessionCounter = 0;

function scopeFor(key: string, now: number): Scope {
	for (const [other, scope] of scopes) {
		if (other !== key && scope.sessions.size === 0 && now - scope.lastUsed > IDLE_SCOPE_MS) scopes.delete(other);
	}
	let scope = scopes.get(key);
	if (!scope) {
		scope = { leases: new Map(), fired: new Map(), sessions: new Map(), polls: 0, lastUsed: now };
		scopes.set(key, scope);
	}
	scope.lastUsed = now;
	return scope;
}

/** Whether a poll of this trigger has started in this n8n process (the first one is the activation poll). */
export function hasPolled(key: string): boolean {
	return (scopes.get(key)?.polls ?? 0) > 0;
}

/** One poll's view of the coordination of its trigger. */
export class PollSession {
	readonly id = ++sessionCounter;
	readonly startedAt: number;
	/** The first poll of this trigger in this n8n process: the one n8n runs (and awaits) at activation. */
	readonly isFirst: boolean;
	private readonly scope: Scope;
	private readonly claimed = new Set<string>();
	private closed = false;

	constructor(
		key: string,
		private readonly deadline: number,
		now = Date.now(),
	) {
		this.scope = scopeFor(key, now);
		this.startedAt = now;
		this.isFirst = this.scope.polls === 0;
		this.scope.polls++;
		this.scope.sessions.set(this.id, { startedAt: now, deadline });
		this.expire(now);
	}

	private expire(now: number): void {
		for (const [taskId, lease] of this.scope.leases) if (lease.expires <= now) this.scope.leases.delete(taskId);
		for (const [taskId, fired] of this.scope.fired) if (fired.until <= now) this.scope.fired.delete(taskId);
	}

	/** Fired by a poll that returned after this one started: this poll's copy of the state does not know it yet. */
	firedMeanwhile(taskId: string): boolean {
		const fired = this.scope.fired.get(taskId);
		return fired !== undefined && fired.at >= this.startedAt;
	}

	/** Another poll holds the task (a live lease). */
	heldByOther(taskId: string, now = Date.now()): boolean {
		const lease = this.scope.leases.get(taskId);
		return lease !== undefined && lease.owner !== this.id && lease.expires > now;
	}

	/** Claims a task for this poll; false when another poll holds it or fired it since this poll started. Synchronous. */
	claim(taskId: string, now = Date.now()): boolean {
		if (this.closed || this.heldByOther(taskId, now) || this.firedMeanwhile(taskId)) return false;
		this.scope.leases.set(taskId, { owner: this.id, expires: this.deadline + LEASE_GRACE_MS });
		this.claimed.add(taskId);
		return true;
	}

	/** Still holds the lease (not expired and taken over by another poll). */
	owns(taskId: string): boolean {
		return this.scope.leases.get(taskId)?.owner === this.id;
	}

	release(taskId: string): void {
		if (this.owns(taskId)) this.scope.leases.delete(taskId);
		this.claimed.delete(taskId);
	}

	/** Tasks fired by polls that returned after this one started, with their `done` value: merged into this poll's state. */
	firedSinceStart(): Array<[string, number]> {
		return [...this.scope.fired].filter(([, fired]) => fired.at >= this.startedAt).map(([taskId, fired]) => [taskId, fired.value]);
	}

	/**
	 * Ends the poll: the tasks it returns are noted as fired for the polls still running, and every lease
	 * is released. Synchronous, so no other poll runs between the last check and the hand-off to n8n.
	 */
	close(fired: Array<[string, number]>, now = Date.now()): void {
		if (this.closed) return;
		this.closed = true;
		this.scope.sessions.delete(this.id);
		const running = [...this.scope.sessions.values()].filter((session) => session.startedAt <= now);
		if (running.length > 0 && fired.length > 0) {
			const until = Math.max(...running.map((session) => session.deadline)) + LEASE_GRACE_MS;
			for (const [taskId, value] of fired) this.scope.fired.set(taskId, { value, at: now, until });
		}
		for (const taskId of this.claimed) if (this.owns(taskId)) this.scope.leases.delete(taskId);
		this.claimed.clear();
	}
}

/** The key of one trigger node: its workflow and its node. */
export function scopeKey(workflowId: string | undefined, nodeId: string | undefined, nodeName: string): string {
	return `${workflowId ?? ''}\u0000${nodeId || nodeName}`;
}
