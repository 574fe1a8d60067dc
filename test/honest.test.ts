/**
 * Honest causes for the answers real gateways send: OpenAI's 404 naming a parameter, its free-tier rate limit
 * that mentions billing, new-api's exhausted token, a Base URL that redirects http:// to https://, and reference
 * images stored as application/octet-stream. Real sockets on 127.0.0.1 and n8n's real engine.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { classifyProblem } from '../nodes/shared/dialect';
import { png } from './harness/bytes';
import { createPoller, runNode, storeBinary, useBinaryMode } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeJpeg, fakeWebp, startServer } from './harness/server';
import { KEY } from './harness/sora';

let api: TestServer;
let other: TestServer;
const queued = { id: 'video_new', object: 'video', model: 'sora-2', status: 'queued', progress: 0, created_at: 1762499410 };

/** OpenAI's free-tier rate limit: it mentions a payment method and billing, and is still only a rate limit. */
const FREE_TIER_429 = {
	error: {
		message:
			'Rate limit reached for sora-2 in organization org-abc on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in 30s. Visit https://platform.openai.com/account/rate-limits to learn more. You can increase your rate limit by adding a payment method to your account at https://platform.openai.com/account/billing.',
		type: 'requests',
		param: null,
		code: 'rate_limit_exceeded',
	},
};
const OPENAI_404 = { error: { message: "Video with id 'video_gone' not found.", type: 'invalid_request_error', param: 'video_id', code: null } };
const EXHAUSTED_TOKEN = { error: { message: '该令牌额度已用尽 TokenStatusExhausted[sk-abc***xyz]', type: 'new_api_error' } };

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

interface Part {
	name: string;
	fileName?: string;
	contentType?: string;
	size: number;
}
const creates: Array<{ parts: Part[] }> = [];
let onCreate: (res: ServerResponse) => void;

function parts(body: Buffer, contentType: string): Part[] {
	const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
	if (!boundary) return [];
	const out: Part[] = [];
	const delimiter = Buffer.from(`--${boundary}`);
	let start = body.indexOf(delimiter);
	while (start !== -1) {
		const next = body.indexOf(delimiter, start + delimiter.length);
		if (next === -1) break;
		const chunk = body.subarray(start + delimiter.length + 2, next - 2);
		const headerEnd = chunk.indexOf('\r\n\r\n');
		const headers = chunk.subarray(0, headerEnd).toString('utf8');
		out.push({
			name: /name="([^"]*)"/.exec(headers)?.[1] ?? '',
			fileName: /filename="([^"]*)"/.exec(headers)?.[1],
			contentType: /Content-Type: (.+)/i.exec(headers)?.[1]?.trim(),
			size: chunk.length - headerEnd - 4,
		});
		start = next;
	}
	return out;
}

beforeAll(async () => {
	await useBinaryMode('filesystem');
	api = await startServer();
	other = await startServer();
	api.route('GET', '/v1/videos/video_gone', (_req, res) => json(res, 404, OPENAI_404));
	api.route('GET', '/v1/videos/video_free', (_req, res) => json(res, 429, FREE_TIER_429, { 'Retry-After': '0' }));
	api.route('GET', '/v1/videos/video_token', (_req, res) => json(res, 401, EXHAUSTED_TOKEN));
	api.route('POST', '/v1/videos', (req: IncomingMessage, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			creates.push({ parts: parts(Buffer.concat(chunks), req.headers['content-type'] ?? '') });
			onCreate(res);
		});
	});
});

afterAll(async () => {
	await api.close();
	await other.close();
});

beforeEach(() => {
	creates.length = 0;
	onCreate = (res) => json(res, 200, queued);
});

async function run(parameters: INodeParameters, items?: INodeExecutionData[], baseUrl = api.url) {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', ...parameters, options: { retries: 0, retryDelay: 1, ...((parameters.options as object) ?? {}) } },
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
		items,
	});
}

const createParameters = (options: INodeParameters = {}): INodeParameters => ({ operation: 'create', model: { __rl: true, mode: 'id', value: 'sora-2' }, prompt: 'clouds', options });
const description = (error: Error | undefined) => (error as { description?: string } | undefined)?.description ?? '';

describe("OpenAI's 404 naming a parameter is \"not found\"", () => {
	it('classified as notFound, not a rejected value', () => {
		expect(classifyProblem(404, OPENAI_404).kind).toBe('notFound');
		// A 400 naming a create field is still a rejected value.
		expect(classifyProblem(400, { error: { message: "Invalid value: '999x999'.", type: 'invalid_request_error', param: 'size', code: 'invalid_value' } }).kind).toBe('invalidParameter');
	});

	it('Get Status says the task was not found, and nothing about Seconds, Size or creating', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'video_gone' });
		expect(result.error?.message).toBe('Task "video_gone" was not found at OpenAI-Compatible Gateway (HTTP 404)');
		expect(`${result.error?.message} ${description(result.error)}`).not.toMatch(/Seconds|Size|Nothing was created/);
	});
});

describe('only real quota words make a quota error', () => {
	it.each<[string, number, unknown, string]>([
		["OpenAI's free-tier rate limit (mentions billing)", 429, FREE_TIER_429, 'rateLimited'],
		['a rate limit code with quota-sounding text', 429, { error: { message: 'Too many requests for this quota window', code: 'rate_limit_exceeded' } }, 'rateLimited'],
		['OpenAI insufficient_quota', 429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'quota'],
		['the same words without a code', 429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.' } }, 'quota'],
		['new-api insufficient_user_quota', 403, { error: { message: 'user quota is not enough', type: 'new_api_error', code: 'insufficient_user_quota' } }, 'quota'],
		['HTTP 402', 402, { error: { message: 'Payment required' } }, 'quota'],
		['余额不足', 400, { code: 'error', message: '余额不足' }, 'quota'],
		['a billing page link alone', 400, { error: { message: 'See https://example.com/billing for plans', code: 'bad_thing' } }, 'badRequest'],
		["new-api's exhausted token (401)", 401, EXHAUSTED_TOKEN, 'quota'],
		["new-api's exhausted token (403)", 403, { error: { message: '该令牌额度已用尽', type: 'new_api_error', code: 'pre_consume_token_quota_failed' } }, 'quota'],
		['an exhausted token by code only', 403, { error: { message: 'forbidden', code: 'token_quota_exhausted' } }, 'quota'],
		['a bad key is still a bad key', 401, { error: { message: 'Incorrect API key provided: sk-abc. You can find your API key at https://platform.openai.com/account/api-keys.', code: 'invalid_api_key' } }, 'unauthorized'],
		['new-api expired token is a bad key', 401, { error: { message: '该令牌已过期', type: 'new_api_error' } }, 'unauthorized'],
	])('%s', (_name, status, body, kind) => {
		expect(classifyProblem(status, body).kind).toBe(kind);
	});

	it('a create refused by the free-tier rate limit is retried after Retry-After, and succeeds', async () => {
		let calls = 0;
		onCreate = (res) => (++calls === 1 ? json(res, 429, FREE_TIER_429, { 'Retry-After': '0' }) : json(res, 200, queued));
		const result = await run(createParameters({ retries: 2 }));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.id).toBe('video_new');
		expect(creates).toHaveLength(2);
	});

	it('Get Status says rate limited, not "no quota"', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'video_free' });
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway is rate limiting requests (HTTP 429)');
	});

	it("new-api's exhausted token says the quota is used up, not that the key is wrong", async () => {
		onCreate = (res) => json(res, 401, EXHAUSTED_TOKEN);
		const create = await run(createParameters());
		expect(create.error?.message).toBe('OpenAI-Compatible Gateway refused the create: the account has no quota or balance left (HTTP 401)');
		const status = await run({ operation: 'getStatus', taskId: 'video_token' });
		expect(status.error?.message).toBe('OpenAI-Compatible Gateway refused the status check: the account has no quota or balance left (HTTP 401)');
		expect(`${status.error?.message} ${description(status.error)}`).not.toMatch(/rejected the API key/);
	});

	it('the trigger honours the free-tier 429: the poll stops with Retry-After, and the next poll sends nothing before it', async () => {
		const server = await startServer();
		let calls = 0;
		server.route('GET', '/v1/videos/video_w', (_req, res) => {
			calls++;
			if (calls === 1) json(res, 200, { ...queued, id: 'video_w', status: 'in_progress' });
			else json(res, 429, FREE_TIER_429, { 'Retry-After': '120' });
		});
		try {
			const trigger = await createPoller({
				nodeType: 'soraVideoTrigger',
				parameters: { provider: 'openAiCompatible', watch: 'taskIds', taskIds: 'video_w', events: ['completed'], options: { retries: 0, retryDelay: 1 } },
				credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
			});
			expect(await trigger.poll()).toBeNull();
			await expect(trigger.poll()).rejects.toThrow(/is rate limiting requests \(HTTP 429\): the trigger stopped this poll and continues from .* \(the provider's Retry-After\)$/);
			const before = calls;
			await trigger.poll().catch(() => null);
			expect(calls).toBe(before);
		} finally {
			await server.close();
		}
	});
});

describe('a Base URL that redirects says so', () => {
	beforeAll(() => {
		// The gateway's http:// address answers every request with a redirect to its https:// address.
		const toHttps = (req: IncomingMessage, res: ServerResponse) => {
			res.writeHead(301, { Location: `https://127.0.0.1:${new URL(api.origin).port}${req.url}` });
			res.end();
		};
		// ...or to another host, with the same path: the API lives there now.
		const toOtherHost = (req: IncomingMessage, res: ServerResponse) => {
			res.writeHead(308, { Location: `http://localhost:${new URL(other.origin).port}${req.url}` });
			res.end();
		};
		api.route('GET', '/http/v1/videos/video_x', toHttps);
		api.route('GET', '/http/v1/videos/video_x/content', toHttps);
		api.route('GET', '/moved/v1/videos/video_x', toOtherHost);
		api.route('GET', '/moved/v1/videos/video_x/content', toOtherHost);
		// The other host wants the key, which is never sent there.
		other.route('GET', '/moved/v1/videos/video_x/content', (_req, res) => json(res, 401, { error: { message: 'Missing API key', code: 'invalid_api_key' } }));
		other.route('GET', '/moved/v1/videos/video_x', (_req, res) => json(res, 401, { error: { message: 'Missing API key', code: 'invalid_api_key' } }));
		// A redirect within the API's own origin is followed, with the key.
		api.route('GET', '/v1/videos/video_slash', (_req, res) => {
			res.writeHead(307, { Location: '/v1/videos/video_slash/' });
			res.end();
		});
		api.route('GET', '/v1/videos/video_slash/', (req, res) =>
			req.headers.authorization ? json(res, 200, { ...queued, id: 'video_slash', status: 'completed' }) : json(res, 401, { error: { message: 'no key' } }),
		);
	});

	it.each<[string, string, INodeParameters, string]>([
		['status, http:// -> https://', '/http/v1', { operation: 'getStatus', taskId: 'video_x' }, 'https://127.0.0.1'],
		['download, http:// -> https://', '/http/v1', { operation: 'downloadContent', taskId: 'video_x', variant: 'video', binaryPropertyName: 'data' }, 'https://127.0.0.1'],
		['status, to another host', '/moved/v1', { operation: 'getStatus', taskId: 'video_x' }, 'http://localhost'],
		['download, to another host with the same path', '/moved/v1', { operation: 'downloadContent', taskId: 'video_x', variant: 'video', binaryPropertyName: 'data' }, 'http://localhost'],
	])('%s', async (_name, basePath, parameters, target) => {
		const before = other.requests.length;
		const result = await run(parameters, undefined, `${api.origin}${basePath}`);
		expect(result.error?.message).toMatch(/^OpenAI-Compatible Gateway's Base URL redirects to another address \(HTTP 30[18]/);
		expect(result.error?.message).toContain(target);
		expect(description(result.error)).toMatch(/Enter the final address as the Base URL in the "OpenAI-Compatible Video API" credential/);
		expect(`${result.error?.message} ${description(result.error)}`).not.toMatch(/download link|expired|rejected the API key/);
		// Nothing was sent to the other address.
		expect(other.requests.length).toBe(before);
	});

	it('a redirect within the API origin is still followed, with the key', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'video_slash' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ id: 'video_slash', status: 'completed' });
	});
});

describe('a reference image stored as application/octet-stream is sniffed', () => {
	const image = png(64, 64, (i, y) => i * 7 + y);

	it.each<[string, Buffer, string, string, string]>([
		['a PNG named ref.bin', image, 'ref.bin', 'image/png', 'ref.png'],
		['a JPEG without an extension', fakeJpeg(5000), 'download', 'image/jpeg', 'download.jpg'],
		['a WebP named first.webp', fakeWebp(5000), 'first.webp', 'image/webp', 'first.webp'],
	])("%s from n8n's binary store is sent with its true type and a fitting name", async (_name, bytes, fileName, mimeType, sentName) => {
		const item = { json: {}, binary: { image: await storeBinary(bytes, fileName, 'application/octet-stream') } };
		expect(item.binary.image.id).toBeDefined();
		const result = await run(createParameters({ referenceImageField: 'image' }), [item]);
		expect(result.error).toBeUndefined();
		const file = creates[0].parts.find((part) => part.name === 'input_reference');
		expect(file).toEqual({ name: 'input_reference', fileName: sentName, contentType: mimeType, size: bytes.length });
	});

	it('the same from an in-memory binary', async () => {
		const item: INodeExecutionData = { json: {}, binary: { image: { data: image.toString(BINARY_ENCODING), mimeType: 'application/octet-stream', fileName: 'object' } } };
		const result = await run(createParameters({ referenceImageField: 'image' }), [item]);
		expect(result.error).toBeUndefined();
		expect(creates[0].parts.find((part) => part.name === 'input_reference')).toEqual({ name: 'input_reference', fileName: 'object.png', contentType: 'image/png', size: image.length });
	});

	it('octet-stream bytes that are not an image are refused before any request', async () => {
		const item = { json: {}, binary: { image: await storeBinary(Buffer.from('just some text, not an image at all'), 'notes.bin', 'application/octet-stream') } };
		const result = await run(createParameters({ referenceImageField: 'image' }), [item]);
		expect(result.error?.message).toBe('The reference image in field "image" is application/octet-stream, not an image');
		expect(creates).toHaveLength(0);
	});
});
