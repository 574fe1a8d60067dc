/**
 * Turns any provider's answer into one shape. Nothing here knows a provider by name:
 * every variant in docs/provider-dialects.md is recognised by its shape.
 */

export type TaskStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'unknown';

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed'];

export interface TaskError {
	code: string | null;
	message: string;
}

export interface NormalizedTask {
	id: string;
	status: TaskStatus;
	rawStatus: string | null;
	progress: number | null;
	model: string | null;
	size: string | null;
	seconds: string | null;
	createdAt: string | null;
	completedAt: string | null;
	expiresAt: string | null;
	error: TaskError | null;
	canDownload: boolean;
	/** A direct result URL some gateways add (new-api: `metadata.url`, wrapped `data.url`). */
	resultUrl: string | null;
	provider: string;
}

type JsonObject = Record<string, unknown>;

const STATUS_WORDS: Record<string, TaskStatus> = {
	queued: 'queued',
	pending: 'queued',
	not_start: 'queued',
	submitted: 'queued',
	in_progress: 'in_progress',
	processing: 'in_progress',
	running: 'in_progress',
	completed: 'completed',
	succeeded: 'completed',
	success: 'completed',
	failed: 'failed',
	failure: 'failed',
	error: 'failed',
	cancelled: 'failed',
	canceled: 'failed',
};

export function isJsonObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mapStatus(raw: unknown): TaskStatus {
	if (typeof raw !== 'string') return 'unknown';
	return STATUS_WORDS[raw.trim().toLowerCase()] ?? 'unknown';
}

export function isTerminal(status: TaskStatus): boolean {
	return TERMINAL_STATUSES.includes(status);
}

function text(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

/** 45, "45", "45%", " 45.5 % " -> number clamped to 0..100; anything else -> null. */
export function parseProgress(value: unknown): number | null {
	let n: number;
	if (typeof value === 'number') {
		n = value;
	} else if (typeof value === 'string') {
		const match = /^\s*(-?\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
		if (!match) return null;
		n = Number(match[1]);
	} else {
		return null;
	}
	if (!Number.isFinite(n)) return null;
	return Math.min(100, Math.max(0, n));
}

/** Unix seconds, unix milliseconds, numeric strings or ISO strings -> ISO string; else null. */
export function toIsoTime(value: unknown): string | null {
	if (value === null || value === undefined || value === '' || value === 0) return null;
	let ms: number;
	if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value))) {
		const n = Number(value);
		if (!Number.isFinite(n) || n <= 0) return null;
		ms = n > 1e12 ? n : n * 1000;
	} else if (typeof value === 'string') {
		ms = Date.parse(value);
	} else {
		return null;
	}
	if (!Number.isFinite(ms)) return null;
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** new-api's generic task format wraps the task: `{code:'success', data:{task_id, ...}}`. */
function unwrapTask(body: JsonObject): JsonObject {
	const data = body.data;
	if (isJsonObject(data) && ('task_id' in data || 'status' in data || 'id' in data)) {
		return data;
	}
	return body;
}

function extractTaskError(task: JsonObject, status: TaskStatus): TaskError | null {
	const error = task.error;
	if (isJsonObject(error)) {
		const message = text(error.message) ?? text(error.code) ?? 'The provider reported an error without a message.';
		return { code: text(error.code) ?? text(error.type), message };
	}
	const plain = text(error) ?? text(task.fail_reason) ?? text(task.failure_reason);
	if (plain) return { code: null, message: plain };
	if (status === 'failed') {
		return { code: null, message: 'The provider reported the task as failed without a reason.' };
	}
	return null;
}

/** Normalizes one task body (flat OpenAI, new-api raw statuses, or new-api wrapped). */
export function normalizeTask(
	body: unknown,
	context: { provider: string; requestedId?: string; now?: number },
): NormalizedTask {
	const task = isJsonObject(body) ? unwrapTask(body) : {};
	const rawStatus = text(task.status);
	const status = mapStatus(rawStatus);
	const metadata = isJsonObject(task.metadata) ? task.metadata : {};
	const expiresAt = toIsoTime(task.expires_at);
	const now = context.now ?? Date.now();
	const expired = expiresAt !== null && Date.parse(expiresAt) <= now;
	return {
		id: text(task.id) ?? text(task.task_id) ?? context.requestedId ?? '',
		status,
		rawStatus,
		progress: parseProgress(task.progress) ?? (status === 'completed' ? 100 : status === 'queued' ? 0 : null),
		model: text(task.model),
		size: text(task.size),
		seconds: text(task.seconds) ?? text(task.duration),
		createdAt: toIsoTime(task.created_at ?? task.submit_time),
		completedAt: toIsoTime(task.completed_at ?? task.finish_time),
		expiresAt,
		error: status === 'completed' ? null : extractTaskError(task, status),
		canDownload: status === 'completed' && !expired,
		resultUrl: text(metadata.url) ?? text(task.url) ?? null,
		provider: context.provider,
	};
}

/** True when the body is recognisably a task (has a status), in either shape. */
export function looksLikeTask(body: unknown): boolean {
	return isJsonObject(body) && typeof unwrapTask(body).status === 'string';
}

export interface ListPage {
	tasks: unknown[];
	hasMore: boolean;
	lastId: string | null;
}

/** OpenAI cursor page `{object:'list', data:[...], has_more, last_id}`; also a bare array or `{data:{items}}`. */
export function parseListPage(body: unknown): ListPage | null {
	let items: unknown;
	let hasMore = false;
	let lastId: string | null = null;
	if (Array.isArray(body)) {
		items = body;
	} else if (isJsonObject(body)) {
		const data = body.data;
		items = Array.isArray(data) ? data : isJsonObject(data) && Array.isArray(data.items) ? data.items : undefined;
		hasMore = body.has_more === true;
		lastId = text(body.last_id);
	}
	if (!Array.isArray(items)) return null;
	if (lastId === null && items.length > 0) {
		const last = items[items.length - 1];
		if (isJsonObject(last)) lastId = text(last.id) ?? text(last.task_id);
	}
	return { tasks: items, hasMore: hasMore && lastId !== null, lastId };
}

// ---------------------------------------------------------------------------------------------
// Error bodies

export type ProblemKind =
	| 'notFound'
	| 'notReady'
	| 'expired'
	| 'unauthorized'
	| 'forbidden'
	| 'rateLimited'
	| 'serverError'
	| 'badRequest'
	| 'unexpected';

export interface ProviderProblem {
	kind: ProblemKind;
	httpCode: number;
	/** The provider's machine code (`task_not_ready`, `video_expired`, ...), if any. */
	code: string | null;
	/** The provider's human message, if any. */
	message: string | null;
	/** A status word the provider mentioned ("current status: IN_PROGRESS"). */
	mentionedStatus: string | null;
}

interface Envelope {
	code: string | null;
	type: string | null;
	message: string | null;
}

/** Reads every error envelope in the dialects doc. */
export function readErrorEnvelope(body: unknown): Envelope {
	if (typeof body === 'string') {
		return { code: null, type: null, message: body.trim().slice(0, 500) || null };
	}
	if (!isJsonObject(body)) return { code: null, type: null, message: null };
	// Wisdom Gate: {message, data:{error:{...}}}
	const nested = isJsonObject(body.data) && isJsonObject(body.data.error) ? body.data.error : undefined;
	const error = isJsonObject(body.error) ? body.error : nested;
	if (error) {
		return {
			code: text(error.code),
			type: text(error.type),
			message: text(error.message) ?? text(body.message),
		};
	}
	if (typeof body.error === 'string') {
		return { code: text(body.code), type: null, message: text(body.error) };
	}
	// new-api flat: {code, message, data}; FastAPI-style {detail}
	const code = text(body.code);
	return {
		code: code === 'success' ? null : code,
		type: text(body.type),
		message: text(body.message) ?? text(body.msg) ?? text(body.detail),
	};
}

const PATTERNS: Array<[ProblemKind, RegExp]> = [
	['expired', /expired|expire|no longer available/i],
	['notReady', /not[_\s-]?ready|not[_\s-]?completed|not[_\s-]?finished|processing|in[_\s-]?progress|still|pending|queued/i],
	['notFound', /not[_\s-]?exist|not[_\s-]?found|notfound|no such|does not exist|unknown (task|video)/i],
	['unauthorized', /unauthori[sz]ed|invalid[_\s-]?(api[_\s-]?)?(key|token)|authentication|incorrect api key/i],
];

function matchKind(value: string | null): ProblemKind | null {
	if (!value) return null;
	for (const [kind, pattern] of PATTERNS) {
		if (pattern.test(value)) return kind;
	}
	return null;
}

/**
 * Classifies an error answer. The HTTP code decides where it is unambiguous (401, 429, 5xx);
 * otherwise the provider's code, then type, then message, then the HTTP code as a fallback.
 */
export function classifyProblem(httpCode: number, body: unknown): ProviderProblem {
	const envelope = readErrorEnvelope(body);
	const mentioned = envelope.message ? /current status:?\s*([A-Za-z_]+)/i.exec(envelope.message) : null;
	const problem = (kind: ProblemKind): ProviderProblem => ({
		kind,
		httpCode,
		code: envelope.code ?? envelope.type,
		message: envelope.message,
		mentionedStatus: mentioned ? mentioned[1] : null,
	});
	if (httpCode === 401) return problem('unauthorized');
	if (httpCode === 403) return problem('forbidden');
	if (httpCode === 429) return problem('rateLimited');
	if (httpCode >= 500) return problem('serverError');
	const byText = matchKind(envelope.code) ?? matchKind(envelope.type) ?? matchKind(envelope.message);
	if (byText) return problem(byText);
	if (httpCode === 404 || httpCode === 410) return problem(httpCode === 410 ? 'expired' : 'notFound');
	if (httpCode === 202) return problem('notReady');
	if (httpCode >= 400) return problem('badRequest');
	return problem('unexpected');
}
