/**
 * One poll of the Sora Video Trigger.
 *
 * Exactly once, whatever n8n does: a task is claimed (coordination.ts) before it is fired or downloaded,
 * so polls running at once never both fire it; it counts as handled only when its item is handed to
 * n8n; and what a poll learned is merged into the stored state at its end, never written over it.
 * Bounded: the poll stops starting work at its time budget (budget.ts) and at the first 429, and carries
 * what is left (status checks, downloads) to the next poll, which fires it once.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../shared/concurrency';
import { downloadContent } from '../shared/content';
import type { NormalizedTask, TaskStatus } from '../shared/dialect';
import { isTerminal, normalizeTask } from '../shared/dialect';
import { downloadOverBudgetMessage, isTransient, ownNodeError, triggerForbiddenTasksError, triggerRateLimitedError } from '../shared/problems';
import type { ContentVariant } from '../shared/providers';
import type { TaskLookup } from '../shared/taskReads';
import { assertListSupported, listPage, lookupTask } from '../shared/taskReads';
import type { VideoApiClient } from '../shared/transport';
import type { PollBudget } from './budget';
import { OVERRUN_GRACE_MS } from './budget';
import type { PollSession } from './coordination';
import type { StateChanges, TriggerState, WatchMode } from './state';
import { applyChanges, emptyChanges, mergeStates, pruneForAllMode, pruneForWatchList, readState, writeState } from './state';

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

/** Everything one real poll works with. */
export interface PollEnvironment {
	fn: IPollFunctions;
	client: VideoApiClient;
	settings: TriggerSettings;
	/** The node's static data; read at the start, merged into at the end. */
	staticData: IDataObject;
	budget: PollBudget;
	session: PollSession;
	/**
	 * How long after its start n8n may still take the poll's items (n8n's own poll budget; infinite when
	 * n8n does not say). Past it the durable scheduler may have abandoned the poll and discarded them.
	 */
	acceptedWithinMs: number;
}

/** The list's page size, and how many pages one poll reads at most. */
const PAGE_SIZE = 100;
const MAX_PAGES_PER_POLL = 200;
const MAX_MANUAL_PAGES = 5;
/** A list that comes newest first is still walked whole this often, for tasks that appear below its top late. */
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** A download the time budget cut off this many times fires its event without the file (with `downloadError`). */
export const MAX_BUDGET_CUTS = 3;
/** The first status checks of a poll run one at a time until one is not a 403, at most this many. */
const FORBIDDEN_PROBES = 3;

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

/** The list from `start` on, then the part before it: status checks resume where the last poll stopped. */
function rotate(ids: string[], start: string | null): string[] {
	const index = start === null ? -1 : ids.indexOf(start);
	return index <= 0 ? ids : [...ids.slice(index), ...ids.slice(0, index)];
}

/** Ours (already worded for the user) as it is; anything else wrapped. */
function nodeError(fn: IPollFunctions, error: unknown): NodeApiError | NodeOperationError {
	return ownNodeError(error) ?? new NodeOperationError(fn.getNode(), error as Error);
}

function httpCodeOf(error: unknown): string | null {
	const code = (error as { httpCode?: unknown } | null)?.httpCode;
	return typeof code === 'string' ? code : null;
}

interface Candidate {
	task: NormalizedTask;
	/** What `done` records for it once fired. */
	value: number;
	/** Downloads the budget cut off in earlier polls. */
	cuts: number;
}

interface Fire {
	item: INodeExecutionData;
	task: NormalizedTask;
	value: number;
	/** Downloads the budget cut off so far (kept if the fire is carried after all). */
	cuts: number;
}

interface WalkResult {
	complete: boolean;
	/** The `after` cursor to continue from. */
	lastId: string | null;
	/** Creation times went up somewhere: the list is not newest first. */
	inverted: boolean;
}

type DownloadOutcome =
	| { kind: 'ok'; binary: NonNullable<INodeExecutionData['binary']>[string] }
	| { kind: 'cut' }
	| { kind: 'rateLimited' }
	| { kind: 'retryLater'; error: NodeApiError | NodeOperationError }
	| { kind: 'failed'; message: string };

class PollRun {
	readonly changes: StateChanges = emptyChanges();
	readonly stored: TriggerState;
	readonly fires: Fire[] = [];
	readonly errors: Array<NodeApiError | NodeOperationError> = [];
	readonly unknownIds: string[] = [];
	readonly forbidden: Array<{ id: string; error: NodeApiError | NodeOperationError }> = [];
	/** Tasks this poll has dealt with (claimed, fired, carried): never twice in one poll. */
	private readonly touched = new Set<string>();
	private readonly candidates: Candidate[] = [];
	/** Status checks that got an answer (anything but a 429 or the budget). */
	readonly answered = new Set<string>();
	private answeredOk = 0;
	private probed = false;
	/** The newest creation time seen in the list this poll. */
	newestSeen = 0;
	rateLimited = false;
	/** Status checks left to another poll of this trigger running at the same time. */
	sharedChecks = 0;
	/** Tasks still waiting when the poll stopped (for the 429 message). */
	waiting = 0;

	constructor(readonly env: PollEnvironment) {
		this.stored = mergeStates(readState(env.staticData), env.session.remembered);
	}

	get settings(): TriggerSettings {
		return this.env.settings;
	}

	get client(): VideoApiClient {
		return this.env.client;
	}

	/** Stop starting work: the budget is spent, or the provider asked us to slow down. */
	get halted(): boolean {
		return this.rateLimited || this.env.budget.expired;
	}

	/** The activation poll (the first in this n8n process) downloads nothing: n8n awaits it in the user's "Activate" click. */
	get mayDownload(): boolean {
		return !this.env.session.isFirst;
	}

	private noteRateLimit(): void {
		if (this.rateLimited) return;
		this.rateLimited = true;
		const notice = this.client.lastRateLimit;
		if (notice?.retryAfterMs) this.changes.notBefore = notice.at + notice.retryAfterMs;
	}

	isDone(taskId: string): boolean {
		return taskId in this.stored.done || taskId in this.changes.done || this.env.session.handled(taskId);
	}

	/** What `done` records: the fire time for watched IDs, the creation time in All Tasks (its pruning order). */
	doneValue(task: NormalizedTask): number {
		return this.settings.watch === 'all' ? createdMs(task) || Date.now() : Date.now();
	}

	/** A task seen finished: remembered as handled, or claimed to be fired when its event is watched. */
	consider(task: NormalizedTask, fire: boolean): void {
		const id = task.id;
		if (this.touched.has(id) || this.isDone(id)) return;
		if (!fire || !matches(this.settings, task.status)) {
			this.changes.done[id] = this.doneValue(task);
			return;
		}
		// Claimed synchronously, before any await: a poll running at the same time skips it.
		if (!this.env.session.claim(id)) return;
		this.touched.add(id);
		this.candidates.push({ task, value: this.doneValue(task), cuts: this.stored.due[id] ?? 0 });
	}

	/** One status check; null when it was not made or not answered (the budget, or a 429). */
	private async lookupOne(taskId: string): Promise<TaskLookup | null> {
		if (this.halted) return null;
		let lookup: TaskLookup;
		try {
			lookup = await lookupTask(this.client, taskId);
		} catch (error) {
			if (this.env.budget.expired) return null;
			throw nodeError(this.env.fn, error);
		}
		if (!lookup.ok && lookup.kind === 'rateLimited') {
			this.noteRateLimit();
			return null;
		}
		if (!lookup.ok && lookup.kind === 'network' && this.env.budget.expired) return null;
		this.answered.add(taskId);
		if (lookup.ok) this.answeredOk++;
		return lookup;
	}

	/**
	 * Status checks with bounded concurrency. The first ones run alone, so a bad key costs one request,
	 * not a thousand; a 401 stops the poll, a 403 concerns only its task.
	 */
	async lookupAll(taskIds: readonly string[], handle: (taskId: string, lookup: TaskLookup) => void): Promise<void> {
		let index = 0;
		let forbiddenInARow = 0;
		while (!this.probed && index < taskIds.length && forbiddenInARow < FORBIDDEN_PROBES) {
			const taskId = taskIds[index++];
			if (this.halted) return;
			if (!this.takeCheck(taskId)) continue;
			const lookup = await this.lookupOne(taskId);
			if (!lookup) return;
			if (!lookup.ok && lookup.kind === 'unauthorized') throw lookup.error;
			if (!lookup.ok && lookup.kind === 'forbidden') forbiddenInARow++;
			else this.probed = true;
			handle(taskId, lookup);
		}
		let fatal: NodeApiError | NodeOperationError | undefined;
		await mapWithConcurrency(taskIds.slice(index), this.settings.concurrency, async (taskId) => {
			if (fatal || this.halted || !this.takeCheck(taskId)) return;
			const lookup = await this.lookupOne(taskId);
			if (!lookup) return;
			if (!lookup.ok && lookup.kind === 'unauthorized') {
				fatal ??= lookup.error;
				return;
			}
			handle(taskId, lookup);
		});
		if (fatal) throw fatal;
	}

	private takeCheck(taskId: string): boolean {
		if (this.env.session.takeCheck(taskId)) return true;
		this.sharedChecks++;
		return false;
	}

	noteFailure(taskId: string, lookup: Extract<TaskLookup, { ok: false }>): void {
		if (lookup.kind === 'notFound') this.unknownIds.push(taskId);
		else if (lookup.kind === 'forbidden') this.forbidden.push({ id: taskId, error: lookup.error });
		else this.errors.push(lookup.error);
	}

	/** The first task of `ordered` that got no answer: where the next poll's checks start. */
	firstUnanswered(ordered: readonly string[]): string | null {
		return ordered.find((taskId) => !this.answered.has(taskId)) ?? null;
	}

	/** Completed tasks carried from earlier polls, first (so a stream of new events cannot starve them): check, download, fire. */
	async deliverDue(taskIds: readonly string[]): Promise<void> {
		const ordered = [...taskIds].sort((a, b) => (this.stored.due[b] ?? 0) - (this.stored.due[a] ?? 0));
		for (const taskId of ordered) {
			if (this.halted) return;
			if (this.touched.has(taskId) || this.isDone(taskId) || !this.env.session.claim(taskId)) continue;
			this.touched.add(taskId);
			const lookup = await this.lookupOne(taskId);
			if (!lookup) {
				this.env.session.release(taskId);
				return;
			}
			const cuts = this.stored.due[taskId] ?? 0;
			if (!lookup.ok) {
				if (lookup.kind === 'unauthorized') throw lookup.error;
				if (lookup.kind === 'notFound') {
					// It completed, but the provider no longer has it: fire the event, saying why there is no file.
					const task = normalizeTask({ id: taskId, status: 'completed' }, { provider: this.client.provider.id, requestedId: taskId });
					this.fire(task, Date.now(), { downloadError: lookup.error.message }, undefined, cuts);
				} else {
					this.env.session.release(taskId);
					this.errors.push(lookup.error);
				}
				continue;
			}
			const task = { ...lookup.task, id: taskId };
			if (!isTerminal(task.status) || !matches(this.settings, task.status)) {
				// The events changed since it was carried (or the provider reports it running again).
				this.env.session.release(taskId);
				this.changes.forget.add(taskId);
				if (isTerminal(task.status)) this.changes.done[taskId] = this.doneValue(task);
				else if (this.settings.watch === 'all') this.changes.pending[taskId] = createdMs(task);
				continue;
			}
			await this.deliver({ task, value: this.doneValue(task), cuts });
		}
	}

	/** Tasks found finished in this poll, oldest event first; what does not fit is carried. */
	async deliverFound(): Promise<void> {
		const ordered = [...this.candidates].sort((a, b) => finishedMs(a.task) - finishedMs(b.task));
		for (const candidate of ordered) await this.deliver(candidate);
	}

	private fire(task: NormalizedTask, value: number, extra: IDataObject = {}, binary?: INodeExecutionData['binary'], cuts = 0): void {
		const json: IDataObject = { ...(task as unknown as IDataObject), event: task.status, ...extra };
		this.fires.push({ item: binary ? { json, binary } : { json }, task, value, cuts });
	}

	/** Carried to the next poll: not fired, not handled; the lease is let go. */
	private carry(candidate: Candidate, cuts: number): void {
		this.changes.due[candidate.task.id] = cuts;
		this.env.session.release(candidate.task.id);
	}

	private async deliver(candidate: Candidate): Promise<void> {
		const { task } = candidate;
		if (!this.settings.download || task.status !== 'completed') return this.fire(task, candidate.value, {}, undefined, candidate.cuts);
		if (!this.mayDownload || this.halted) return this.carry(candidate, candidate.cuts);
		const outcome = await this.download(task.id);
		switch (outcome.kind) {
			case 'ok':
				return this.fire(task, candidate.value, {}, { [this.settings.binaryPropertyName]: outcome.binary }, candidate.cuts);
			case 'cut': {
				const cuts = candidate.cuts + 1;
				if (cuts < MAX_BUDGET_CUTS) return this.carry(candidate, cuts);
				return this.fire(task, candidate.value, { downloadError: downloadOverBudgetMessage(task.id, this.env.budget.ms, cuts) }, undefined, cuts);
			}
			case 'rateLimited':
				return this.carry(candidate, candidate.cuts);
			case 'retryLater':
				// A body cut short, a server error: not fired now; the next poll tries again, so the event is not lost.
				this.errors.push(outcome.error);
				return this.carry(candidate, candidate.cuts);
			default:
				// It cannot succeed (expired, gone): fire the event anyway, so one bad task blocks nothing.
				return this.fire(task, candidate.value, { downloadError: outcome.message }, undefined, candidate.cuts);
		}
	}

	private async download(taskId: string): Promise<DownloadOutcome> {
		const { budget } = this.env;
		const before = this.client.lastRateLimit;
		const attempt = downloadContent(this.env.fn, this.client, { taskId, variant: this.settings.variant }).then(
			(result) => ({ result }),
			(error: unknown) => ({ error }),
		);
		const outcome = await Promise.race([attempt, budget.overrun(OVERRUN_GRACE_MS)]);
		if (outcome === 'overrun' || budget.expired) {
			// Aborted at the deadline (or it finished just as the budget ran out: a partial result is not trusted).
			if (outcome !== 'overrun' && 'result' in outcome) return { kind: 'ok', binary: outcome.result.binary };
			return { kind: 'cut' };
		}
		if ('result' in outcome) return { kind: 'ok', binary: outcome.result.binary };
		if (this.client.lastRateLimit !== before) {
			this.noteRateLimit();
			return { kind: 'rateLimited' };
		}
		const error = outcome.error;
		if (isTransient(error) && (error instanceof NodeApiError || error instanceof NodeOperationError)) return { kind: 'retryLater', error };
		return { kind: 'failed', message: (error as Error).message };
	}

	/** Pages of `GET /videos`; `head` stops at the first page that holds nothing new below the newest task seen before. */
	async walkList(from: string | null, mode: 'head' | 'full', seen: Set<string>, inverted: boolean): Promise<WalkResult> {
		let after = from;
		let previous = 0;
		for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
			if (this.halted) return { complete: false, lastId: after, inverted };
			const before = this.client.lastRateLimit;
			let result;
			try {
				result = await listPage(this.client, { limit: PAGE_SIZE, after: after ?? undefined, order: 'desc' });
			} catch (error) {
				if (this.env.budget.expired) return { complete: false, lastId: after, inverted };
				if (this.client.lastRateLimit !== before) {
					this.noteRateLimit();
					return { complete: false, lastId: after, inverted };
				}
				const code = httpCodeOf(error);
				// No list endpoint, a bad key, no access: the poll cannot work at all.
				if (!(error instanceof NodeApiError) || code === '401' || code === '403') throw nodeError(this.env.fn, error);
				this.errors.push(error);
				// A walk resumed after a task that is gone may never get past it: the next walk starts at the top.
				return { complete: false, lastId: from !== null && page === 0 ? null : after, inverted };
			}
			if (from !== null && page === 0 && result.tasks.length === 0) return { complete: false, lastId: null, inverted };
			let allKnown = true;
			let last = 0;
			for (const raw of result.tasks) {
				const task = normalizeTask(raw, { provider: this.client.provider.id });
				if (!task.id) continue;
				const created = createdMs(task);
				if (previous > 0 && created > previous) inverted = true;
				if (created > 0) previous = created;
				last = created;
				this.newestSeen = Math.max(this.newestSeen, created);
				seen.add(task.id);
				if (!this.classifyListed(task, created)) allKnown = false;
			}
			if (!result.hasMore || result.tasks.length === 0 || !result.lastId) return { complete: true, lastId: null, inverted };
			after = result.lastId;
			// Newest first: everything created after the last poll is above this page, and this page held nothing new.
			if (mode === 'head' && allKnown && last > 0 && last < this.stored.head) return { complete: false, lastId: after, inverted };
		}
		return { complete: false, lastId: after, inverted };
	}

	/** Sorts a listed task; true when it was known before this poll (so paging may stop). */
	private classifyListed(task: NormalizedTask, created: number): boolean {
		const id = task.id;
		const { stored } = this;
		if (this.touched.has(id) || this.isDone(id) || id in stored.due || this.env.session.heldByOther(id)) return true;
		const wasPending = id in stored.pending;
		if (isTerminal(task.status)) {
			if (!stored.initialized) {
				this.consider(task, this.settings.includeFinishedBeforeActivation);
				return false;
			}
			// Handled long ago and forgotten (only the newest handled tasks are remembered).
			if (!wasPending && created > 0 && created <= stored.horizon) return true;
			this.consider(task, true);
			return wasPending;
		}
		if (wasPending) return true;
		this.changes.pending[id] = created;
		return false;
	}

	/** What to tell the user when nothing fired but something went wrong. */
	failure(): NodeApiError | NodeOperationError | undefined {
		const ctx = this.client.problemContext('status check');
		if (this.rateLimited) return triggerRateLimitedError(ctx, this.waiting, this.changes.notBefore ?? null);
		if (this.unknownIds.length > 0) {
			const shown = this.unknownIds.slice(0, 5).map((id) => `"${id}"`).join(', ');
			const more = this.unknownIds.length > 5 ? ` and ${this.unknownIds.length - 5} more` : '';
			return new NodeOperationError(this.env.fn.getNode(), `${this.client.provider.displayName} does not know the task ID${this.unknownIds.length > 1 ? 's' : ''} ${shown}${more}`, {
				description: `Remove or correct them in "Task IDs", and check they were created with the account of the "${this.client.provider.credentialDisplayName}" credential.`,
			});
		}
		if (this.forbidden.length > 0) {
			// Refused on every task: the key itself may not read tasks. Else only these tasks.
			if (this.answeredOk === 0 && this.errors.length === 0) return this.forbidden[0].error;
			return triggerForbiddenTasksError(ctx, this.forbidden.map((entry) => entry.id));
		}
		return this.errors[0];
	}
}

async function pollTaskIds(run: PollRun): Promise<void> {
	const { settings, stored, changes } = run;
	const due = settings.taskIds.filter((id) => id in stored.due);
	const rest = rotate(
		settings.taskIds.filter((id) => !(id in stored.done) && !(id in stored.due)),
		stored.next,
	);
	if (!(settings.download && !run.mayDownload)) await run.deliverDue(due);
	await run.lookupAll(rest, (taskId, lookup) => {
		if (!lookup.ok) return run.noteFailure(taskId, lookup);
		if (isTerminal(lookup.task.status)) run.consider({ ...lookup.task, id: taskId }, true);
	});
	changes.next = run.firstUnanswered(rest);
	await run.deliverFound();
	run.waiting = rest.filter((id) => !run.answered.has(id)).length + Object.keys(changes.due).length;
}

async function pollAll(run: PollRun): Promise<void> {
	const { stored, changes, settings } = run;
	assertListSupported(run.client);
	if (!(settings.download && !run.mayDownload)) await run.deliverDue(Object.keys(stored.due));

	const seen = new Set<string>();
	const list: NonNullable<StateChanges['list']> = {};
	const finishWalk = (walk: WalkResult) => {
		if (walk.complete) {
			Object.assign(list, { walk: null, sweptAt: Date.now(), ordered: !walk.inverted, initialized: true });
		} else {
			list.walk = { after: walk.lastId, inverted: walk.inverted };
			if (walk.inverted) list.ordered = false;
		}
	};
	if (!stored.initialized || stored.ordered !== true) {
		// The first poll, or a list that does not come newest first (or not known yet): the whole list, continued across polls.
		const from = stored.walk?.after ?? null;
		finishWalk(await run.walkList(from, 'full', seen, stored.walk?.inverted ?? false));
	} else {
		// Newest first: the top of the list until a page holds nothing new, plus an occasional whole walk.
		const head = await run.walkList(null, 'head', seen, false);
		if (head.complete) finishWalk(head);
		else if (!run.halted && (stored.walk !== null || Date.now() - stored.sweptAt >= SWEEP_INTERVAL_MS)) {
			const from = stored.walk?.after ?? head.lastId;
			finishWalk(await run.walkList(from, 'full', seen, (stored.walk?.inverted ?? false) || head.inverted));
		} else if (head.inverted) list.ordered = false;
	}
	if (run.newestSeen > 0) list.head = run.newestSeen;
	changes.list = list;

	// Running tasks not on the pages read: one status request each, resuming where the last poll stopped.
	const toCheck = rotate(
		Object.entries(stored.pending)
			.filter(([id]) => !seen.has(id) && !run.isDone(id) && !(id in changes.due) && !run.env.session.heldByOther(id))
			.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
			.map(([id]) => id),
		stored.next,
	);
	await run.lookupAll(toCheck, (taskId, lookup) => {
		if (!lookup.ok) {
			// A task deleted at the provider will never finish: forget it.
			if (lookup.kind === 'notFound') changes.forget.add(taskId);
			else run.noteFailure(taskId, lookup);
			return;
		}
		if (isTerminal(lookup.task.status)) run.consider({ ...lookup.task, id: taskId }, true);
	});
	changes.next = run.firstUnanswered(toCheck);
	await run.deliverFound();
	run.waiting = toCheck.filter((id) => !run.answered.has(id)).length + Object.keys(changes.due).length;
}

/**
 * One real poll: fires each newly finished task once, carries what does not fit, and merges what it
 * learned into the static data. Returns the items to emit (empty: nothing to emit).
 */
export async function poll(env: PollEnvironment): Promise<INodeExecutionData[]> {
	const { settings, session, staticData, fn } = env;
	if (settings.watch === 'taskIds' && settings.taskIds.length === 0) throw emptyWatchList(fn);
	const run = new PollRun(env);
	// The provider asked us to wait (Retry-After): no request at all before then.
	if (run.stored.notBefore <= Date.now()) {
		if (settings.watch === 'taskIds') await pollTaskIds(run);
		else await pollAll(run);
	}

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
	const merged = applyChanges(mergeStates(readState(staticData), session.remembered), run.changes);
	const state = settings.watch === 'taskIds' ? pruneForWatchList(merged, settings.taskIds) : pruneForAllMode(merged);
	writeState(staticData, state);
	session.close(state);
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
	if (items.length === 0 && !(run.rateLimited && session.isFirst)) {
		const failure = run.failure();
		if (failure) throw failure;
	}
	return items;
}

/** "Fetch Test Event": the most recent finished task matching the events; nothing is remembered. */
export async function pollManually(fn: IPollFunctions, client: VideoApiClient, settings: TriggerSettings): Promise<INodeExecutionData[]> {
	let checked = 0;
	let latest: NormalizedTask | undefined;
	const unknownIds: string[] = [];
	const errors: Array<NodeApiError | NodeOperationError> = [];
	if (settings.watch === 'taskIds') {
		if (settings.taskIds.length === 0) throw emptyWatchList(fn);
		const first = await lookupTask(client, settings.taskIds[0]);
		if (!first.ok && first.kind === 'unauthorized') throw first.error;
		const rest = await mapWithConcurrency(settings.taskIds.slice(1), settings.concurrency, async (id) => await lookupTask(client, id));
		const lookups = [first, ...rest];
		const finished: NormalizedTask[] = [];
		lookups.forEach((lookup, index) => {
			const id = settings.taskIds[index];
			if (!lookup.ok) {
				if (lookup.kind === 'unauthorized') throw lookup.error;
				if (lookup.kind === 'notFound') unknownIds.push(id);
				else errors.push(lookup.error);
				return;
			}
			if (isTerminal(lookup.task.status) && matches(settings, lookup.task.status)) finished.push({ ...lookup.task, id });
		});
		checked = settings.taskIds.length;
		latest = finished.sort((a, b) => finishedMs(b) - finishedMs(a))[0];
	} else {
		assertListSupported(client);
		let after: string | undefined;
		for (let page = 0; page < MAX_MANUAL_PAGES && !latest; page++) {
			const result = await listPage(client, { limit: PAGE_SIZE, after, order: 'desc' });
			checked += result.tasks.length;
			latest = result.tasks.map((raw) => normalizeTask(raw, { provider: client.provider.id })).find((task) => task.id && matches(settings, task.status));
			if (!result.hasMore || !result.lastId) break;
			after = result.lastId;
		}
	}
	if (latest) {
		const json: IDataObject = { ...(latest as unknown as IDataObject), event: latest.status };
		if (!settings.download || latest.status !== 'completed') return [{ json }];
		try {
			const { binary } = await downloadContent(fn, client, { taskId: latest.id, variant: settings.variant });
			return [{ json, binary: { [settings.binaryPropertyName]: binary } }];
		} catch (error) {
			if (isTransient(error)) throw nodeError(fn, error);
			json.downloadError = (error as Error).message;
			return [{ json }];
		}
	}
	if (unknownIds.length > 0) {
		const shown = unknownIds.slice(0, 5).map((id) => `"${id}"`).join(', ');
		throw new NodeOperationError(fn.getNode(), `${client.provider.displayName} does not know the task ID${unknownIds.length > 1 ? 's' : ''} ${shown}`, {
			description: `Remove or correct them in "Task IDs", and check they were created with the account of the "${client.provider.credentialDisplayName}" credential.`,
		});
	}
	if (errors[0]) throw errors[0];
	throw new NodeOperationError(fn.getNode(), `None of the ${checked} ${settings.watch === 'all' ? 'most recent tasks' : 'watched tasks'} has ${settings.events.join(' or ')} yet`, {
		description: 'The trigger fires when one does. To test now, watch a task that has already finished.',
	});
}

function emptyWatchList(fn: IPollFunctions): NodeOperationError {
	return new NodeOperationError(fn.getNode(), 'The watch list is empty', {
		description: 'Enter at least one task ID in "Task IDs" (one per line or comma-separated), or watch all tasks.',
	});
}
