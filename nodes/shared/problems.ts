/** Every user-facing error of the package, worded so a non-programmer knows what to do next. */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { NormalizedTask, ProviderProblem } from './dialect';
import type { ProviderDefinition } from './providers';

export interface ProblemContext {
	node: INode;
	provider: ProviderDefinition;
	taskId?: string;
	/** What was being done, for messages: "download", "status check", "list". */
	action: string;
	attempts?: number;
	/** Strings that must never appear in a message (the API key and its header value). */
	secrets: string[];
}

/** Replaces every secret in a string with `***`. */
export function redact(text: string, secrets: string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 3) out = out.split(secret).join('***');
	}
	return out;
}

/** Deep copy of a JSON value with every secret redacted from its strings. */
export function redactDeep(value: unknown, secrets: string[]): unknown {
	if (typeof value === 'string') return redact(value, secrets);
	if (Array.isArray(value)) return value.map((entry) => redactDeep(entry, secrets));
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) out[key] = redactDeep(entry, secrets);
		return out;
	}
	return value;
}

/**
 * A NodeApiError whose message stays ours: n8n otherwise swaps any message that mentions a network
 * code (ECONNRESET, ...) for a generic sentence, losing which host and how many attempts.
 */
function apiError(node: INode, response: JsonObject, message: string, description: string | undefined, httpCode?: number): NodeApiError {
	const error = new NodeApiError(node, response, {
		message,
		description,
		httpCode: httpCode === undefined ? undefined : String(httpCode),
	});
	error.message = message;
	return error;
}

/**
 * Marks an error as worth retrying later (5xx, 429, network, a body cut short):
 * the trigger then keeps the task for the next poll instead of reporting it.
 */
export function markTransient<T extends NodeApiError | NodeOperationError>(error: T): T {
	error.context.transient = true;
	return error;
}

/** The error itself when it is already one of n8n's (and so carries our message); else undefined. */
export function ownNodeError(error: unknown): NodeApiError | NodeOperationError | undefined {
	return error instanceof NodeApiError || error instanceof NodeOperationError ? error : undefined;
}

export function isTransient(error: unknown): boolean {
	return (error as { context?: { transient?: unknown } } | null)?.context?.transient === true;
}

function quoteTask(taskId: string | undefined): string {
	return taskId ? `Task "${taskId}"` : 'The task';
}

function retried(attempts: number | undefined): string {
	return attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
}

function describeStatus(task: Pick<NormalizedTask, 'status' | 'rawStatus' | 'progress'>): string {
	const raw = task.rawStatus && task.rawStatus !== task.status ? ` ("${task.rawStatus}")` : '';
	const progress = task.progress !== null && task.status !== 'completed' ? `, ${task.progress}%` : '';
	return `${task.status}${raw}${progress}`;
}

/** Turns a classified provider answer into a NodeApiError with an actionable message. */
export function problemError(problem: ProviderProblem, ctx: ProblemContext): NodeApiError {
	const name = ctx.provider.displayName;
	const said = problem.message ? redact(problem.message, ctx.secrets) : null;
	const saidSuffix = said ? ` The provider said: "${said}"` : '';
	const http = `HTTP ${problem.httpCode}`;
	let message: string;
	let description: string | undefined;
	switch (problem.kind) {
		case 'notFound':
			message = `${quoteTask(ctx.taskId)} was not found at ${name} (${http})`;
			description = `Check the task ID, and that the task was created with the same account as the "${ctx.provider.credentialDisplayName}" credential.${saidSuffix}`;
			break;
		case 'notReady':
			message = `${quoteTask(ctx.taskId)} is not ready yet${problem.mentionedStatus ? ` (status: ${problem.mentionedStatus})` : ''}`;
			description = `The video is still being generated. Run again later, or turn on the "Wait for Completion" option.${saidSuffix}`;
			break;
		case 'expired':
			message = `The content of ${quoteTask(ctx.taskId).toLowerCase()} has expired at ${name}`;
			description = `Providers delete finished videos after a while; it cannot be downloaded any more. Generate the video again, and download it soon after it completes.${saidSuffix}`;
			break;
		case 'unauthorized':
			message = `${name} rejected the API key (${http})`;
			description = `Check the API key and the base URL in the "${ctx.provider.credentialDisplayName}" credential.${saidSuffix}`;
			break;
		case 'forbidden':
			message = `${name} refused access (${http})`;
			description = `The key in the "${ctx.provider.credentialDisplayName}" credential is valid but may not use this task or endpoint. Check the key's permissions and that the task belongs to this account.${saidSuffix}`;
			break;
		case 'rateLimited':
			message = `${name} is rate limiting requests (${http})${retried(ctx.attempts)}`;
			description = `Try again later, raise the "Retries" option, or process fewer items at a time.${saidSuffix}`;
			break;
		case 'serverError':
			message = `${name} had a server error during the ${ctx.action} (${http})${retried(ctx.attempts)}`;
			description = `This is a problem on the provider's side. Try again later, or raise the "Retries" option.${saidSuffix}`;
			break;
		case 'badRequest':
			message = `${name} rejected the ${ctx.action} request (${http})${said ? `: ${said}` : ''}`;
			description = 'Check the task ID and the node parameters.';
			break;
		default:
			message = `${name} answered the ${ctx.action} with an unexpected response (${http})${said ? `: ${said}` : ''}`;
			description = 'The response was a message, not the expected data. Check the base URL in the credential.';
	}
	const response: JsonObject = {
		kind: problem.kind,
		httpCode: problem.httpCode,
		code: problem.code,
		message: said,
	};
	const error = apiError(ctx.node, response, message, description, problem.httpCode);
	return problem.kind === 'serverError' || problem.kind === 'rateLimited' ? markTransient(error) : error;
}

/** A task that reached `failed`: the provider's reason is the message. */
export function taskFailedError(task: NormalizedTask, ctx: ProblemContext): NodeOperationError {
	const reason = task.error ? redact(task.error.message, ctx.secrets) : 'no reason given';
	const code = task.error?.code ? ` (${task.error.code})` : '';
	return new NodeOperationError(ctx.node, `${quoteTask(task.id || ctx.taskId)} failed at ${ctx.provider.displayName}: ${reason}${code}`, {
		description: 'The provider could not generate this video. Adjust the prompt or settings and create a new task.',
	});
}

export function notReadyError(task: NormalizedTask, ctx: ProblemContext): NodeOperationError {
	return new NodeOperationError(ctx.node, `${quoteTask(task.id || ctx.taskId)} is not ready yet (status: ${describeStatus(task)})`, {
		description: 'The video is still being generated. Run again later, or turn on the "Wait for Completion" option.',
	});
}

export function expiredError(task: NormalizedTask, ctx: ProblemContext): NodeOperationError {
	return new NodeOperationError(ctx.node, `The content of ${quoteTask(task.id || ctx.taskId).toLowerCase()} expired${task.expiresAt ? ` at ${task.expiresAt}` : ''}`, {
		description: 'Providers delete finished videos after a while; it cannot be downloaded any more. Generate the video again, and download it soon after it completes.',
	});
}

export function waitTimeoutError(task: NormalizedTask | null, waitedMs: number, ctx: ProblemContext): NodeOperationError {
	const last = task ? `; last status seen: ${describeStatus(task)}` : '';
	return new NodeOperationError(ctx.node, `${quoteTask(ctx.taskId)} did not finish within ${formatDuration(waitedMs)}${last}`, {
		description: 'Raise the "Max Wait" option, or check the task again later.',
	});
}

export function networkError(code: string, detail: string, url: string, ctx: ProblemContext): NodeApiError {
	let origin = url;
	try {
		origin = new URL(url).origin;
	} catch {
		// Keep the string as given; it is only shown in the message.
	}
	const isTimeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(detail);
	const message = isTimeout
		? `${ctx.provider.displayName} did not answer in time during the ${ctx.action} (${origin})${retried(ctx.attempts)}`
		: `Could not reach ${ctx.provider.displayName} at ${origin} (${code})${retried(ctx.attempts)}`;
	const description = isTimeout
		? 'The server stopped sending data. Try again later, or raise the "Timeout" option.'
		: `Check the base URL in the "${ctx.provider.credentialDisplayName}" credential and that n8n can reach it.`;
	return markTransient(apiError(ctx.node, { networkErrorCode: code, detail: redact(detail, ctx.secrets) }, message, description));
}

export function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	if (seconds < 120) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	const rest = seconds % 60;
	return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** The trigger met a 429: it stops asking at once and carries the rest to a later poll. */
export function triggerRateLimitedError(ctx: ProblemContext, waiting: number, notBefore: number | null): NodeApiError {
	const when = notBefore ? `from ${new Date(notBefore).toISOString()} (the provider's Retry-After)` : 'on the next poll';
	const rest = waiting > 0 ? `${waiting} task${waiting === 1 ? '' : 's'} still to check or download` : 'the remaining checks';
	const error = apiError(
		ctx.node,
		{ kind: 'rateLimited', httpCode: 429 },
		`${ctx.provider.displayName} is rate limiting requests (HTTP 429): the trigger stopped this poll and continues ${when}`,
		`Nothing is lost: ${rest} wait for that poll. If this keeps happening, poll less often ("Poll Times"), lower "Max Concurrent Requests", or watch fewer tasks.`,
		429,
	);
	// n8n's durable scheduler reads this and waits at least that long before the next poll.
	const retryAfterMs = notBefore ? Math.max(0, notBefore - Date.now()) : undefined;
	error.failure = retryAfterMs ? { cause: 'rate-limited', retryAfterMs } : { cause: 'rate-limited' };
	return markTransient(error);
}

/** The trigger was refused access (403) to some watched tasks while others answered. */
export function triggerForbiddenTasksError(ctx: ProblemContext, taskIds: string[]): NodeOperationError {
	const shown = taskIds.slice(0, 5).map((id) => `"${id}"`).join(', ');
	const more = taskIds.length > 5 ? ` and ${taskIds.length - 5} more` : '';
	return new NodeOperationError(ctx.node, `${ctx.provider.displayName} refused access to the task${taskIds.length > 1 ? 's' : ''} ${shown}${more} (HTTP 403)`, {
		description: `The other watched tasks are checked as usual. Check that these tasks belong to the account of the "${ctx.provider.credentialDisplayName}" credential, or remove them from "Task IDs".`,
	});
}

/** Put in `downloadError` when a file never fits in the trigger's time budget: the event fires without it. */
export function downloadOverBudgetMessage(taskId: string, budgetMs: number, attempts: number): string {
	return `The download of task "${taskId}" did not finish within the trigger's poll time budget (${formatDuration(budgetMs)}) in ${attempts} polls. Download it in the workflow with the Sora Video node (Download Content), or raise "Poll Time Budget".`;
}
