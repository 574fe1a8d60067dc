/**
 * The trigger's state store: what it remembers between polls, in the workflow's static data. It
 * survives restarts (n8n stores it with the workflow) and stays bounded. TriggerStateStore owns the
 * whole cycle: read → merge (with the process's memory, coordination.ts) → apply a poll's changes →
 * prune (per watch mode) → write.
 *
 * A poll never overwrites it wholesale: it records what it learned as `StateChanges` and merges them,
 * at its end, into the static data as it is then (`commitChanges`). In n8n's default engine several
 * polls of one activation share one static data object and may run at once (each cron tick starts a
 * poll without waiting for the previous one), so a slow poll must not undo what a quicker one stored.
 */
import type { IDataObject } from 'n8n-workflow';

import type { PollSession } from './coordination';

export type WatchMode = 'taskIds' | 'all';

export interface TriggerState {
	v: 2;
	/**
	 * Whose tasks these are: a fingerprint of provider, Base URL and key (never the key). A state of another
	 * account (the credential was switched) is not this one's: its baseline and handled tasks do not apply.
	 */
	account?: string;
	/** Terminal tasks already handled (fired, or not matching the events): never fired again. id -> ms (All Tasks: creation time, or minus the time it was handled when the list gives none). */
	done: Record<string, number>;
	/** All Tasks: tasks seen running, with their creation time (ms, 0 when unknown). */
	pending: Record<string, number>;
	/** Completed tasks whose event waits for its file: id -> downloads the time budget cut off so far. */
	due: Record<string, number>;
	/** The task the next poll's status checks start with: the first one the last poll did not get to. */
	next: string | null;
	/** No request before this time (ms since epoch): the provider's Retry-After after a 429. */
	notBefore: number;
	/** All Tasks: the first (baseline) walk of the list has completed. */
	initialized: boolean;
	/** All Tasks: an unknown finished task created at or before this time (ms) was handled and forgotten. */
	horizon: number;
	/** All Tasks: the newest creation time seen in the list (ms); newest-first paging stops below it. */
	head: number;
	/** All Tasks: whether the last complete walk found the list newest first (null: not known yet). */
	ordered: boolean | null;
	/** All Tasks: a walk of the whole list that continues on the next poll, from `after`. */
	walk: { after: string | null; inverted: boolean } | null;
	/** All Tasks: when the last walk of the whole list completed (ms). */
	sweptAt: number;
	/**
	 * All Tasks: fingerprints (taskFingerprint) of handled tasks without a creation time that `done` no
	 * longer holds. The horizon cannot cover them, so they are remembered this way, oldest first.
	 */
	forgotten: string[];
}

/** What one poll learned; merged into the stored state when the poll ends. */
export interface StateChanges {
	/** Handled now (fired or not matching): id -> value for `done`. */
	done: Record<string, number>;
	/** Seen running: id -> creation time. */
	pending: Record<string, number>;
	/** Carried to the next poll: id -> budget cut-offs so far. */
	due: Record<string, number>;
	/** Forgotten (deleted at the provider). */
	forget: Set<string>;
	next?: string | null;
	notBefore?: number;
	list?: Partial<Pick<TriggerState, 'initialized' | 'horizon' | 'head' | 'ordered' | 'walk' | 'sweptAt'>>;
}

/** All Tasks keeps this many recent `done` entries; older handled tasks fall below `horizon`. */
export const MAX_DONE_ALL_MODE = 2000;
/** All Tasks remembers at most this many fingerprints of handled tasks without a creation time (10 characters each). */
export const MAX_FORGOTTEN = 20_000;
/** All Tasks remembers at most this many running tasks, and at most this many completed tasks waiting for their file. */
export const MAX_PENDING = 10000;

const STATE_KEY = 'soraVideoTrigger';

/**
 * The longest wait a provider's Retry-After (or any delay it sets) imposes on the trigger: a gateway
 * answering "retry in 30 days" does not silence it for 30 days.
 */
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;

export function emptyState(): TriggerState {
	return { v: 2, done: {}, pending: {}, due: {}, next: null, notBefore: 0, initialized: false, horizon: 0, head: 0, ordered: null, walk: null, sweptAt: 0, forgotten: [] };
}

export function emptyChanges(): StateChanges {
	return { done: {}, pending: {}, due: {}, forget: new Set() };
}

function isNumberRecord(value: unknown): value is Record<string, number> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'number');
}

function finiteOr(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

interface StoredV1 {
	v: 1;
	done?: unknown;
	pending?: unknown;
	cursor?: { id?: unknown; createdAt?: unknown } | null;
	initialized?: unknown;
}

/** Reads the state from static data, tolerating anything unexpected (then starting afresh). Always a copy. */
export function readState(staticData: IDataObject): TriggerState {
	const raw = staticData[STATE_KEY] as (Omit<Partial<TriggerState>, 'v'> & { v?: unknown }) | undefined;
	if (!raw || typeof raw !== 'object') return emptyState();
	if (raw.v === 1) {
		// Version 1 stopped paging at a cursor task and forgot handled tasks created before it.
		const old = raw as unknown as StoredV1;
		const cursorCreated = old.cursor && typeof old.cursor.createdAt === 'number' ? old.cursor.createdAt : 0;
		return {
			...emptyState(),
			done: isNumberRecord(old.done) ? { ...old.done } : {},
			pending: isNumberRecord(old.pending) ? { ...old.pending } : {},
			initialized: old.initialized === true,
			horizon: cursorCreated > 0 ? cursorCreated - 1 : 0,
			head: cursorCreated,
		};
	}
	if (raw.v !== 2) return emptyState();
	const walk = raw.walk && typeof raw.walk === 'object' ? raw.walk : null;
	return {
		v: 2,
		...(typeof raw.account === 'string' ? { account: raw.account } : {}),
		done: isNumberRecord(raw.done) ? { ...raw.done } : {},
		pending: isNumberRecord(raw.pending) ? { ...raw.pending } : {},
		due: isNumberRecord(raw.due) ? { ...raw.due } : {},
		next: typeof raw.next === 'string' ? raw.next : null,
		// Capped again when read: a wait stored before the cap existed ends within the cap too.
		notBefore: Math.min(finiteOr(raw.notBefore, 0), Date.now() + RETRY_AFTER_CAP_MS),
		initialized: raw.initialized === true,
		horizon: finiteOr(raw.horizon, 0),
		head: finiteOr(raw.head, 0),
		ordered: typeof raw.ordered === 'boolean' ? raw.ordered : null,
		walk: walk ? { after: typeof walk.after === 'string' ? walk.after : null, inverted: walk.inverted === true } : null,
		sweptAt: finiteOr(raw.sweptAt, 0),
		forgotten: Array.isArray(raw.forgotten) ? raw.forgotten.filter((entry): entry is string => typeof entry === 'string') : [],
	};
}

/**
 * 48 bits of two FNV-1a hashes of a task ID, in base 36 (at most 10 characters): among 20,000 remembered
 * fingerprints, a new task is taken for a handled one with a chance of about 1 in 10^10.
 */
export function taskFingerprint(taskId: string): string {
	let first = 2166136261;
	let second = 0x811c9dc5 ^ 0x5bd1e995;
	for (let index = 0; index < taskId.length; index++) {
		const code = taskId.charCodeAt(index);
		first = Math.imul(first ^ code, 16777619);
		second = Math.imul(second ^ code, 0x01000193) ^ (second >>> 15);
	}
	return ((first >>> 0) * 65536 + ((second >>> 0) & 0xffff)).toString(36);
}

/** Writes the state back as a fresh plain object (n8n marks the static data changed and saves it after a poll that emits). */
export function writeState(staticData: IDataObject, state: TriggerState): void {
	staticData[STATE_KEY] = JSON.parse(JSON.stringify(state)) as IDataObject;
}

/**
 * The state a poll starts from and merges into: what n8n gave it in static data, and what the polls of
 * this trigger in this process last left (coordination.ts), which is never older. Handled tasks from
 * both, so none fires twice whichever save is late; the rest from the process's own, when it has one.
 */
export function mergeStates(stored: TriggerState, remembered: TriggerState | null): TriggerState {
	if (remembered === null) return stored;
	const done = { ...stored.done, ...remembered.done };
	const without = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).filter(([id]) => !(id in done)));
	return {
		...remembered,
		done,
		pending: without(remembered.pending),
		due: without(remembered.due),
		notBefore: Math.max(stored.notBefore, remembered.notBefore),
		initialized: stored.initialized || remembered.initialized,
		horizon: Math.max(stored.horizon, remembered.horizon),
		head: Math.max(stored.head, remembered.head),
		sweptAt: Math.max(stored.sweptAt, remembered.sweptAt),
		forgotten: [...new Set([...stored.forgotten, ...remembered.forgotten])],
	};
}

/** Merges one poll's changes into the state as it is now. */
export function applyChanges(state: TriggerState, changes: StateChanges): TriggerState {
	const next: TriggerState = { ...state, done: { ...state.done }, pending: { ...state.pending }, due: { ...state.due } };
	for (const id of changes.forget) {
		delete next.pending[id];
		delete next.due[id];
	}
	for (const [id, value] of Object.entries(changes.done)) {
		next.done[id] = value;
		delete next.pending[id];
		delete next.due[id];
	}
	for (const [id, tries] of Object.entries(changes.due)) {
		if (id in next.done) continue;
		next.due[id] = tries;
		delete next.pending[id];
	}
	for (const [id, createdAt] of Object.entries(changes.pending)) {
		if (id in next.done || id in next.due) continue;
		next.pending[id] = createdAt;
	}
	if (changes.next !== undefined) next.next = changes.next;
	if (changes.notBefore !== undefined) next.notBefore = Math.max(next.notBefore, changes.notBefore);
	if (changes.list) {
		const { head, horizon, ...rest } = changes.list;
		Object.assign(next, rest);
		if (head !== undefined) next.head = Math.max(next.head, head);
		if (horizon !== undefined) next.horizon = Math.max(next.horizon, horizon);
	}
	return next;
}

function newestFirst(record: Record<string, number>): Array<[string, number]> {
	return Object.entries(record).sort((a, b) => b[1] - a[1]);
}

/** Task IDs: only watched tasks are remembered, so the state is as large as the watch list at most. */
export function pruneForWatchList(state: TriggerState, watched: readonly string[]): TriggerState {
	const keep = new Set(watched);
	const only = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).filter(([id]) => keep.has(id)));
	return {
		...emptyState(),
		done: only(state.done),
		due: only(state.due),
		next: state.next !== null && keep.has(state.next) ? state.next : null,
		notBefore: state.notBefore,
	};
}

/**
 * All Tasks: keeps the newest `MAX_DONE_ALL_MODE` handled tasks; the creation time of the newest one
 * dropped becomes the horizon, so a full walk of the list never takes a forgotten task for a new one.
 */
export function pruneForAllMode(state: TriggerState): TriggerState {
	let horizon = state.horizon;
	let done = state.done;
	let forgotten = state.forgotten;
	// Tasks without a creation time are recorded with minus the time they were handled: they sort last,
	// go first, and are remembered by fingerprint.
	const entries = newestFirst(state.done);
	if (entries.length > MAX_DONE_ALL_MODE) {
		done = Object.fromEntries(entries.slice(0, MAX_DONE_ALL_MODE));
		const dropped = entries.slice(MAX_DONE_ALL_MODE);
		if (dropped[0][1] > 0) horizon = Math.max(horizon, dropped[0][1]);
		const undated = dropped.filter(([, value]) => value <= 0).map(([id]) => taskFingerprint(id));
		if (undated.length > 0) forgotten = [...forgotten, ...undated];
	}
	if (forgotten.length > MAX_FORGOTTEN) forgotten = forgotten.slice(forgotten.length - MAX_FORGOTTEN);
	const cap = (record: Record<string, number>, max: number) => {
		const all = Object.entries(record);
		return all.length <= max ? record : Object.fromEntries(newestFirst(record).slice(0, max));
	};
	return { ...state, done, horizon, forgotten, pending: cap(state.pending, MAX_PENDING), due: cap(state.due, MAX_PENDING) };
}

/**
 * The one owner of a poll's state: `load` at its start (static data merged with what the polls of this
 * trigger in this process left), `commit` at its end, synchronously: read again, merge, apply the poll's
 * changes, prune, write to static data, and leave the result to the next poll of the process.
 */
export class TriggerStateStore {
	constructor(
		private readonly staticData: IDataObject,
		private readonly session: Pick<PollSession, 'remembered' | 'close'>,
		/** The account's fingerprint (accountFingerprint); a state of another account starts over. */
		private readonly account?: string,
	) {}

	load(): TriggerState {
		const stored = readState(this.staticData);
		const remembered = this.session.remembered;
		const ours = (state: TriggerState) => this.account === undefined || state.account === undefined || state.account === this.account;
		const merged = mergeStates(ours(stored) ? stored : emptyState(), remembered !== null && ours(remembered) ? remembered : null);
		return this.account === undefined ? merged : { ...merged, account: this.account };
	}

	/** `fired`: the tasks whose items the poll hands to n8n. */
	commit(changes: StateChanges, prune: (state: TriggerState) => TriggerState, fired: readonly string[] = []): TriggerState {
		const state = prune(applyChanges(this.load(), changes));
		writeState(this.staticData, state);
		this.session.close(state, fired);
		return state;
	}
}

/** Provider, Base URL and key as one fingerprint (48 bits of FNV-1a: the key cannot be read back from it). */
export function accountFingerprint(providerId: string, apiRoot: string, secrets: readonly string[]): string {
	return taskFingerprint(`${providerId}\n${apiRoot}\n${secrets.join('\n')}`);
}
