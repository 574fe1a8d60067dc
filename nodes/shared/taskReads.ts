/** Task-level operations shared by the Sora Video node and its trigger. */
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ListPage, NormalizedTask, ProblemKind } from './dialect';
import { classifyProblem, isTerminal, looksLikeTask, normalizeTask, parseListPage } from './dialect';
import { emptyTaskIdError, invalidTaskIdError, problemError, taskFailedError, unsupportedOperationError, waitTimeoutError } from './problems';
import { ROUTES } from '../SoraVideo/operations/routes';
import type { VideoApiClient } from './transport';
import { BODY_LIMITS, sleep, taskPath } from './transport';

export interface FetchedTask {
	task: NormalizedTask;
	raw: unknown;
}

/** Trims a task ID and refuses the ones no provider can have, before any request. */
export function requireTaskId(node: INode, value: unknown, itemIndex: number): string {
	const taskId = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (taskId === '') {
		throw emptyTaskIdError(node, itemIndex);
	}
	const reason = invalidTaskIdReason(taskId);
	if (reason) throw invalidTaskIdError(node, taskId, itemIndex, reason);
	return taskId;
}

/** Why no provider could have issued this ID, or null. Such characters would change the request's path. */
export function invalidTaskIdReason(taskId: string): string | null {
	if (taskId.length > 512) return 'is longer than 512 characters';
	if (/^\.+$/.test(taskId)) return 'is only dots';
	// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
	const control = /[\u0000-\u001f\u007f-\u009f]/.exec(taskId);
	if (control) return 'contains a control character';
	const space = /\s/.exec(taskId);
	if (space) return 'contains white space';
	const unsafe = /[/\\%?#]/.exec(taskId);
	if (unsafe) return `contains "${unsafe[0]}"`;
	return null;
}

export type TaskLookup =
	| ({ ok: true } & FetchedTask)
	| { ok: false; kind: ProblemKind | 'network'; error: NodeApiError | NodeOperationError };

/** Like fetchTask, but a provider problem comes back as a value (the trigger decides per task). */
export async function lookupTask(client: VideoApiClient, taskId: string): Promise<TaskLookup> {
	const action = 'status check';
	const outcome = await client.getJson(taskPath(taskId), { action, taskId, maxBytes: BODY_LIMITS.status }).then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
	if ('error' in outcome) {
		if (outcome.error instanceof NodeApiError) return { ok: false, kind: 'network', error: outcome.error };
		throw outcome.error;
	}
	const result = outcome.value;
	if (!result.ok) {
		return { ok: false, kind: result.problem.kind, error: problemError(result.problem, client.problemContext(action, taskId, result.attempts)) };
	}
	if (!looksLikeTask(result.body)) {
		// Gateways that answer 200 with an error envelope (Wisdom Gate) or `{code:'task_not_exist'}`.
		const problem = classifyProblem(result.statusCode, result.body);
		return { ok: false, kind: problem.kind, error: problemError(problem, client.problemContext(action, taskId)) };
	}
	return {
		ok: true,
		task: normalizeTask(result.body, { provider: client.provider.id, requestedId: taskId }),
		raw: result.body,
	};
}

export async function fetchTask(client: VideoApiClient, taskId: string): Promise<FetchedTask> {
	const lookup = await lookupTask(client, taskId);
	if (!lookup.ok) throw lookup.error;
	return { task: lookup.task, raw: lookup.raw };
}

export interface WaitOptions {
	intervalMs: number;
	maxWaitMs: number;
}

/**
 * Polls until the task is terminal. A failed task throws with the provider's reason;
 * running out of time throws with the last status seen; cancellation stops at once.
 */
export async function waitForCompletion(client: VideoApiClient, taskId: string, options: WaitOptions): Promise<FetchedTask> {
	const started = Date.now();
	let last: FetchedTask | null = null;
	for (;;) {
		last = await fetchTask(client, taskId);
		if (last.task.status === 'failed') throw taskFailedError(last.task, client.problemContext('status check', taskId));
		if (isTerminal(last.task.status)) return last;
		const elapsed = Date.now() - started;
		if (elapsed >= options.maxWaitMs) {
			throw waitTimeoutError(last.task, elapsed, client.problemContext('status check', taskId));
		}
		await sleep(Math.min(options.intervalMs, options.maxWaitMs - elapsed), client.signal, client.node);
	}
}

export interface ListOptions {
	limit?: number;
	after?: string;
	order?: 'asc' | 'desc';
}

export function assertListSupported(client: VideoApiClient): void {
	if (!client.provider.supportsList) throw unsupportedOperationError(client.node, client.provider, 'list');
}

/** One page of `GET /videos`. A gateway without the endpoint (404/405) gets the same clear error. */
export async function listPage(client: VideoApiClient, options: ListOptions): Promise<ListPage & { raw: unknown }> {
	assertListSupported(client);
	const qs: Record<string, string> = {};
	if (options.limit !== undefined) qs.limit = String(options.limit);
	if (options.after) qs.after = options.after;
	if (options.order) qs.order = options.order;
	const action = 'list';
	const result = await client.getJson('/videos', { qs, action, maxBytes: BODY_LIMITS.list });
	if (!result.ok) {
		if (result.problem.httpCode === 404 || result.problem.httpCode === 405) {
			throw unsupportedOperationError(client.node, client.provider, 'list', undefined, `HTTP ${result.problem.httpCode} for ${ROUTES.list}`);
		}
		client.fail(result.problem, action, undefined, result.attempts);
	}
	const page = parseListPage(result.body);
	if (!page) {
		client.fail(classifyProblem(result.statusCode, result.body), action);
	}
	return { ...page, raw: result.body };
}
