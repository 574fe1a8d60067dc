/**
 * Turns any provider's answer into one shape. Nothing here knows a provider by name:
 * every variant in README.md's "Provider dialects" section is recognised by its shape.
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
	/** The prompt the task was created with, when the provider sends it back. */
	prompt: string | null;
	/** For a remix: the task it was made from. */
	remixedFromVideoId: string | null;
	/** What the task cost in the gateway's units, when it says (new-api: `{completion_tokens, total_tokens}`). */
	usage?: TaskUsage;
	provider: string;
}

/** A gateway's usage figures: its own names, numbers only. */
export type TaskUsage = Record<string, number>;

/** At most this many figures are kept from a `usage` object, so a hostile answer cannot grow the output. */
const MAX_USAGE_FIELDS = 16;

/** The numeric fields of a `usage` object (names up to 64 characters), or null when it has none. */
function readUsage(value: unknown): TaskUsage | null {
	if (!isJsonObject(value)) return null;
	const usage: TaskUsage = {};
	let kept = 0;
	for (const [name, figure] of Object.entries(value)) {
		if (kept >= MAX_USAGE_FIELDS) break;
		if (name.length > 64 || typeof figure !== 'number' || !Number.isFinite(figure)) continue;
		usage[name] = figure;
		kept++;
	}
	return kept > 0 ? usage : null;
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
	// Other vendors' words, as gateways pass them through (Kling, MiniMax, Runway, Luma, Replicate, fal, Volcengine).
	in_queue: 'queued',
	queueing: 'queued',
	waiting: 'queued',
	preparing: 'queued',
	throttled: 'queued',
	starting: 'queued',
	started: 'in_progress',
	generating: 'in_progress',
	dreaming: 'in_progress',
	succeed: 'completed',
	successful: 'completed',
	finished: 'completed',
	fail: 'failed',
	timeout: 'failed',
	timed_out: 'failed',
	rejected: 'failed',
};

export function isJsonObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Longer than this, a string is not a status word, a progress or a time: it is not read further. */
const MAX_FIELD_WORD = 64;

export function mapStatus(raw: unknown): TaskStatus {
	if (typeof raw !== 'string' || raw.length > MAX_FIELD_WORD) return 'unknown';
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
		if (value.length > MAX_FIELD_WORD) return null;
		// Trimmed first: two white-space runs around an optional "%" would backtrack quadratically.
		const match = /^(-?\d+(?:\.\d+)?)\s*%?$/.exec(value.trim());
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
	if (typeof value === 'string' && value.length > MAX_FIELD_WORD) return null;
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
	const usage = readUsage(task.usage ?? metadata.usage);
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
		resultUrl: text(metadata.url) ?? text(task.url) ?? text(task.result_url) ?? null,
		prompt: text(task.prompt),
		remixedFromVideoId: text(task.remixed_from_video_id),
		...(usage ? { usage } : {}),
		provider: context.provider,
	};
}

/** True when the body names a task (an id), as a create or remix answer must. */
export function hasTaskId(body: unknown): boolean {
	if (!isJsonObject(body)) return false;
	const task = unwrapTask(body);
	return text(task.id) !== null || text(task.task_id) !== null;
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
	| 'badEndpoint'
	| 'moderation'
	| 'quota'
	| 'invalidParameter'
	| 'modelNotFound'
	| 'unexpected';

/** What the error body was: a JSON envelope, plain text, a web page (proxy, CDN), or unreadable bytes. */
export type BodyForm = 'json' | 'text' | 'webPage' | 'binary' | 'empty';

export interface ProviderProblem {
	kind: ProblemKind;
	httpCode: number;
	/** The provider's machine code (`task_not_ready`, `video_expired`, ...), if any. */
	code: string | null;
	/** The provider's human message, if any (for a web page: its title). Never binary. */
	message: string | null;
	/** A status word the provider mentioned ("current status: IN_PROGRESS"). */
	mentionedStatus: string | null;
	form: BodyForm;
	/** Set when another host than the API answered (a storage or CDN link a redirect led to). */
	answeredBy?: string;
	/** The request field the provider objected to (`size`, `seconds`), if it says. */
	param: string | null;
}

interface Envelope {
	code: string | null;
	type: string | null;
	message: string | null;
	/** The request field the provider objected to (`size`, `seconds`), if it says. */
	param: string | null;
	form: BodyForm;
}

const MAX_QUOTED_MESSAGE = 500;

/** Tags a page meant for a browser starts with (after white space and comments). */
const PAGE_TAGS = new Set(['html', 'head', 'body', 'title', 'meta', 'link', 'style', 'script', 'noscript', 'base', 'center', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'div', 'pre', 'table', 'span', 'br', 'hr', 'main', 'header', 'nav', 'section', 'article', 'form', 'img', 'iframe', 'font', 'a', 'b', 'i']);

function isWhiteSpace(code: number): boolean {
	return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0xfeff || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

function isTagNameCharacter(code: number): boolean {
	return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/**
 * Where the first markup of a body starts, after a byte order mark, white space and complete comments; -1 when
 * a comment never closes. Plain string scanning, one pass: a regular expression that skips comments can backtrack
 * exponentially (a 205-byte page of empty comments once took 12.7 s).
 */
function skipWhiteSpaceAndComments(body: string): number {
	let at = 0;
	for (;;) {
		while (at < body.length && isWhiteSpace(body.charCodeAt(at))) at++;
		if (!body.startsWith('<!--', at)) return at;
		const end = body.indexOf('-->', at + 4);
		if (end === -1) return -1;
		at = end + 3;
	}
}

/** A page meant for a browser: a proxy's, CDN's or web server's error page. */
export function isWebPage(body: string): boolean {
	const at = skipWhiteSpaceAndComments(body);
	// A comment that never closes (a page cut at the read limit) is markup, never an API's JSON.
	if (at === -1) return true;
	if (body.charCodeAt(at) !== 0x3c) return false;
	if (body.slice(at + 1, at + 9).toLowerCase() === '!doctype') {
		let next = at + 9;
		const afterKeyword = next;
		while (next < body.length && isWhiteSpace(body.charCodeAt(next))) next++;
		return next > afterKeyword && body.slice(next, next + 4).toLowerCase() === 'html' && !isTagNameCharacter(body.charCodeAt(next + 4));
	}
	let end = at + 1;
	while (end < body.length && end - at <= 10 && isTagNameCharacter(body.charCodeAt(end))) end++;
	return PAGE_TAGS.has(body.slice(at + 1, end).toLowerCase());
}

/** Text made of bytes that are not text (a file, compressed data): nothing of it may be shown. */
export function isUnreadable(body: string): boolean {
	if (body.length === 0) return false;
	const sample = body.slice(0, 4096);
	let bad = 0;
	for (const char of sample) {
		const code = char.codePointAt(0) ?? 0;
		if (code === 0xfffd || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f)) bad++;
	}
	return bad > 0 && bad / sample.length > 0.02;
}

/** S3, GCS and Azure storage answer with an XML `<Error>` document: its `<Message>` (or `<Code>`) is what it said. */
function xmlErrorMessage(body: string): string | null {
	if (!/^\s*(<\?xml[^>]*>\s*)?<Error\b/i.test(body.replace(/^\uFEFF/, ''))) return null;
	const match = /<Message>([^<]{1,300})<\/Message>/i.exec(body) ?? /<Code>([^<]{1,100})<\/Code>/i.exec(body);
	return match ? match[1].trim() : null;
}

/**
 * The text of the first `<tag ...>text</tag>` whose text is 1 to `max` characters without markup, or null.
 * One pass: each `<tag` looks for its `>` only when it lies beyond the one found before, and each `>` for its
 * text once, so `<title<title<title...` costs no more than any other text of its length.
 */
function elementText(body: string, tag: string, max: number): string | null {
	const opening = new RegExp(`<${tag}`, 'gi');
	const closing = `</${tag}>`;
	let tagEnd = -1;
	let checkedEnd = -1;
	for (let match = opening.exec(body); match !== null; match = opening.exec(body)) {
		const from = match.index + tag.length + 1;
		if (tagEnd < from) {
			tagEnd = body.indexOf('>', from);
			if (tagEnd === -1) return null;
		}
		if (checkedEnd === tagEnd) continue;
		checkedEnd = tagEnd;
		const textEnd = body.indexOf('<', tagEnd + 1);
		if (textEnd === -1) return null;
		const length = textEnd - tagEnd - 1;
		if (length >= 1 && length <= max && body.slice(textEnd, textEnd + closing.length).toLowerCase() === closing) return body.slice(tagEnd + 1, textEnd);
	}
	return null;
}

function webPageTitle(body: string): string | null {
	const found = elementText(body, 'title', 200) ?? elementText(body, 'h1', 200);
	const title = found ? found.replace(/\s+/g, ' ').trim() : '';
	return title === '' ? null : title;
}

/** The most of a provider's code, type or parameter name that is kept (real ones are a few words). */
const MAX_QUOTED_CODE = 200;

function clip(value: string | null, max: number): string | null {
	return value !== null && value.length > max ? value.slice(0, max) : value;
}

/**
 * Reads every error envelope in the dialects doc; a web page or unreadable bytes are never quoted as a message.
 * Its strings are clipped (a message to what is quoted), so what reads them afterwards takes bounded time.
 */
export function readErrorEnvelope(body: unknown): Envelope {
	const envelope = readEnvelope(body);
	return {
		...envelope,
		code: clip(envelope.code, MAX_QUOTED_CODE),
		type: clip(envelope.type, MAX_QUOTED_CODE),
		message: clip(envelope.message, MAX_QUOTED_MESSAGE),
		param: clip(envelope.param, MAX_QUOTED_CODE),
	};
}

/** How much of a text answer is read for its form, title or message: an error answer's cap (a page's title is near its top). */
const TEXT_READ_LIMIT = 64 * 1024;

function readEnvelope(body: unknown): Envelope {
	if (typeof body === 'string') {
		if (body.trim() === '') return { code: null, type: null, message: null, param: null, form: 'empty' };
		const head = body.length > TEXT_READ_LIMIT ? body.slice(0, TEXT_READ_LIMIT) : body;
		if (isUnreadable(head)) return { code: null, type: null, message: null, param: null, form: 'binary' };
		if (isWebPage(head)) return { code: null, type: null, message: webPageTitle(head), param: null, form: 'webPage' };
		const xml = xmlErrorMessage(head);
		if (xml) return { code: null, type: null, message: xml, param: null, form: 'text' };
		return { code: null, type: null, message: head.trim().slice(0, MAX_QUOTED_MESSAGE), param: null, form: 'text' };
	}
	if (!isJsonObject(body)) return { code: null, type: null, message: null, param: null, form: body === null || body === undefined ? 'empty' : 'json' };
	// Wisdom Gate: {message, data:{error:{...}}}
	const nested = isJsonObject(body.data) && isJsonObject(body.data.error) ? body.data.error : undefined;
	const error = isJsonObject(body.error) ? body.error : nested;
	if (error) {
		return {
			code: text(error.code),
			type: text(error.type),
			message: text(error.message) ?? text(body.message),
			param: text(error.param),
			form: 'json',
		};
	}
	if (typeof body.error === 'string') {
		return { code: text(body.code), type: null, message: text(body.error), param: null, form: 'json' };
	}
	// new-api flat: {code, message, data}; FastAPI-style {detail}
	const code = text(body.code);
	return {
		code: code === 'success' ? null : code,
		type: text(body.type),
		message: text(body.message) ?? text(body.msg) ?? text(body.detail),
		param: text(body.param),
		form: 'json',
	};
}

/** An expired or invalid *credential* (token, key, session), which is not an expired video. */
const CREDENTIAL_PROBLEM =
	/\b(token|jwt|api[_\s-]?key|access[_\s-]?key|session|credential)s?\b[^.]{0,40}\b(expired|expire|invalid|revoked)\b|\b(expired|invalid|revoked)[_\s-]?(token|jwt|api[_\s-]?key|session|credential)|unauthori[sz]ed|authentication|incorrect api key|token[_\s-]?expired/i;

/** OpenAI's answer for a path it does not serve: `Invalid URL (GET /videos/x)`. The base URL is wrong. */
const INVALID_URL = /^\s*invalid url\b|\binvalid[_\s-]?url\b|unknown[_\s-]?(endpoint|route|path)|no route|route not found/i;

/** Answers a create gets: moderation, money, a model the gateway lacks, a value the model does not take. */
const MODERATION = /moderation|content[_\s-]?polic|safety[_\s-]?(system|filter)|blocked by|prompt[_\s-]?(was[_\s-]?)?(rejected|flagged|blocked)|sensitive[_\s-]?content/i;
/**
 * Money: only words that say the account or key has none left. Not "quota" or "billing" alone: OpenAI's free-tier
 * rate limit suggests "adding a payment method ... /account/billing", and is only a rate limit.
 * new-api's exhausted token ("该令牌额度已用尽 TokenStatusExhausted[...]") comes as 401 or 403 and is money too.
 */
const QUOTA =
	/insufficient[_\s-]?(quota|user|balance|funds|credits?)|exceeded your current quota|quota[_\s-]?(is[_\s-])?(not[_\s-]?enough|exhausted|insufficient)|token[_\s-]?quota|not enough (balance|credits?|quota)|no (balance|credits?|quota) left|payment[_\s-]?required|billing[_\s-]?hard[_\s-]?limit|credit balance is too low|余额不足|额度不足|额度已用尽|额度已耗尽|TokenStatusExhausted/i;
/** A rate limit named by its code or type (OpenAI: `rate_limit_exceeded`): retried after Retry-After, whatever the text says. */
const RATE_LIMIT_CODE = /rate[_\s-]?limit/i;
const MODEL_NOT_FOUND = /model[_\s-]?not[_\s-]?found|no available channel|model .{0,80}(does not exist|not (found|supported|available))|unknown model|invalid model|unsupported model/i;

const PATTERNS: Array<[ProblemKind, RegExp]> = [
	['quota', QUOTA],
	['moderation', MODERATION],
	['modelNotFound', MODEL_NOT_FOUND],
	['unauthorized', CREDENTIAL_PROBLEM],
	['badEndpoint', INVALID_URL],
	['expired', /expired|expire|no longer available/i],
	['notReady', /not[_\s-]?ready|not[_\s-]?completed|not[_\s-]?finished|processing|in[_\s-]?progress|still|pending|queued/i],
	['notFound', /not[_\s-]?exist|not[_\s-]?found|notfound|no such|does not exist|unknown (task|video)/i],
];

function matchKind(value: string | null): ProblemKind | null {
	if (!value) return null;
	for (const [kind, pattern] of PATTERNS) {
		if (pattern.test(value)) return kind;
	}
	return null;
}

/** Without words to go by (a web page, unreadable or empty body), only the HTTP code speaks. */
function kindByHttpCode(httpCode: number, form: BodyForm): ProblemKind {
	if (httpCode === 410) return 'expired';
	// A JSON API does not answer "task not found" with a web page: the URL is not the API's.
	if (httpCode === 404) return form === 'webPage' ? 'badEndpoint' : 'notFound';
	if (httpCode === 405) return 'badEndpoint';
	if (httpCode === 202) return 'notReady';
	if (httpCode >= 400) return 'badRequest';
	return 'unexpected';
}

/**
 * Classifies an error answer. The HTTP code decides where it is unambiguous (401, 429, 5xx);
 * otherwise the provider's code, then type, then message, then the HTTP code as a fallback.
 * Words inside a web page are never read: "still processing" on a proxy's page says nothing about the task.
 */
export function classifyProblem(httpCode: number, body: unknown): ProviderProblem {
	const envelope = readErrorEnvelope(body);
	const mentioned = envelope.message && envelope.form !== 'webPage' ? /current status:?\s*([A-Za-z_]+)/i.exec(envelope.message) : null;
	const problem = (kind: ProblemKind): ProviderProblem => ({
		kind,
		httpCode,
		code: envelope.code ?? envelope.type,
		message: envelope.message,
		mentionedStatus: mentioned ? mentioned[1] : null,
		form: envelope.form,
		param: envelope.param,
	});
	const readable = envelope.form === 'json' || envelope.form === 'text';
	// Explicit answers about money, moderation and models win over the HTTP code (new-api sends quota as 403,
	// an exhausted token as 401, OpenAI as 429, "no available channel" as 503): retrying or blaming the key would not help.
	// A rate limit that says so in its code is never money, whatever its text mentions.
	if (readable) {
		const rateLimitCode = [envelope.code, envelope.type].some((value) => value !== null && RATE_LIMIT_CODE.test(value));
		for (const kind of ['quota', 'moderation', 'modelNotFound'] as const) {
			if (kind === 'quota' ? rateLimitCode : httpCode === 401) continue;
			if ([envelope.code, envelope.type, envelope.message].some((value) => value !== null && matchKind(value) === kind)) return problem(kind);
		}
	}
	if (httpCode === 402) return problem('quota');
	if (httpCode === 401) return problem('unauthorized');
	if (httpCode === 403) return problem(matchKind(envelope.code) === 'unauthorized' || (envelope.form !== 'webPage' && matchKind(envelope.message) === 'unauthorized') ? 'unauthorized' : 'forbidden');
	if (httpCode === 429) return problem('rateLimited');
	if (httpCode >= 500) return problem('serverError');
	if (readable) {
		// A 404 naming a parameter (OpenAI: `param: "video_id"`) says the task is not there, not that a value was refused.
		if (envelope.param && httpCode >= 400 && httpCode < 500 && httpCode !== 404 && httpCode !== 410 && matchKind(envelope.code) !== 'notFound') return problem('invalidParameter');
		const byText = matchKind(envelope.code) ?? matchKind(envelope.type) ?? matchKind(envelope.message);
		if (byText) return problem(byText);
	}
	return problem(kindByHttpCode(httpCode, envelope.form));
}
