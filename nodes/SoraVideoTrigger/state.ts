/**
 * What the trigger remembers between polls, in the workflow's static data. It survives restarts
 * (n8n stores it with the workflow) and stays bounded.
 */
import type { IDataObject } from 'n8n-workflow';

export type WatchMode = 'taskIds' | 'all';

export interface TriggerState {
	v: 1;
	/** Terminal tasks already handled (fired, or not matching the events): never fired or polled again. id -> ms. */
	done: Record<string, number>;
	/** `all` mode: tasks seen running, with their creation time (ms, 0 when unknown). */
	pending: Record<string, number>;
	/** `all` mode: the newest task seen by the last poll; paging stops there. */
	cursor: { id: string; createdAt: number } | null;
	/** `all` mode: the first (baseline) poll has run. */
	initialized: boolean;
}

/** `all` mode keeps this many recent `done` entries (only tasks at or above the cursor can be seen again). */
export const MAX_DONE_ALL_MODE = 2000;
/** `all` mode remembers at most this many running tasks. */
export const MAX_PENDING = 10000;

export function emptyState(): TriggerState {
	return { v: 1, done: {}, pending: {}, cursor: null, initialized: false };
}

function isNumberRecord(value: unknown): value is Record<string, number> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'number');
}

/** Reads the state from static data, tolerating anything unexpected (then starting afresh). */
export function readState(staticData: IDataObject): TriggerState {
	const raw = staticData.soraVideoTrigger as Partial<TriggerState> | undefined;
	if (!raw || raw.v !== 1) return emptyState();
	const cursor = raw.cursor && typeof raw.cursor.id === 'string' && typeof raw.cursor.createdAt === 'number' ? { ...raw.cursor } : null;
	return {
		v: 1,
		done: isNumberRecord(raw.done) ? { ...raw.done } : {},
		pending: isNumberRecord(raw.pending) ? { ...raw.pending } : {},
		cursor,
		initialized: raw.initialized === true,
	};
}

/** Writes the state back (n8n persists the static data object after the poll). */
export function writeState(staticData: IDataObject, state: TriggerState): void {
	staticData.soraVideoTrigger = state as unknown as IDataObject;
}

function keepNewest(record: Record<string, number>, max: number): Record<string, number> {
	const entries = Object.entries(record);
	if (entries.length <= max) return record;
	entries.sort((a, b) => b[1] - a[1]);
	return Object.fromEntries(entries.slice(0, max));
}

/** `taskIds` mode: only watched tasks are remembered, so the state is as large as the watch list at most. */
export function pruneForWatchList(state: TriggerState, watched: readonly string[]): TriggerState {
	const keep = new Set(watched);
	const done = Object.fromEntries(Object.entries(state.done).filter(([id]) => keep.has(id)));
	return { ...state, done, pending: {}, cursor: null, initialized: false };
}

/** `all` mode: drop handled tasks below the cursor (never listed again) and cap both maps. */
export function pruneForAllMode(state: TriggerState): TriggerState {
	const floor = state.cursor?.createdAt ?? 0;
	const recent = Object.fromEntries(Object.entries(state.done).filter(([, createdAt]) => createdAt === 0 || createdAt >= floor));
	return { ...state, done: keepNewest(recent, MAX_DONE_ALL_MODE), pending: keepNewest(state.pending, MAX_PENDING) };
}
