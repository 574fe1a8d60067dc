/**
 * One poll's work, shared by both watch modes (modes/): status checks with bounded concurrency, claiming
 * (coordination.ts) before a task is fired or downloaded, delivering carried and newly found tasks with
 * their files, and what to tell the user when a poll fired nothing but something went wrong.
 *
 * Exactly once, whatever n8n does: a task is claimed before it is fired or downloaded, so polls running
 * at once never both fire it; it counts as handled only when its item is handed to n8n (poller.ts).
 * Bounded: the poll stops starting work at its time budget (budget.ts) and at the first 429, and carries
 * what is left (status checks, downloads) to the next poll, which fires it once.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../shared/concurrency';
import { downloadContent } from '../shared/content';
import type { NormalizedTask, TaskStatus } from '../shared/dialect';
import { isTerminal, normalizeTask } from '../shared/dialect';
import { downloadOverBudgetMessage, downloadStillNotReadyMessage, isRetryLater, isTransient, ownNodeError, triggerForbiddenTasksError, triggerRateLimitedError, triggerUnknownTaskIdsError, statusChecksOverBudgetError, triggerWaitingForRetryAfterError, unknownStatusWordError } from '../shared/problems';
import type { ContentVariant } from '../shared/providers';
import type { TaskLookup } from '../shared/taskReads';
import { lookupTask } from '../shared/taskReads';
import type { VideoApiClient } from '../shared/transport';
import type { PollBudget } from './budget';
import { OVERRUN_GRACE_MS } from './budget';
import type { PollSession } from './coordination';
import type { StateChanges, TriggerState, WatchMode } from './state';
import { emptyChanges, RETRY_AFTER_CAP_MS } from './state';

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
export const PAGE_SIZE = 100;
export const MAX_PAGES_PER_POLL = 50;
/** A list that comes newest first is still walked whole this often, for tasks that appear below its top late. */
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** A download the time budget cut off this many times fires its event without the file (with `downloadError`). */
export const MAX_BUDGET_CUTS = 3;

/**
 * A completed task whose file is not in storage yet (or whose link expired) is asked again on this many polls
 * before its event fires without the file (with `downloadError`).
 */
export const MAX_NOT_READY_POLLS = 5;
/** The first status checks of a poll run one at a time until one is not a 403, at most this many. */
const FORBIDDEN_PROBES = 3;

/** "a, b\nc" or ["a", "b"] -> ["a", "b", "c"], trimmed, without blanks or repeats. */
export function parseTaskIds(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map((entry) => String(entry)) : String(value ?? '').split(/[\n,]/);
	return [...new Set(parts.map((part) => part.trim()).filter((part) => part.length > 0))];
}

export function matches(settings: TriggerSettings, status: TaskStatus): status is TriggerEvent {
	return (settings.events as string[]).includes(status);
}

export function createdMs(task: NormalizedTask): number {
	const ms = task.createdAt ? Date.parse(task.createdAt) : NaN;
	return Number.isFinite(ms) ? ms : 0;
}

export function finishedMs(task: NormalizedTask): number {
	const ms = task.completedAt ? Date.parse(task.completedAt) : NaN;
	return Number.isFinite(ms) ? ms : createdMs(task);
}

/** The list from `start` on, then the part before it: status checks resume where the last poll stopped. */
export function rotate(ids: string[], start: string | null): string[] {
	const index = start === null ? -1 : ids.indexOf(start);
	return index <= 0 ? ids : [...ids.slice(index), ...ids.slice(0, index)];
}

/**
 * A status check answered "not ready" (Wisdom Gate's 200 "Video generation still in progress" envelope,
 * a 202) is a running task, not a failure.
 */
export async function lookupWatched(client: VideoApiClient, taskId: string): Promise<TaskLookup> {
	const lookup = await lookupTask(client, taskId);
	if (lookup.ok || lookup.kind !== 'notReady') return lookup;
	return { ok: true, task: normalizeTask({ id: taskId, status: 'in_progress' }, { provider: client.provider.id, requestedId: taskId }), raw: {} };
}

/** Ours (already worded for the user) as it is; anything else wrapped. */
export function nodeError(fn: IPollFunctions, error: unknown): NodeApiError | NodeOperationError {
	return ownNodeError(error) ?? new NodeOperationError(fn.getNode(), error as Error);
}

export function httpCodeOf(error: unknown): string | null {
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

export interface WalkResult {
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
	| { kind: 'notYet'; error: NodeApiError | NodeOperationError }
	| { kind: 'failed'; message: string };

export class PollRun {
	readonly changes: StateChanges = emptyChanges();
	readonly stored: TriggerState;
	/** All Tasks: fingerprints of handled tasks without a creation time that `done` no longer holds. */
	readonly forgotten: Set<string>;
	readonly fires: Fire[] = [];
	readonly errors: Array<NodeApiError | NodeOperationError> = [];
	readonly unknownIds: string[] = [];
	readonly forbidden: Array<{ id: string; error: NodeApiError | NodeOperationError }> = [];
	/** Tasks this poll has dealt with (claimed, fired, carried): never twice in one poll. */
	readonly touched = new Set<string>();
	private readonly candidates: Candidate[] = [];
	/** Status checks that got an answer (anything but a 429 or the budget). */
	readonly answered = new Set<string>();
	private answeredOk = 0;
	/** Status checks the poll's budget cut before they were answered. */
	private unansweredByBudget = 0;
	/** List pages answered in this poll (All Tasks): progress, though no status check was. */
	listPagesAnswered = 0;
	private probed = false;
	/** The newest creation time seen in the list this poll. */
	newestSeen = 0;
	rateLimited = false;
	/** The poll sent nothing: an earlier 429's Retry-After runs until then. */
	heldUntil: number | null = null;
	/** Status checks left to another poll of this trigger running at the same time. */
	sharedChecks = 0;
	/** Tasks still waiting when the poll stopped (for the 429 message). */
	waiting = 0;

	/** `stored`: the state as the state store loaded it when the poll began. */
	constructor(
		readonly env: PollEnvironment,
		stored: TriggerState,
	) {
		this.stored = stored;
		this.forgotten = new Set(stored.forgotten);
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

	noteRateLimit(): void {
		if (this.rateLimited) return;
		this.rateLimited = true;
		const notice = this.client.lastRateLimit;
		if (notice?.retryAfterMs) this.changes.notBefore = notice.at + Math.min(notice.retryAfterMs, RETRY_AFTER_CAP_MS);
	}

	/** A Retry-After from an earlier poll still runs: this poll sends nothing, and says so. */
	holdUntil(notBefore: number, waiting: number): void {
		this.heldUntil = notBefore;
		this.waiting = waiting;
	}

	isDone(taskId: string): boolean {
		return taskId in this.stored.done || taskId in this.changes.done || this.env.session.handled(taskId);
	}

	/** What `done` records: the fire time for watched IDs, the creation time in All Tasks (its pruning order). */
	doneValue(task: NormalizedTask): number {
		// All Tasks without a creation time: minus the time it was handled, so pruning turns it into a fingerprint (state.ts).
		return this.settings.watch === 'all' ? createdMs(task) || -Date.now() : Date.now();
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
			lookup = await lookupWatched(this.client, taskId);
		} catch (error) {
			if (this.env.budget.expired) {
				this.unansweredByBudget++;
				return null;
			}
			throw nodeError(this.env.fn, error);
		}
		if (!lookup.ok && lookup.kind === 'rateLimited') {
			this.noteRateLimit();
			return null;
		}
		if (!lookup.ok && lookup.kind === 'network' && this.env.budget.expired) {
			this.unansweredByBudget++;
			return null;
		}
		this.answered.add(taskId);
		if (lookup.ok) this.answeredOk++;
		if (lookup.ok && lookup.task.status === 'unknown') this.errors.push(unknownStatusWordError(this.env.fn.getNode(), this.client.provider, taskId, lookup.task.rawStatus));
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
			case 'notYet': {
				// Asked again on the next polls (each says why while nothing fires), then fired without the file.
				const polls = candidate.cuts + 1;
				if (polls < MAX_NOT_READY_POLLS) {
					this.errors.push(outcome.error);
					return this.carry(candidate, polls);
				}
				return this.fire(task, candidate.value, { downloadError: downloadStillNotReadyMessage(outcome.error.message, polls) }, undefined, polls);
			}
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
		if (isRetryLater(error) && (error instanceof NodeApiError || error instanceof NodeOperationError)) return { kind: 'notYet', error };
		return { kind: 'failed', message: (error as Error).message };
	}

	/** What to tell the user when nothing fired but something went wrong. */
	failure(): NodeApiError | NodeOperationError | undefined {
		const ctx = this.client.problemContext('status check');
		if (this.heldUntil !== null) return triggerWaitingForRetryAfterError(ctx, this.waiting, this.heldUntil, RETRY_AFTER_CAP_MS / 60_000);
		if (this.rateLimited) return triggerRateLimitedError(ctx, this.waiting, this.changes.notBefore ?? null);
		// At activation (n8n's, or a restart's), an error keeps the workflow inactive, and with it the watched tasks that
		// do exist: when some answered, it activates and the next polls name the unknown IDs.
		if (this.unknownIds.length > 0 && !(this.env.session.isFirst && this.answeredOk > 0)) {
			return triggerUnknownTaskIdsError(this.env.fn.getNode(), this.client.provider, this.unknownIds);
		}
		if (this.forbidden.length > 0) {
			// Refused on every task: the key itself may not read tasks. Else only these tasks.
			if (this.answeredOk === 0 && this.errors.length === 0) return this.forbidden[0].error;
			return triggerForbiddenTasksError(ctx, this.forbidden.map((entry) => entry.id));
		}
		// Every check ran out of time: without this the trigger would wait in silence for a provider slower than its budget.
		if (this.errors.length === 0 && this.answeredOk === 0 && this.listPagesAnswered === 0 && this.unansweredByBudget > 0) {
			return statusChecksOverBudgetError(ctx, this.unansweredByBudget, this.env.budget.ms);
		}
		return this.errors[0];
	}
}
