/**
 * The one HTTP layer: authentication, redirects that never carry the key to another origin,
 * retries for 429 / 5xx / network failures, and sanitized errors.
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, IExecuteFunctions, IHttpRequestOptions, INode, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Readable } from 'stream';

import type { ProviderProblem } from './dialect';
import { classifyProblem } from './dialect';
import type { ProblemContext } from './problems';
import { networkError, problemError, redactDeep } from './problems';
import type { ProviderCredentialData, ProviderDefinition } from './providers';
import { credentialHeader, resolveApiRoot } from './providers';

export type SoraContext = IExecuteFunctions | IPollFunctions;

export interface RetryOptions {
	/** Extra attempts after the first for 429, 5xx and network failures. */
	maxRetries: number;
	/** First backoff delay; doubles each attempt, with jitter. */
	retryDelayMs: number;
	/** Longest single wait, including a provider's Retry-After. */
	maxRetryDelayMs: number;
	/** Per-request idle timeout. */
	timeoutMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
	maxRetries: 3,
	retryDelayMs: 1000,
	maxRetryDelayMs: 60_000,
	timeoutMs: 120_000,
};

/**
 * Per-client behaviour, for callers that must bound their time (the trigger's poll budget).
 * Both default to the node's behaviour: the execution's own cancel signal, and 429 retried.
 */
export interface ClientBehaviour {
	/** Aborts every request, body and retry wait of this client (used instead of the execution's cancel signal, which poll contexts lack). */
	signal?: AbortSignal;
	/** false: a 429 is returned at once instead of retried (the caller decides when to ask again). */
	retryRateLimited?: boolean;
}

/** The last 429 this client received, with the provider's Retry-After (ms) when it sent one. */
export interface RateLimitNotice {
	at: number;
	retryAfterMs: number | null;
}

export interface RawResponse<T> {
	statusCode: number;
	headers: Record<string, string>;
	body: T;
	url: string;
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const ERROR_BODY_LIMIT = 64 * 1024;

/** Thrown when the user stops the execution; never turned into an error item. */
export class CancelledError extends NodeOperationError {
	constructor(node: INode) {
		super(node, 'The execution was cancelled');
	}
}

export function cancelled(node: INode): CancelledError {
	return new CancelledError(node);
}

/** Waits `ms`, or rejects at once when the signal aborts. */
export async function sleep(ms: number, signal: AbortSignal | undefined, node: INode): Promise<void> {
	if (signal?.aborted) throw cancelled(node);
	if (ms <= 0) return;
	await new Promise<void>((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(cancelled(node));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/** Retry-After as seconds or an HTTP date -> milliseconds, or null. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
	if (!value) return null;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return null;
	return Math.max(0, date - now);
}

/** Exponential backoff with full jitter in [base*2^n / 2, base*2^n]. */
export function backoffDelay(attempt: number, options: RetryOptions, random = Math.random): number {
	const ceiling = Math.min(options.maxRetryDelayMs, options.retryDelayMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function isRetryableStatus(code: number): boolean {
	return code === 429 || code === 408 || (code >= 500 && code !== 501 && code !== 505);
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (headers && typeof headers === 'object') {
		for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
			if (value === undefined || value === null) continue;
			out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
		}
	}
	return out;
}

interface NetworkFailure {
	code: string;
	detail: string;
}

/** Reads the code and message of whatever a failed request threw, without keeping the request config. */
function describeFailure(error: unknown): NetworkFailure {
	const seen = new Set<unknown>();
	let current: unknown = error;
	let code: string | undefined;
	let detail: string | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
		if (!code && typeof candidate.code === 'string' && /^[A-Z_]+$/.test(candidate.code)) code = candidate.code;
		if (!detail && typeof candidate.message === 'string') detail = candidate.message;
		current = candidate.cause;
	}
	return { code: code ?? 'ENETWORK', detail: detail ?? 'network error' };
}

function isCancellation(failure: NetworkFailure, signal?: AbortSignal): boolean {
	return Boolean(signal?.aborted) || failure.code === 'ERR_CANCELED';
}

const NOT_RETRYABLE_NETWORK = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/** Reads at most `limit` bytes of a stream, then stops it. */
export async function readLimited(stream: Readable, limit = ERROR_BODY_LIMIT): Promise<string> {
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of stream) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			chunks.push(buffer);
			length += buffer.length;
			if (length >= limit) break;
		}
	} catch {
		// A body cut short still tells us what it said so far.
	} finally {
		stream.destroy();
	}
	return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** Parses JSON when it is JSON; otherwise returns the text itself. */
export function parseBody(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string') return body;
	const trimmed = body.trim();
	if (trimmed === '') return '';
	try {
		return JSON.parse(trimmed) as unknown;
	} catch {
		return body;
	}
}

function destroyBody(body: unknown): void {
	if (body && typeof body === 'object' && typeof (body as Readable).destroy === 'function') {
		(body as Readable).destroy();
	}
}

export class VideoApiClient {
	readonly apiRoot: string;
	private readonly apiOrigin: string;
	readonly secrets: string[];
	/** Handed to n8n with each request, so it does not re-read and decrypt the credential every time. */
	private readonly decrypted: ICredentialsDecrypted;
	/** Set on every 429 received (retried or not). */
	lastRateLimit: RateLimitNotice | undefined;

	constructor(
		private readonly fn: SoraContext,
		readonly provider: ProviderDefinition,
		credentials: ProviderCredentialData,
		readonly options: RetryOptions,
		private readonly behaviour: ClientBehaviour = {},
	) {
		this.apiRoot = resolveApiRoot(credentials);
		let origin: string;
		try {
			origin = new URL(this.apiRoot).origin;
		} catch {
			throw new NodeOperationError(
				fn.getNode(),
				`The base URL "${credentials.baseUrl}" in the "${provider.credentialDisplayName}" credential is not a valid URL`,
				{ description: `Enter the API root, for example ${provider.defaultBaseUrl || 'https://gateway.example.com/v1'}.` },
			);
		}
		this.apiOrigin = origin;
		const key = String(credentials.apiKey ?? '').trim();
		this.secrets = [key, credentialHeader(credentials).value].filter((secret) => secret.length > 0);
		const reference = fn.getNode().credentials?.[provider.credentialName];
		this.decrypted = {
			id: reference?.id ?? '',
			name: reference?.name ?? provider.credentialDisplayName,
			type: provider.credentialName,
			data: credentials as unknown as ICredentialDataDecryptedObject,
		};
	}

	get node(): INode {
		return this.fn.getNode();
	}

	get signal(): AbortSignal | undefined {
		if (this.behaviour.signal) return this.behaviour.signal;
		return 'getExecutionCancelSignal' in this.fn ? this.fn.getExecutionCancelSignal() : undefined;
	}

	problemContext(action: string, taskId?: string, attempts?: number): ProblemContext {
		return { node: this.node, provider: this.provider, action, taskId, attempts, secrets: this.secrets };
	}

	/** `/videos/<id>` with the id encoded so it can never change the path. */
	url(path: string): string {
		return `${this.apiRoot}${path}`;
	}

	redact<T>(value: T): T {
		return redactDeep(value, this.secrets) as T;
	}

	/** One request; a network failure comes back as a value so callers decide about retries. */
	private async send(options: IHttpRequestOptions, sameOrigin: boolean): Promise<{ statusCode: number; headers: unknown; body: unknown } | NetworkFailure> {
		try {
			return (sameOrigin
				? await this.fn.helpers.httpRequestWithAuthentication.call(this.fn, this.provider.credentialName, options, { credentialsDecrypted: this.decrypted })
				: await this.fn.helpers.httpRequest({ ...options, abortSignal: this.signal })) as {
				statusCode: number;
				headers: unknown;
				body: unknown;
			};
		} catch (error) {
			return describeFailure(error);
		}
	}

	/**
	 * One HTTP exchange, following redirects by hand: the credential goes only to the API's own origin.
	 * n8n's helper would forward custom key headers (`api-key`, `token`) to any host a redirect names.
	 */
	private async exchange(
		url: string,
		qs: Record<string, string> | undefined,
		encoding: 'text' | 'stream',
		extraHeaders: Record<string, string> = {},
	): Promise<RawResponse<unknown> | NetworkFailure> {
		let current = url;
		let query = qs;
		for (let hop = 0; ; hop++) {
			const options: IHttpRequestOptions = {
				method: 'GET',
				url: current,
				qs: query,
				encoding,
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: this.options.timeoutMs,
				headers: { Accept: encoding === 'text' ? 'application/json' : '*/*', ...extraHeaders },
				// Execution contexts: n8n sets the execution's cancel signal here itself; poll contexts have none.
				abortSignal: this.signal,
			};
			const response = await this.send(options, new URL(current).origin === this.apiOrigin);
			if ('code' in response) return response;
			const headers = lowerCaseHeaders(response.headers);
			if (REDIRECT_CODES.has(response.statusCode) && headers.location) {
				destroyBody(response.body);
				if (hop >= MAX_REDIRECTS) {
					throw new NodeOperationError(this.node, `${this.provider.displayName} redirected more than ${MAX_REDIRECTS} times`, {
						description: 'Check the base URL in the credential.',
					});
				}
				current = new URL(headers.location, current).toString();
				query = undefined;
				continue;
			}
			return { statusCode: response.statusCode, headers, body: response.body, url: current };
		}
	}

	/**
	 * Sends a GET with retries. Returns the final response whatever its status
	 * (callers classify 4xx); throws only for network failures after the last retry.
	 */
	async request(
		path: string,
		init: { qs?: Record<string, string>; encoding: 'text' | 'stream'; action: string; taskId?: string; headers?: Record<string, string> },
	): Promise<RawResponse<unknown> & { attempts: number }> {
		const url = this.url(path);
		const signal = this.signal;
		for (let attempt = 0; ; attempt++) {
			const attempts = attempt + 1;
			const canRetry = attempt < this.options.maxRetries;
			const response = await this.exchange(url, init.qs, init.encoding, init.headers);
			if ('code' in response) {
				if (isCancellation(response, signal)) throw cancelled(this.node);
				if (!canRetry || NOT_RETRYABLE_NETWORK.has(response.code)) {
					throw networkError(response.code, response.detail, url, this.problemContext(init.action, init.taskId, attempts));
				}
				await sleep(backoffDelay(attempt, this.options), signal, this.node);
				continue;
			}
			if (response.statusCode === 429) this.lastRateLimit = { at: Date.now(), retryAfterMs: parseRetryAfter(response.headers['retry-after']) };
			const retryThis = response.statusCode !== 429 || this.behaviour.retryRateLimited !== false;
			if (isRetryableStatus(response.statusCode) && canRetry && retryThis) {
				destroyBody(response.body);
				const retryAfter = parseRetryAfter(response.headers['retry-after']);
				const wait = retryAfter ?? backoffDelay(attempt, this.options);
				await sleep(Math.min(wait, this.options.maxRetryDelayMs), signal, this.node);
				continue;
			}
			return { ...response, attempts };
		}
	}

	/** GET returning parsed JSON for 2xx; classified provider problems for everything else. */
	async getJson(
		path: string,
		init: { qs?: Record<string, string>; action: string; taskId?: string },
	): Promise<{ ok: true; body: unknown; statusCode: number } | { ok: false; problem: ProviderProblem; attempts: number }> {
		const response = await this.request(path, { ...init, encoding: 'text' });
		const body = this.redact(parseBody(response.body));
		if (response.statusCode >= 200 && response.statusCode < 300 && response.statusCode !== 202) {
			return { ok: true, body, statusCode: response.statusCode };
		}
		return { ok: false, problem: classifyProblem(response.statusCode, body), attempts: response.attempts };
	}

	/** Throws the user-facing error for a classified problem. */
	fail(problem: ProviderProblem, action: string, taskId?: string, attempts?: number): never {
		throw problemError(problem, this.problemContext(action, taskId, attempts));
	}
}

export function taskPath(taskId: string): string {
	return `/videos/${encodeURIComponent(taskId)}`;
}
