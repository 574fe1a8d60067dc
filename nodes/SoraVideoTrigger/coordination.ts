/**
 * Coordination between the polls of one trigger (same workflow, same node) in one n8n process.
 *
 * What n8n 2.41 does (read from its source), and why this lives in process memory as well as in static data:
 * - Default engine (n8n-core ActiveWorkflowTriggers): each cron tick calls `executePollTrigger()` without
 *   awaiting the previous one, so a poll that runs longer than the interval overlaps the next. All polls
 *   of one activation share one Workflow object, and so one static data object.
 * - Durable scheduler (N8N_SCHEDULER_ENABLED + N8N_SCHEDULER_POLL_TRIGGERS_ENABLED; n8n's
 *   PollTriggerTaskHandler and TriggerExecutionContextFactory): every poll builds a fresh Workflow from the
 *   database, so each poll holds its own copy of the static data. n8n saves that copy only when the poll
 *   emits, and without waiting for the write (`void saveStaticData`), so the next poll may read the state
 *   from before it; a poll that emits nothing is never saved. After a restart the scheduler runs the poll
 *   times it missed one right after another, or at once. It abandons a poll that outlives
 *   N8N_SCHEDULER_POLL_TIMEOUT and discards its items.
 * In both engines the polls of a trigger run in the same n8n main process, so what is recorded here,
 * synchronously, is seen at once by every other poll of the trigger, whichever engine runs it:
 * - The state: every poll leaves here the state it merged at its end, and the next poll starts from it
 *   (merged with the static data n8n gave it). A save still on its way to the database, or one n8n
 *   never makes, loses nothing while the process lives.
 * - Leases: a poll that is about to fire a task (and maybe download it) claims it first; another poll
 *   skips a task leased by someone else. Leases expire (the owner's deadline plus a grace), so a poll that
 *   died or was abandoned never blocks a task for long; the owner checks it still holds its leases
 *   before it hands its items to n8n.
 * - Status checks: polls running at once share them, so a burst of polls (the durable scheduler catching up)
 *   costs the provider one request per watched task, not one per task and poll.
 * After a restart nothing here remains and no poll is running: the static data n8n saved is the state.
 */
import type { TriggerState } from './state';

/** How long after its owner's deadline a lease still holds. */
export const LEASE_GRACE_MS = 30_000;

interface Lease {
	owner: number;
	expires: number;
}

interface Scope {
	leases: Map<string, Lease>;
	/** Task -> the last poll that asked the provider about it, and when. */
	checks: Map<string, { owner: number; at: number }>;
	/** The state as the last poll of this trigger in this process left it. */
	state: TriggerState | null;
	running: number;
	polls: number;
	lastUsed: number;
	/** A poll context of this trigger polled more than once (n8n's default engine). */
	contextReused: boolean;
	/** The activation the newest activation poll began (n8n replaces an activation when the workflow is saved or re-activated). */
	activation: number;
	/**
	 * Tasks fired by a poll whose activation no later poll of it has confirmed: task -> that activation.
	 * n8n drops the items of a poll whose activation was replaced meanwhile ("Discarding in-flight poll
	 * result for superseded workflow"), so another activation trusts these only if its static data holds them.
	 */
	unconfirmed: Map<string, number>;
}

const scopes = new Map<string, Scope>();
/**
 * A trigger not polled for this long (deactivated, deleted) is dropped from memory: longer than the
 * longest poll interval n8n offers (a month), so a trigger that polls monthly keeps its memory however
 * many other triggers poll in the process.
 */
export const IDLE_SCOPE_MS = 45 * 24 * 60 * 60 * 1000;
/** And at most this many triggers are remembered; beyond it the longest idle goes first. */
const MAX_SCOPES = 10_000;
let sessionCounter = 0;
let activationCounter = 0;

/** Poll contexts that have polled: n8n's default engine polls with one context per activation. */
const pollContexts = new WeakSet<object>();

function scopeFor(key: string, now: number): Scope {
	for (const [other, scope] of scopes) {
		if (other !== key && scope.running === 0 && now - scope.lastUsed > IDLE_SCOPE_MS) scopes.delete(other);
	}
	let scope = scopes.get(key);
	if (!scope) {
		if (scopes.size >= MAX_SCOPES) {
			const idlest = [...scopes.entries()].filter(([, entry]) => entry.running === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
			if (idlest) scopes.delete(idlest[0]);
		}
		scope = { leases: new Map(), checks: new Map(), state: null, running: 0, polls: 0, lastUsed: now, contextReused: false, activation: 0, unconfirmed: new Map() };
		scopes.set(key, scope);
	}
	scope.lastUsed = now;
	return scope;
}

/**
 * Whether this poll is an activation poll, the one n8n awaits in the user's "Activate" click, at start-up
 * and when an active workflow is saved (n8n-core ActiveWorkflowTriggers.activatePollTrigger). n8n's
 * default engine builds one poll context per activation and polls with it until deactivation: a context
 * that has polled before is a later poll; a new one, for a trigger whose earlier contexts polled more than
 * once, is a new activation. The durable scheduler builds a context per poll: only the first poll of the
 * trigger in this process counts as its activation.
 */
export function isActivationPoll(key: string, context: object): boolean {
	const scope = scopes.get(key);
	if (pollContexts.has(context)) {
		if (scope) scope.contextReused = true;
		return false;
	}
	pollContexts.add(context);
	return !scope || scope.polls === 0 || scope.contextReused;
}

/** One poll's view of the coordination of its trigger. */
export class PollSession {
	readonly id = ++sessionCounter;
	readonly startedAt: number;
	/** The activation poll: the one n8n runs (and awaits) at activation (isActivationPoll). */
	readonly isFirst: boolean;
	/** The activation this poll belongs to. */
	readonly activation: number;
	private readonly scope: Scope;
	private readonly claimed = new Set<string>();
	private closed = false;

	constructor(
		key: string,
		private readonly deadline: number,
		activation: boolean,
		now = Date.now(),
	) {
		this.scope = scopeFor(key, now);
		this.startedAt = now;
		this.isFirst = activation;
		if (activation || this.scope.activation === 0) this.scope.activation = ++activationCounter;
		this.activation = this.scope.activation;
		// A later poll of the same activation: n8n took the items of its polls that ended before (it was current then).
		for (const [taskId, firedBy] of this.scope.unconfirmed) if (firedBy === this.activation) this.scope.unconfirmed.delete(taskId);
		this.scope.polls++;
		this.scope.running++;
		for (const [taskId, lease] of this.scope.leases) if (lease.expires <= now) this.scope.leases.delete(taskId);
	}

	/**
	 * The state the polls of this trigger in this process have reached (null: none has ended yet), without
	 * the fires of a replaced activation that n8n may have discarded.
	 */
	get remembered(): TriggerState | null {
		const state = this.scope.state;
		if (state === null || !this.current) return state;
		const untrusted = [...this.scope.unconfirmed].filter(([, firedBy]) => firedBy !== this.activation);
		if (untrusted.length === 0) return state;
		const done = { ...state.done };
		for (const [taskId] of untrusted) delete done[taskId];
		return { ...state, done };
	}

	/** This poll belongs to the newest activation (an older one's items n8n discards). */
	private get current(): boolean {
		return this.activation === this.scope.activation;
	}

	private trusted(taskId: string): boolean {
		const firedBy = this.scope.unconfirmed.get(taskId);
		return firedBy === undefined || firedBy === this.activation || !this.current;
	}

	/** Handled (fired, or seen finished and not watched) by a poll of this process that has ended. */
	handled(taskId: string): boolean {
		return this.scope.state !== null && taskId in this.scope.state.done && this.trusted(taskId);
	}

	/** Another poll holds the task (a live lease). */
	heldByOther(taskId: string, now = Date.now()): boolean {
		const lease = this.scope.leases.get(taskId);
		return lease !== undefined && lease.owner !== this.id && lease.expires > now;
	}

	/** Claims a task for this poll; false when another poll holds it or has handled it. Synchronous. */
	claim(taskId: string, now = Date.now()): boolean {
		if (this.closed || this.heldByOther(taskId, now) || this.handled(taskId)) return false;
		this.scope.leases.set(taskId, { owner: this.id, expires: this.deadline + LEASE_GRACE_MS });
		this.claimed.add(taskId);
		return true;
	}

	/**
	 * Takes the status check of a task for this poll: false when another poll asked about it since this one
	 * started (its answer is as fresh as ours would be; that poll fires the task if it has finished, and if
	 * its request fails the next poll asks). Synchronous.
	 */
	takeCheck(taskId: string, now = Date.now()): boolean {
		const last = this.scope.checks.get(taskId);
		if (last !== undefined && last.owner !== this.id && last.at >= this.startedAt) return false;
		this.scope.checks.set(taskId, { owner: this.id, at: now });
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

	/**
	 * Ends the poll: `state` (what it merged, with the tasks it returns marked handled) becomes what every
	 * later or still running poll of this trigger starts from, and every lease is released. Synchronous, so
	 * no other poll runs between the last check and the hand-off to n8n. Without a state (the poll failed
	 * before merging) only the leases go. `fired`: the tasks it hands to n8n, unconfirmed until a later poll
	 * of its activation starts.
	 */
	close(state?: TriggerState, fired: readonly string[] = []): void {
		if (this.closed) return;
		this.closed = true;
		this.scope.running--;
		if (state) {
			// The newest activation's state leaves out a replaced one's unconfirmed fires (or holds them from its static data): settled.
			if (this.current) for (const [taskId, firedBy] of this.scope.unconfirmed) if (firedBy !== this.activation) this.scope.unconfirmed.delete(taskId);
			this.scope.state = state;
			for (const taskId of fired) this.scope.unconfirmed.set(taskId, this.activation);
		}
		for (const taskId of this.claimed) if (this.owns(taskId)) this.scope.leases.delete(taskId);
		this.claimed.clear();
		// Only polls running now compare against these times.
		if (this.scope.running === 0) this.scope.checks.clear();
	}
}

/** The key of one trigger node: its workflow and its node. */
export function scopeKey(workflowId: string | undefined, nodeId: string | undefined, nodeName: string): string {
	return `${workflowId ?? ''}\u0000${nodeId || nodeName}`;
}
