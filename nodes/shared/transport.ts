/**
 * The connection: authentication, redirects that never carry the key to another origin, sending, and sanitized
 * errors. What is retried and how long to wait is retries.ts; reading answers within limits is bodies.ts; a
 * file's body and every retry of a download (resume, or the whole file again) are contentBody.ts.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	IPollFunctions,
	NodeApiError,
} from 'n8n-workflow';

import type { ByteSource } from './contentBody';
import { BODY_LIMITS, destroyBody, parseBody, readCapped } from './bodies';
import type { StreamedBody } from './multipart';
import type { ProviderProblem } from './dialect';
import { classifyProblem, looksLikeTask, parseListPage } from './dialect';
import type { ProblemContext } from './problems';
import {
	baseUrlRedirectError,
	bodyTooLargeError,
	cancelledDuringCreateText,
	invalidBaseUrlError,
	maybeCreatedError,
	networkError,
	problemError,
	redactDeep,
	tooManyRedirectsError,
	writeRedirectError,
} from './problems';
import type { ProviderCredentialData, ProviderDefinition } from './providers';
import { credentialHeader, resolveApiRoot } from './providers';
import type { NetworkFailure, RetryOptions } from './retries';
import {
	backoffDelay,
	CancelledError,
	cancelled,
	describeFailure,
	describeLostAnswer,
	isCancellation,
	isRetryableStatus,
	NOT_RETRYABLE_NETWORK,
	parseRetryAfter,
	sleep,
} from './retries';
import type { Timer } from './timers';
import { startTimer, timerDelay } from './timers';

// Callers import these from the transport as before.
export type { CappedRead } from './bodies';
export { BODY_LIMITS, MAX_JSON_DEPTH, parseBody, readCapped } from './bodies';
export type { RetryOptions } from './retries';
export { backoffDelay, CancelledError, cancelled, DEFAULT_RETRY_OPTIONS, parseRetryAfter, sleep } from './retries';

export type SoraContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;
/** The contexts that can store binary data (the node's execute and the trigger's poll). */
export type BinaryContext = IExecuteFunctions | IPollFunctions;

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
			throw invalidBaseUrlError(fn.getNode(), provider, String(credentials.baseUrl));
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

	/**
	 * The options of every request this client sends: the answer comes back as a stream whatever its status (the
	 * caller reads it within limits, bodies.ts), redirects are followed by hand (`exchange`), n8n's socket timeout is
	 * the Timeout option.
	 */
	private requestOptions(
		init: Pick<IHttpRequestOptions, 'method' | 'url' | 'qs' | 'body' | 'headers' | 'abortSignal'> & { headers: Record<string, string> },
	): IHttpRequestOptions {
		return {
			...init,
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: timerDelay(this.options.timeoutMs),
		};
	}

	/** One request; a network failure comes back as a value so callers decide about retries. */
	private async send(options: IHttpRequestOptions, sameOrigin: boolean): Promise<{ statusCode: number; headers: unknown; body: unknown } | NetworkFailure> {
		try {
			// n8n adds the execution's cancel signal to authenticated requests itself.
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
	 * `send`, but never past `deadline`: n8n's own timeout only measures silence on the socket.
	 * A late answer is discarded when it finally comes, so its connection is not left open.
	 */
	private async sendBy(options: IHttpRequestOptions, sameOrigin: boolean, deadline: number): Promise<{ statusCode: number; headers: unknown; body: unknown } | NetworkFailure> {
		const sending = this.send(options, sameOrigin);
		let timer: Timer | undefined;
		const late = new Promise<NetworkFailure>((resolve) => {
			timer = startTimer(deadline - Date.now(), () => resolve({ code: 'ETIMEDOUT', detail: 'no answer in time' }));
		});
		const first = await Promise.race([sending, late]);
		timer?.cancel();
		if ('code' in first && first.detail === 'no answer in time') {
			void sending.then((response) => {
				if (!('code' in response)) destroyBody(response.body);
			});
		}
		return first;
	}

	/**
	 * One HTTP exchange, following redirects by hand: the credential goes only to the API's own origin.
	 * n8n's helper would forward custom key headers (`api-key`, `token`) to any host a redirect names.
	 * The body always comes back as a stream; nothing here buffers it.
	 * `file`: the answer is a file, which a gateway may hand out from a storage host (followed, without the key);
	 * any other answer comes from the API itself, so a redirect elsewhere means the Base URL is not the API's address.
	 */
	private async exchange(
		url: string,
		qs: Record<string, string> | undefined,
		accept: string,
		extraHeaders: Record<string, string>,
		deadline: number,
		file: boolean,
	): Promise<RawResponse<unknown> | NetworkFailure> {
		let current = url;
		let query = qs;
		for (let hop = 0; ; hop++) {
			const options = this.requestOptions({
				method: 'GET',
				url: current,
				qs: query,
				headers: { Accept: accept, ...extraHeaders },
				// Execution contexts: n8n sets the execution's cancel signal here itself; poll contexts have none.
				abortSignal: this.signal,
			});
			const response = await this.sendBy(options, new URL(current).origin === this.apiOrigin, deadline);
			if ('code' in response) return response;
			const headers = lowerCaseHeaders(response.headers);
			if (REDIRECT_CODES.has(response.statusCode) && headers.location) {
				destroyBody(response.body);
				if (hop >= MAX_REDIRECTS) {
					throw tooManyRedirectsError(this.node, this.provider, MAX_REDIRECTS);
				}
				const next = new URL(headers.location, current);
				if (this.redirectsBaseUrl(new URL(current), next, file)) {
					throw baseUrlRedirectError(response.statusCode, next.origin, this.problemContext('request'));
				}
				current = next.toString();
				query = undefined;
				continue;
			}
			return { statusCode: response.statusCode, headers, body: response.body, url: current };
		}
	}

	/**
	 * A redirect that says the Base URL is not where the API lives: any other origin for an API answer; for a file,
	 * the same host by another scheme (http:// -> https://), or the same path on another origin (the API moved).
	 * A file on another path of another origin is a storage or CDN link, and is followed without the key.
	 */
	private redirectsBaseUrl(from: URL, to: URL, file: boolean): boolean {
		if (to.origin === this.apiOrigin) return false;
		if (!file) return true;
		const api = new URL(this.apiOrigin);
		if (to.hostname === api.hostname && to.protocol !== api.protocol) return true;
		return to.pathname === from.pathname;
	}

	/** The head of an error answer, for its message: what arrives within the limit and the Timeout. */
	async readErrorBody(stream: ByteSource): Promise<string> {
		const read = await readCapped(stream, BODY_LIMITS.error, Date.now() + this.options.timeoutMs, this.signal);
		if (read.failure?.code === 'ERR_CANCELED') throw cancelled(this.node);
		return read.text;
	}

	/** True when the answer came from another host than the API (a storage or CDN link a redirect led to). */
	isForeign(url: string): boolean {
		try {
			return new URL(url).origin !== this.apiOrigin;
		} catch {
			return false;
		}
	}

	/**
	 * Sends a GET with retries. Returns the final response whatever its status (callers classify 4xx);
	 * throws only for network failures after the last retry.
	 * With `readText`, the body is read here (capped, within the Timeout) so a trickling or broken answer
	 * is retried like any network failure; otherwise it comes back as a stream.
	 */
	async request(
		path: string,
		init: {
			qs?: Record<string, string>;
			action: string;
			taskId?: string;
			headers?: Record<string, string>;
			/** Read the body as text, at most this many bytes when the answer is a success. */
			readText?: number;
		},
	): Promise<RawResponse<unknown> & { attempts: number; truncated: boolean }> {
		const url = this.url(path);
		const signal = this.signal;
		const accept = init.readText === undefined ? '*/*' : 'application/json';
		for (let attempt = 0; ; attempt++) {
			const attempts = attempt + 1;
			const canRetry = attempt < this.options.maxRetries;
			const deadline = Date.now() + this.options.timeoutMs;
			// Without `readText` the answer is a file (Download Content, its resumes): it may come from a storage host.
			let response: RawResponse<unknown> | NetworkFailure = await this.exchange(url, init.qs, accept, init.headers ?? {}, deadline, init.readText === undefined);
			let truncated = false;
			if (!('code' in response) && response.statusCode === 429) {
				this.lastRateLimit = { at: Date.now(), retryAfterMs: parseRetryAfter(response.headers['retry-after']) };
			}
			const retryThis = 'code' in response || response.statusCode !== 429 || this.behaviour.retryRateLimited !== false;
			if (!('code' in response) && isRetryableStatus(response.statusCode) && canRetry && retryThis) {
				destroyBody(response.body);
				const retryAfter = parseRetryAfter(response.headers['retry-after']);
				const wait = retryAfter ?? backoffDelay(attempt, this.options);
				await sleep(Math.min(wait, this.options.maxRetryDelayMs), signal, this.node);
				continue;
			}
			if (!('code' in response) && init.readText !== undefined) {
				const success = response.statusCode >= 200 && response.statusCode < 300;
				const limit = success ? init.readText : BODY_LIMITS.error;
				const declared = Number(response.headers['content-length']);
				if (success && Number.isFinite(declared) && declared > limit) {
					destroyBody(response.body);
					throw bodyTooLargeError(limit, this.problemContext(init.action, init.taskId, attempts));
				}
				const read = await readCapped(response.body as ByteSource, limit, deadline, signal);
				if (success && read.truncated) throw bodyTooLargeError(limit, this.problemContext(init.action, init.taskId, attempts));
				// A broken error answer still says what it said so far; a broken success is retried.
				if (read.failure && success) response = read.failure;
				else response = { ...response, body: read.text };
				truncated = read.truncated;
			}
			if ('code' in response) {
				if (isCancellation(response, signal)) throw cancelled(this.node);
				if (!canRetry || NOT_RETRYABLE_NETWORK.has(response.code)) {
					throw networkError(response.code, response.detail, url, this.problemContext(init.action, init.taskId, attempts));
				}
				await sleep(backoffDelay(attempt, this.options), signal, this.node);
				continue;
			}
			return { ...response, attempts, truncated };
		}
	}

	/**
	 * GET returning parsed JSON for a success; classified provider problems for everything else.
	 * A 202 carrying a task or a list is a success: some gateways answer "accepted" while a task runs.
	 */
	async getJson(
		path: string,
		init: { qs?: Record<string, string>; action: string; taskId?: string; maxBytes: number },
	): Promise<{ ok: true; body: unknown; statusCode: number } | { ok: false; problem: ProviderProblem; attempts: number }> {
		const response = await this.request(path, { qs: init.qs, action: init.action, taskId: init.taskId, readText: init.maxBytes });
		const body = this.redact(parseBody(response.body));
		const success = response.statusCode >= 200 && response.statusCode < 300;
		if (success && (response.statusCode !== 202 || looksLikeTask(body) || parseListPage(body) !== null)) {
			return { ok: true, body, statusCode: response.statusCode };
		}
		return { ok: false, problem: this.classify(response.statusCode, body, response.url), attempts: response.attempts };
	}

	/** Classifies an error answer, noting when it came from another host than the API. */
	classify(statusCode: number, body: unknown, url: string): ProviderProblem {
		const problem = classifyProblem(statusCode, body);
		return this.isForeign(url) ? { ...problem, answeredBy: url } : problem;
	}

	/**
	 * POST or DELETE, answered with parsed JSON or a classified problem. Never follows a redirect.
	 *
	 * A `billable` request (create, remix) may cost money: once it may have reached the provider it is never
	 * sent again. Only answers that prove nothing was created are retried: a 429 that is not about quota, and a
	 * connection that was refused. A timeout, a reset or a 5xx after sending is an error that says a task may
	 * exist (`findHow` tells how to look). Other requests (delete) are retried like reads.
	 */
	async submit(init: {
		method: Extract<IHttpRequestMethods, 'POST' | 'DELETE'>;
		path: string;
		action: string;
		taskId?: string;
		model?: string;
		/** Opens the body afresh for each attempt (a stream can be sent once). */
		body?: () => Promise<OutgoingBody>;
		billable: boolean;
		findHow: string;
		maxBytes: number;
	}): Promise<{ ok: true; body: unknown; statusCode: number } | { ok: false; problem: ProviderProblem; attempts: number; earlierMayHaveArrived: boolean }> {
		const url = this.url(init.path);
		const signal = this.signal;
		const ctx = (attempts: number) => ({ ...this.problemContext(init.action, init.taskId, attempts), model: init.model });
		// Stop while a billable request is out: it may have reached the provider, so the user is told a task may exist.
		const stopped = (attempts: number) => (init.billable ? new CancelledError(this.node, cancelledDuringCreateText(ctx(attempts), init.findHow)) : cancelled(this.node));
		/** A retried attempt before this one may have been carried out (its answer was lost, or a 5xx): a delete then finds nothing. */
		let earlierMayHaveArrived = false;
		for (let attempt = 0; ; attempt++) {
			const attempts = attempt + 1;
			const canRetry = attempt < this.options.maxRetries;
			const deadline = Date.now() + this.options.timeoutMs;
			const body = init.body ? await init.body() : undefined;
			const options = this.requestOptions({
				method: init.method,
				url,
				body: body?.data,
				headers: {
					Accept: 'application/json',
					...(body ? { 'Content-Type': body.contentType } : {}),
					...(body?.length !== undefined ? { 'Content-Length': String(body.length) } : {}),
				},
			});
			if (signal?.aborted) {
				if (body && typeof body.data !== 'string') destroyBody(body.data);
				throw cancelled(this.node);
			}
			const sent = await this.sendBy(options, true, deadline);
			if ('code' in sent) {
				if (body && typeof body.data !== 'string') destroyBody(body.data);
				if (isCancellation(sent, signal)) throw stopped(attempts);
				// Refused: the request never left, so nothing was created. Anything else may have arrived.
				const neverSent = sent.code === 'ECONNREFUSED' || NOT_RETRYABLE_NETWORK.has(sent.code);
				if (init.billable && !neverSent) throw maybeCreatedError(describeLostAnswer(sent), ctx(attempts), init.findHow);
				if (!canRetry || NOT_RETRYABLE_NETWORK.has(sent.code)) throw networkError(sent.code, sent.detail, url, ctx(attempts));
				if (!neverSent) earlierMayHaveArrived = true;
				await sleep(backoffDelay(attempt, this.options), signal, this.node);
				continue;
			}
			const headers = lowerCaseHeaders(sent.headers);
			if (REDIRECT_CODES.has(sent.statusCode)) {
				destroyBody(sent.body);
				throw writeRedirectError(sent.statusCode, ctx(attempts));
			}
			const success = sent.statusCode >= 200 && sent.statusCode < 300;
			const read = await readCapped(sent.body as ByteSource, success ? init.maxBytes : BODY_LIMITS.error, deadline, signal);
			// A refusal (4xx) proves nothing was created; anything else may have.
			if (signal?.aborted) throw success || sent.statusCode >= 500 ? stopped(attempts) : cancelled(this.node);
			if (success && (read.truncated || read.failure)) {
				if (init.billable) throw maybeCreatedError(read.truncated ? 'its answer was too large to read' : 'its answer broke off', ctx(attempts), init.findHow);
				if (read.truncated) throw bodyTooLargeError(init.maxBytes, ctx(attempts));
			}
			const parsed = this.redact(parseBody(read.text));
			if (success) return { ok: true, body: parsed, statusCode: sent.statusCode };
			const problem = classifyProblem(sent.statusCode, parsed);
			const retryable = problem.kind === 'rateLimited' || (!init.billable && isRetryableStatus(sent.statusCode) && problem.kind === 'serverError');
			if (retryable && canRetry) {
				if (problem.kind === 'serverError') earlierMayHaveArrived = true;
				const retryAfter = parseRetryAfter(headers['retry-after']);
				await sleep(Math.min(retryAfter ?? backoffDelay(attempt, this.options), this.options.maxRetryDelayMs), signal, this.node);
				continue;
			}
			if (init.billable && problem.kind === 'serverError') {
				const said = problem.message && problem.form !== 'webPage' && problem.form !== 'binary' ? `: ${problem.message}` : '';
				throw maybeCreatedError(`it answered with a server error (HTTP ${sent.statusCode}${said})`, ctx(attempts), init.findHow);
			}
			return { ok: false, problem, attempts, earlierMayHaveArrived };
		}
	}

	/** The user-facing error for a classified problem. */
	errorFor(problem: ProviderProblem, action: string, taskId?: string, attempts?: number, model?: string): NodeApiError {
		return problemError(problem, { ...this.problemContext(action, taskId, attempts), model });
	}

	/** Throws the user-facing error for a classified problem. */
	fail(problem: ProviderProblem, action: string, taskId?: string, attempts?: number): never {
		throw problemError(problem, this.problemContext(action, taskId, attempts));
	}
}

/** A request body, ready to send once. */
export interface OutgoingBody {
	data: StreamedBody | string;
	contentType: string;
	/** Content-Length when known (a stream of unknown size goes chunked). */
	length?: number;
}

export function taskPath(taskId: string): string {
	return `/videos/${encodeURIComponent(taskId)}`;
}
