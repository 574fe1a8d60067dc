/**
 * One poll of the Sora Video Trigger. Pure with respect to state: it gets the remembered state and
 * returns the items to fire and the next state; the node decides whether to keep it (never in manual mode).
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../shared/concurrency';
import { downloadContent } from '../shared/content';
import type { NormalizedTask, TaskStatus } from '../shared/dialect';
import { isTerminal, normalizeTask } from '../shared/dialect';
import { isTransient } from '../shared/problems';
import type { ContentVariant } from '../shared/providers';
import type { TaskLookup } from '../shared/tasks';
import { assertListSupported, listPage, lookupTask } from '../shared/tasks';
import type { VideoApiClient } from '../shared/transport';
import type { TriggerState, WatchMode } from './state';
import { pruneForAllMode, pruneForWatchList } from './state';

export type TriggerEvent = 'completed' | 'failed';

export interface TriggerSettings {
	watch: WatchMode;
	taskIds: string[];
	events: TriggerEvent[];
	download: boolean;
	variant: ContentVariant;
	binaryPropertyName: string;
	includeFinishedBeforeActivation: boolean;
	concurrency: number;
}

export interface PollOutcome {
	items: INodeExecutionData[];
	state: TriggerState;
}

/** The list's page size, and how deep a first (baseline) walk of `all` mode may go. */
const PAGE_SIZE = 100;
const MAX_BASELINE_PAGES = 200;
const MAX_MANUAL_PAGES = 5;

/** "a, b\nc" or ["a", "b"] -> ["a", "b", "c"], trimmed, without blanks or repeats. */
export function parseTaskIds(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map((entry) => String(entry)) : String(value ?? '').split(/[\n,]/);
	return [...new Set(parts.map((part) => part.trim()).filter((part) => part.length > 0))];
}

function matches(settings: TriggerSettings, status: TaskStatus): status is TriggerEvent {
	return (settings.events as string[]).includes(status);
}

function createdMs(task: NormalizedTask): number {
	const ms = task.createdAt ? Date.parse(task.createdAt) : NaN;
	return Number.isFinite(ms) ? ms : 0;
}

function finishedMs(task: NormalizedTask): number {
	const ms = task.completedAt ? Date.parse(task.completedAt) : NaN;
	return Number.isFinite(ms) ? ms : createdMs(task);
}

/** Global problems (bad key, no access) stop the poll; everything else is per task. */
function isGlobalFailure(lookup: TaskLookup): boolean {
	return !lookup.ok && (lookup.kind === 'unauthorized' || lookup.kind === 'forbidden');
}

class PollRun {
	readonly fire: NormalizedTask[] = [];
	readonly errors: Array<NodeApiError | NodeOperationError> = [];
	readonly unknownIds: string[] = [];

	constructor(
		readonly fn: IPollFunctions,
		readonly client: VideoApiClient,
		readonly settings: TriggerSettings,
		readonly state: TriggerState,
	) {}

	/** Looks up tasks with bounded concurrency; the first alone, so a bad key costs one request, not a thousand. */
	async lookupAll(taskIds: readonly string[]): Promise<TaskLookup[]> {
		if (taskIds.length === 0) return [];
		const first = await lookupTask(this.client, taskIds[0]);
		if (isGlobalFailure(first) && !first.ok) throw first.error;
		const rest = await mapWithConcurrency(taskIds.slice(1), this.settings.concurrency, async (id) => await lookupTask(this.client, id));
		const global = rest.find(isGlobalFailure);
		if (global && !global.ok) throw global.error;
		return [first, ...rest];
	}

	/** A task reached a terminal state: remember it, and fire when its event is watched. */
	settle(task: NormalizedTask, doneValue: number, fire: boolean): void {
		this.state.done[task.id] = doneValue;
		delete this.state.pending[task.id];
		if (fire && matches(this.settings, task.status)) this.fire.push(task);
	}

	noteFailure(taskId: string, lookup: Extract<TaskLookup, { ok: false }>): void {
		if (lookup.kind === 'notFound') this.unknownIds.push(taskId);
		else this.errors.push(lookup.error);
	}

	/** Builds the items to emit, downloading files; a transient download failure puts the task back for the next poll. */
	async emit(): Promise<INodeExecutionData[]> {
		const items: INodeExecutionData[] = [];
		const ordered = [...this.fire].sort((a, b) => finishedMs(a) - finishedMs(b));
		for (const task of ordered) {
			const json: IDataObject = { ...(task as unknown as IDataObject), event: task.status };
			const item: INodeExecutionData = { json };
			if (this.settings.download && task.status === 'completed') {
				try {
					const { binary } = await downloadContent(this.fn, this.client, { taskId: task.id, variant: this.settings.variant });
					item.binary = { [this.settings.binaryPropertyName]: binary };
				} catch (error) {
					if (isTransient(error)) {
						// Not fired now; the next poll tries again, so the event is not lost.
						delete this.state.done[task.id];
						if (this.settings.watch === 'all') this.state.pending[task.id] = createdMs(task);
						this.errors.push(error as NodeApiError | NodeOperationError);
						continue;
					}
					json.downloadError = (error as Error).message;
				}
			}
			items.push(item);
		}
		return items;
	}

	/** What to tell the user when nothing fired but something went wrong. */
	failure(): NodeApiError | NodeOperationError | undefined {
		if (this.unknownIds.length > 0) {
			const shown = this.unknownIds.slice(0, 5).map((id) => `"${id}"`).join(', ');
			const more = this.unknownIds.length > 5 ? ` and ${this.unknownIds.length - 5} more` : '';
			return new NodeOperationError(this.fn.getNode(), `${this.client.provider.displayName} does not know the task ID${this.unknownIds.length > 1 ? 's' : ''} ${shown}${more}`, {
				description: `Remove or correct them in "Task IDs", and check they were created with the account of the "${this.client.provider.credentialDisplayName}" credential.`,
			});
		}
		return this.errors[0];
	}
}

async function pollTaskIds(run: PollRun): Promise<void> {
	const { settings, state } = run;
	const running = settings.taskIds.filter((id) => !(id in state.done));
	const lookups = await run.lookupAll(running);
	const now = Date.now();
	lookups.forEach((lookup, index) => {
		if (!lookup.ok) return run.noteFailure(running[index], lookup);
		if (isTerminal(lookup.task.status)) run.settle({ ...lookup.task, id: running[index] }, now, true);
	});
}

async function pollAll(run: PollRun): Promise<void> {
	const { state, settings } = run;
	assertListSupported(run.client);
	const baseline = !state.initialized;
	const previous = state.cursor;
	const seen = new Set<string>();
	let newest: { id: string; createdAt: number } | null = null;
	let after: string | undefined;
	let reachedCursor = false;
	for (let page = 0; page < MAX_BASELINE_PAGES && !reachedCursor; page++) {
		const result = await listPage(run.client, { limit: PAGE_SIZE, after, order: 'desc' });
		for (const raw of result.tasks) {
			const task = normalizeTask(raw, { provider: run.client.provider.id });
			if (!task.id) continue;
			const created = createdMs(task);
			if (previous && (task.id === previous.id || (created > 0 && previous.createdAt > 0 && created < previous.createdAt))) {
				reachedCursor = true;
				break;
			}
			newest ??= { id: task.id, createdAt: created };
			seen.add(task.id);
			if (task.id in state.done) continue;
			if (isTerminal(task.status)) run.settle(task, created, !baseline || settings.includeFinishedBeforeActivation);
			else state.pending[task.id] = created;
		}
		if (!result.hasMore || result.tasks.length === 0 || !result.lastId) break;
		after = result.lastId;
	}
	// Running tasks older than the pages walked: one status request each.
	const older = Object.keys(state.pending).filter((id) => !seen.has(id));
	const lookups = await run.lookupAll(older);
	lookups.forEach((lookup, index) => {
		const id = older[index];
		if (!lookup.ok) {
			// A task deleted at the provider will never finish: forget it.
			if (lookup.kind === 'notFound') delete state.pending[id];
			else run.errors.push(lookup.error);
			return;
		}
		if (isTerminal(lookup.task.status)) run.settle({ ...lookup.task, id }, state.pending[id] ?? createdMs(lookup.task), true);
	});
	state.cursor = newest ?? previous;
	state.initialized = true;
}

/** One real poll: fires each newly finished task once and returns the state to remember. */
export async function poll(fn: IPollFunctions, client: VideoApiClient, settings: TriggerSettings, remembered: TriggerState): Promise<PollOutcome> {
	if (settings.watch === 'taskIds' && settings.taskIds.length === 0) throw emptyWatchList(fn);
	const state = settings.watch === 'taskIds' ? pruneForWatchList(remembered, settings.taskIds) : { ...remembered, cursor: remembered.cursor };
	const run = new PollRun(fn, client, settings, state);
	if (settings.watch === 'taskIds') await pollTaskIds(run);
	else await pollAll(run);
	const items = await run.emit();
	if (items.length === 0) {
		const failure = run.failure();
		if (failure) throw failure;
	}
	return { items, state: settings.watch === 'all' ? pruneForAllMode(run.state) : run.state };
}

/** "Fetch Test Event": the most recent finished task matching the events; nothing is remembered. */
export async function pollManually(fn: IPollFunctions, client: VideoApiClient, settings: TriggerSettings): Promise<INodeExecutionData[]> {
	const run = new PollRun(fn, client, settings, { v: 1, done: {}, pending: {}, cursor: null, initialized: true });
	let checked = 0;
	if (settings.watch === 'taskIds') {
		if (settings.taskIds.length === 0) throw emptyWatchList(fn);
		const lookups = await run.lookupAll(settings.taskIds);
		const finished: NormalizedTask[] = [];
		lookups.forEach((lookup, index) => {
			if (!lookup.ok) return run.noteFailure(settings.taskIds[index], lookup);
			if (isTerminal(lookup.task.status) && matches(settings, lookup.task.status)) finished.push({ ...lookup.task, id: settings.taskIds[index] });
		});
		checked = settings.taskIds.length;
		const latest = finished.sort((a, b) => finishedMs(b) - finishedMs(a))[0];
		if (latest) run.fire.push(latest);
	} else {
		assertListSupported(client);
		let after: string | undefined;
		for (let page = 0; page < MAX_MANUAL_PAGES && run.fire.length === 0; page++) {
			const result = await listPage(client, { limit: PAGE_SIZE, after, order: 'desc' });
			checked += result.tasks.length;
			const hit = result.tasks.map((raw) => normalizeTask(raw, { provider: client.provider.id })).find((task) => task.id && matches(settings, task.status));
			if (hit) run.fire.push(hit);
			if (!result.hasMore || !result.lastId) break;
			after = result.lastId;
		}
	}
	const items = await run.emit();
	if (items.length > 0) return items.slice(0, 1);
	const failure = run.failure();
	if (failure) throw failure;
	throw new NodeOperationError(fn.getNode(), `None of the ${checked} ${settings.watch === 'all' ? 'most recent tasks' : 'watched tasks'} has ${settings.events.join(' or ')} yet`, {
		description: 'The trigger fires when one does. To test now, watch a task that has already finished.',
	});
}

function emptyWatchList(fn: IPollFunctions): NodeOperationError {
	return new NodeOperationError(fn.getNode(), 'The watch list is empty', {
		description: 'Enter at least one task ID in "Task IDs" (one per line or comma-separated), or watch all tasks.',
	});
}
