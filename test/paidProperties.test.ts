/**
 * The classes behind issue 15's sections 4 and 5, explored with generated inputs (fast-check): every number an
 * expression can give lands in its range; a 404 is never "a rejected value"; only quota words make a quota error
 * and a rate-limit code never does; Generate's file plan is either refused before any request or sound; and a
 * redirect never carries the key off the API's origin, nor an API answer off it at all.
 */
import fc from 'fast-check';
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { Readable } from 'stream';

import { classifyProblem } from '../nodes/shared/dialect';
import { NUMERIC_OPTIONS, retryOptionsFrom } from '../nodes/shared/descriptions';
import { waitSettings } from '../nodes/SoraVideo/operations/common';
import { fileRequests } from '../nodes/SoraVideo/operations/files';
import type { ProviderId } from '../nodes/shared/providers';
import { PROVIDER_IDS, PROVIDERS } from '../nodes/shared/providers';
import { MAX_TIMER_MS, timerDelay } from '../nodes/shared/timers';
import type { SoraContext } from '../nodes/shared/transport';
import { DEFAULT_RETRY_OPTIONS, VideoApiClient } from '../nodes/shared/transport';

const node: INode = { id: 'n', name: 'Sora Video', type: 'soraVideo', typeVersion: 1, position: [0, 0], parameters: {} };

/** Anything an expression can put into a number field. */
const anyValue = fc.oneof(
	fc.double(),
	fc.integer(),
	fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 2 ** 31, 3_000_000, 1e308, -1e308, Number.MAX_SAFE_INTEGER),
	fc.constantFrom('', ' ', '12', ' 7 ', '1e9', 'Infinity', '-5', 'abc', '0x10'),
	fc.string(),
	fc.constant(undefined),
	fc.constant(null),
	fc.boolean(),
	fc.object(),
);

describe('every number an expression can give lands in its range', () => {
	it('request options', () => {
		fc.assert(
			fc.property(anyValue, anyValue, anyValue, (retries, retryDelay, timeout) => {
				const options = retryOptionsFrom({ retries, retryDelay, timeout } as never);
				expect(Number.isInteger(options.maxRetries)).toBe(true);
				expect(options.maxRetries).toBeGreaterThanOrEqual(NUMERIC_OPTIONS.retries.min);
				expect(options.maxRetries).toBeLessThanOrEqual(NUMERIC_OPTIONS.retries.max);
				expect(options.retryDelayMs).toBeGreaterThanOrEqual(NUMERIC_OPTIONS.retryDelay.min);
				expect(options.retryDelayMs).toBeLessThanOrEqual(NUMERIC_OPTIONS.retryDelay.max);
				expect(options.timeoutMs).toBeGreaterThanOrEqual(NUMERIC_OPTIONS.timeout.min * 1000);
				expect(options.timeoutMs).toBeLessThanOrEqual(NUMERIC_OPTIONS.timeout.max * 1000);
				expect(options.timeoutMs).toBeLessThanOrEqual(MAX_TIMER_MS);
			}),
			{ numRuns: 1000 },
		);
	});

	it('wait settings', () => {
		fc.assert(
			fc.property(anyValue, anyValue, (pollInterval, maxWait) => {
				const { intervalMs, maxWaitMs } = waitSettings({ pollInterval, maxWait } as never);
				expect(intervalMs).toBeGreaterThanOrEqual(1000);
				expect(intervalMs).toBeLessThanOrEqual(3_600_000);
				expect(maxWaitMs).toBeGreaterThanOrEqual(6000);
				expect(maxWaitMs).toBeLessThanOrEqual(1440 * 60_000);
			}),
			{ numRuns: 1000 },
		);
	});

	it('a timer delay is never negative, never past what a timer holds, and never shorter than asked below that', () => {
		fc.assert(
			fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 31, 3e9)), (ms) => {
				const delay = timerDelay(ms);
				expect(delay).toBeGreaterThanOrEqual(0);
				expect(delay).toBeLessThanOrEqual(MAX_TIMER_MS);
				if (ms >= 0 && ms <= MAX_TIMER_MS) expect(delay === ms).toBe(true);
				if (ms > MAX_TIMER_MS) expect(delay).toBe(MAX_TIMER_MS);
			}),
			{ numRuns: 1000 },
		);
	});
});

const words = fc.array(fc.constantFrom('video', 'the', 'request', 'please', 'try', 'again', 'billing', 'payment method', 'add', 'plan', 'upgrade', 'limit', 'rate', 'account', 'https://platform.openai.com/account/billing', 'per', 'minute', 'RPM', 'organization'), { maxLength: 12 }).map((list) => list.join(' '));
/** Phrases that really say the money or the token's quota ran out. */
const QUOTA_PHRASES = ['You exceeded your current quota', 'insufficient_quota', 'user quota is not enough', 'insufficient balance', '余额不足', '该令牌额度已用尽', 'TokenStatusExhausted[sk-a***z]', 'Payment Required', 'not enough credits'];

describe('classification', () => {
	it('a 404 is never "a rejected value", whatever parameter, code and message it names', () => {
		fc.assert(
			fc.property(fc.string(), fc.option(fc.string()), fc.option(fc.string()), words, (param, code, type, message) => {
				const kind = classifyProblem(404, { error: { message, type, param, code } }).kind;
				expect(kind).not.toBe('invalidParameter');
			}),
			{ numRuns: 1000 },
		);
	});

	it('a 429 whose code says rate limit is a rate limit, whatever its text mentions', () => {
		fc.assert(
			fc.property(words, fc.constantFrom('rate_limit_exceeded', 'rate-limit', 'RateLimitExceeded', 'rate_limit'), fc.constantFrom('requests', 'tokens', null), (message, code, type) => {
				expect(classifyProblem(429, { error: { message, type, param: null, code } }).kind).toBe('rateLimited');
			}),
			{ numRuns: 1000 },
		);
	});

	it('billing talk without quota words is not a quota error', () => {
		fc.assert(
			fc.property(words, fc.constantFrom(429, 400, 403), (message, status) => {
				expect(classifyProblem(status, { error: { message, type: 'requests', code: null } }).kind).not.toBe('quota');
			}),
			{ numRuns: 1000 },
		);
	});

	it('quota words are a quota error at any of the codes gateways use, 401 included', () => {
		fc.assert(
			fc.property(words, fc.constantFrom(...QUOTA_PHRASES), words, fc.constantFrom(400, 401, 402, 403, 429), (before, phrase, after, status) => {
				expect(classifyProblem(status, { error: { message: `${before} ${phrase} ${after}`, type: 'new_api_error' } }).kind).toBe('quota');
			}),
			{ numRuns: 1000 },
		);
	});
});

/** A stand-in for the parts of a client that planning files reads. */
function clientOf(provider: ProviderId): VideoApiClient {
	return { node, provider: PROVIDERS[provider] } as unknown as VideoApiClient;
}

describe("Generate's files: refused before any request, or a sound plan", () => {
	it('every variant known and served, one file per field, the main file first', () => {
		const variant = fc.constantFrom('video', 'thumbnail', 'spritesheet', 'poster', '', 'VIDEO');
		fc.assert(
			fc.property(fc.constantFrom(...PROVIDER_IDS), variant, fc.constantFrom('data', 'video', 'thumbnail', 'spritesheet', 'file'), fc.oneof(fc.array(variant, { maxLength: 4 }), fc.constantFrom('thumbnail, spritesheet', 'poster', undefined)), (provider, main, property, also) => {
				let requests;
				try {
					requests = fileRequests(clientOf(provider), { variant: main as never, property }, also, 0);
				} catch (error) {
					expect(error).toBeInstanceOf(NodeOperationError);
					expect((error as NodeOperationError).description).toMatch(/Nothing was sent to the provider\.$/);
					return;
				}
				expect(requests[0]).toEqual({ variant: main, property });
				expect(new Set(requests.map((request) => request.variant)).size).toBe(requests.length);
				expect(new Set(requests.map((request) => request.property)).size).toBe(requests.length);
				for (const request of requests) {
					expect(['video', 'thumbnail', 'spritesheet']).toContain(request.variant);
					if (request.variant !== 'video') expect(PROVIDERS[provider].supportsVariants).toBe(true);
				}
			}),
			{ numRuns: 1000 },
		);
	});
});

describe('redirects', () => {
	const API = 'http://api.example.test:8080';
	const target = fc.record({
		scheme: fc.constantFrom('http', 'https'),
		host: fc.constantFrom('api.example.test', 'bucket.example.test', 'evil.example.test'),
		port: fc.constantFrom('', ':8080', ':9000'),
		path: fc.constantFrom('/v1/videos/x', '/v1/videos/x/content', '/bucket/x.mp4', '/v1/videos/x/', '/other'),
	});

	it('never carry the key off the API origin, never take an API answer elsewhere, and name a Base URL that moved', async () => {
		await fc.assert(
			fc.asyncProperty(target, fc.boolean(), fc.constantFrom(301, 302, 303, 307, 308), async (to, file, status) => {
				const location = `${to.scheme}://${to.host}${to.port}${to.path}`;
				const sent: Array<{ url: string; withKey: boolean }> = [];
				const answer = (url: string) =>
					sent.length === 1
						? { statusCode: status, headers: { location }, body: Readable.from([]) }
						: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([JSON.stringify({ id: 'x', status: 'completed', url })]) };
				const fn = {
					getNode: () => node,
					getExecutionCancelSignal: () => undefined,
					helpers: {
						httpRequestWithAuthentication: async (_type: string, options: { url: string }) => {
							sent.push({ url: options.url, withKey: true });
							return answer(options.url);
						},
						httpRequest: async (options: { url: string }) => {
							sent.push({ url: options.url, withKey: false });
							return answer(options.url);
						},
					},
				} as unknown as SoraContext;
				const client = new VideoApiClient(fn, PROVIDERS.openAiCompatible, { apiKey: 'sk-secret', baseUrl: `${API}/v1` }, { ...DEFAULT_RETRY_OPTIONS, maxRetries: 0 });
				const path = file ? '/videos/x/content' : '/videos/x';
				let error: unknown;
				try {
					const response = await client.request(path, { action: file ? 'download' : 'status check', readText: file ? undefined : 1024 });
					(response.body as Readable | string | undefined)?.toString();
					if (typeof response.body === 'object' && response.body !== null) (response.body as Readable).destroy();
				} catch (caught) {
					error = caught;
				}
				const next = new URL(location);
				const followed = sent.length === 2;
				// The key only ever goes to the API's own origin.
				for (const request of sent) expect(request.withKey).toBe(new URL(request.url).origin === API);
				if (next.origin === API) {
					expect(followed).toBe(true);
					return;
				}
				const baseUrlMoved = !file || (next.hostname === 'api.example.test' && next.protocol !== 'http:') || next.pathname === `/v1${path}`;
				if (baseUrlMoved) {
					expect(followed).toBe(false);
					expect(error).toBeInstanceOf(NodeApiError);
					expect((error as Error).message).toMatch(/^OpenAI-Compatible Gateway's Base URL redirects to another address \(HTTP 30\d: /);
					expect((error as Error).message).toContain(next.origin);
				} else {
					// A storage link: followed, without the key.
					expect(followed).toBe(true);
					expect(error).toBeUndefined();
				}
			}),
			{ numRuns: 500 },
		);
	});
});
