/**
 * Create, Generate, Remix and Delete in n8n's real engine against a real server on 127.0.0.1 that records
 * every request byte: the multipart body a gateway receives, and how many creates were sent when answers go wrong.
 */
import { createHash } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readBinary, runNode, searchList, storeBinary, useBinaryMode } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';
import { fileFacts, KEY } from './harness/sora';

let server: TestServer;
const video = fakeMp4(250_000);
/** A PNG-looking image of 3 MiB, so the upload really streams. */
const image = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(3 * 1024 * 1024, 7)]);

interface Part {
	name: string;
	fileName?: string;
	contentType?: string;
	data: Buffer;
}

interface Received {
	method: string;
	path: string;
	contentType: string;
	body: Buffer;
	parts: Part[];
}

/** Reads a multipart/form-data body the way a gateway would. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
	const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
	if (!boundary) return [];
	const parts: Part[] = [];
	const delimiter = Buffer.from(`--${boundary}`);
	let start = body.indexOf(delimiter);
	while (start !== -1) {
		const next = body.indexOf(delimiter, start + delimiter.length);
		if (next === -1) break;
		const chunk = body.subarray(start + delimiter.length + 2, next - 2);
		const headerEnd = chunk.indexOf('\r\n\r\n');
		const headers = chunk.subarray(0, headerEnd).toString('utf8');
		parts.push({
			name: /name="([^"]*)"/.exec(headers)?.[1] ?? '',
			fileName: /filename="([^"]*)"/.exec(headers)?.[1],
			contentType: /Content-Type: (.+)/i.exec(headers)?.[1]?.trim(),
			data: chunk.subarray(headerEnd + 4),
		});
		start = next;
	}
	return parts;
}

const received: Received[] = [];
type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let onCreate: Behaviour;
let onExtend: Behaviour;
let statusCalls = 0;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

const queued = { id: 'video_new', object: 'video', model: 'sora-2', status: 'queued', progress: 0, created_at: 1762499410, size: '1280x720', seconds: '8', prompt: 'clouds' };

function record(method: string, path: string, handler: Behaviour) {
	server.route(method, path, (req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const contentType = req.headers['content-type'] ?? '';
			received.push({ method, path, contentType, body, parts: contentType.startsWith('multipart/') ? parseMultipart(body, contentType) : [] });
			handler(req, res, body);
		});
	});
}

beforeAll(async () => {
	await useBinaryMode('filesystem');
	server = await startServer();
	record('POST', '/v1/videos', (req, res, body) => onCreate(req, res, body));
	record('POST', '/v1/videos/video_done/remix', (_req, res) => json(res, 200, { ...queued, id: 'video_remix', remixed_from_video_id: 'video_done', prompt: 'at night' }));
	record('DELETE', '/v1/videos/video_done', (_req, res) => json(res, 200, { id: 'video_done', object: 'video.deleted', deleted: true }));
	record('POST', '/v1/videos/extensions', (req, res, body) => onExtend(req, res, body));
	server.route('GET', '/v1/videos/video_new', (_req, res) => {
		statusCalls++;
		json(res, 200, statusCalls < 3 ? { ...queued, status: 'in_progress', progress: 50 } : { ...queued, status: 'completed', progress: 100, completed_at: 1762499500 });
	});
	server.route('GET', '/v1/videos/video_new/content', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(video.length) });
		res.end(video);
	});
	server.route('GET', '/v1/videos/video_bad', (_req, res) => json(res, 200, { ...queued, id: 'video_bad', status: 'failed', error: { code: 'moderation_blocked', message: 'Output blocked by moderation' } }));
	server.route('GET', '/images/ref.png', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(image.length) });
		res.end(image);
	});
	server.route('GET', '/v1/models', (_req, res) =>
		json(res, 200, { object: 'list', data: ['gpt-4o', 'sora-2', 'veo-3', 'kling-v2', 'whisper-1', 'sora-2-pro'].map((id) => ({ id, object: 'model' })) }),
	);
});

afterAll(async () => {
	await server.close();
});

beforeEach(() => {
	received.length = 0;
	statusCalls = 0;
	onCreate = (_req, res) => json(res, 200, queued);
	onExtend = (_req, res) => json(res, 200, { ...queued, id: 'video_longer', seconds: '16', prompt: 'the sun sets' });
});

const creates = () => received.filter((request) => request.method === 'POST' && request.path === '/v1/videos');

async function run(parameters: INodeParameters, items?: INodeExecutionData[], provider = 'openAiCompatible') {
	const credentialName = provider === 'openAiCompatible' ? 'openAiCompatibleVideoApi' : `${provider}Api`;
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider, ...parameters },
		credentials: { [credentialName]: { apiKey: KEY, baseUrl: server.url, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
		items,
	});
}

const create = (extra: INodeParameters = {}, options: INodeParameters = {}) => ({
	operation: 'create',
	model: { __rl: true, mode: 'list', value: 'sora-2' },
	prompt: 'clouds',
	seconds: '8',
	size: '1280x720',
	options: { retryDelay: 1, ...options },
	...extra,
});

/** An item whose binary field `image` holds the reference image in n8n's store, as an upstream node leaves it. */
async function itemWithImage(): Promise<INodeExecutionData> {
	return { json: { row: 1 }, binary: { image: await storeBinary(image, 'first-frame.png', 'image/png') } };
}

describe('Create', () => {
	it('sends a multipart form with the fields, and outputs the queued task in Get Status shape', async () => {
		const result = await run(create());
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ id: 'video_new', status: 'queued', progress: 0, model: 'sora-2', prompt: 'clouds', provider: 'openAiCompatible' });
		const [request] = creates();
		expect(request.contentType).toMatch(/^multipart\/form-data; boundary=/);
		expect(Object.fromEntries(request.parts.map((part) => [part.name, part.data.toString()]))).toEqual({ model: 'sora-2', prompt: 'clouds', seconds: '8', size: '1280x720' });
	});

	it('a model by ID, any seconds and size the gateway takes, and Extra Fields reach the request', async () => {
		await run(create({ model: { __rl: true, mode: 'id', value: 'veo-3' }, seconds: '10', size: '1920x1080' }, { extraFields: '{"metadata": {"duration": 6, "resolution": "1080p"}, "n": 1}' }));
		const fields = Object.fromEntries(creates()[0].parts.map((part) => [part.name, part.data.toString()]));
		expect(fields).toEqual({ model: 'veo-3', prompt: 'clouds', seconds: '10', size: '1920x1080', metadata: '{"duration":6,"resolution":"1080p"}', n: '1' });
	});

	it('the reference image from a binary field is the input_reference file: exact bytes, its MIME type, streamed with a length', async () => {
		const item = await itemWithImage();
		expect(item.binary?.image.id).toBeDefined();
		const result = await run(create({}, { referenceImageField: 'image' }), [item]);
		expect(result.error).toBeUndefined();
		const [request] = creates();
		const file = request.parts.find((part) => part.name === 'input_reference');
		expect(file?.contentType).toBe('image/png');
		expect(file?.fileName).toBe('first-frame.png');
		expect(createHash('sha256').update(file!.data).digest('hex')).toBe(createHash('sha256').update(image).digest('hex'));
	});

	it('an image URL sends JSON with input_reference.image_url, Extra Fields merged', async () => {
		await run(create({}, { referenceImageUrl: 'https://img.example/first.png', extraFields: '{"metadata":{"duration":6}}' }));
		const [request] = creates();
		expect(request.contentType).toBe('application/json');
		expect(JSON.parse(request.body.toString())).toEqual({ model: 'sora-2', prompt: 'clouds', seconds: '8', size: '1280x720', metadata: { duration: 6 }, input_reference: { image_url: 'https://img.example/first.png' } });
	});

	it.each<[string, INodeParameters, INodeParameters, RegExp]>([
		['an empty prompt', { prompt: '  ' }, {}, /^The prompt is empty$/],
		['a model expression that is empty', { model: { __rl: true, mode: 'id', value: '={{ "" }}' } }, {}, /^No model is chosen$/],
		['Extra Fields that are not JSON', {}, { extraFields: '{nope' }, /^Extra Fields is not valid JSON$/],
		['Extra Fields that are a list', {}, { extraFields: '[1]' }, /^Extra Fields must be a JSON object$/],
		['a reference image field that is missing', {}, { referenceImageField: 'nothing' }, /nothing/],
		['an image URL that is not http', {}, { referenceImageUrl: 'file:///etc/passwd' }, /is not an http\(s\) address$/],
	])('%s is refused before any request', async (_name, extra, options, message) => {
		const result = await run(create(extra, options));
		expect(result.error?.message).toMatch(message);
		expect(creates()).toHaveLength(0);
	});
});

describe('a create is never sent twice by accident', () => {
	it('no answer within the Timeout: one POST, and the error says a task may exist and how to find it', async () => {
		onCreate = () => {
			// Reads the whole request, creates the task, never answers.
		};
		const result = await run(create({}, { timeout: 1, retries: 3 }));
		expect(creates()).toHaveLength(1);
		expect(result.error?.message).toBe(
			'OpenAI-Compatible Gateway may have created a task: the create request was sent, but no answer arrived within the Timeout. It was not sent again, so no second task is paid for',
		);
		expect((result.error as { description?: string }).description).toMatch(/List operation .* "Retry On Fail" .* would send a new create request/);
	});

	it('a connection reset after sending: one POST', async () => {
		onCreate = (req) => req.socket.destroy();
		const result = await run(create({}, { retries: 3 }));
		expect(creates()).toHaveLength(1);
		expect(result.error?.message).toMatch(/may have created a task: the create request was sent, but the connection broke before the answer arrived/);
	});

	it('a 5xx after sending: one POST', async () => {
		onCreate = (_req, res) => json(res, 502, { error: { message: 'Upstream service returned status 500', type: 'server_error' } });
		const result = await run(create({}, { retries: 3 }));
		expect(creates()).toHaveLength(1);
		expect(result.error?.message).toMatch(/may have created a task: .* it answered with a server error \(HTTP 502: Upstream service returned status 500\)/);
	});

	it('a 429 proves nothing was created: it is retried after Retry-After, then succeeds', async () => {
		let calls = 0;
		onCreate = (_req, res) => (++calls === 1 ? json(res, 429, { error: { message: 'Rate limit reached' } }, { 'Retry-After': '0' }) : json(res, 200, queued));
		const result = await run(create({}, { retries: 3 }));
		expect(result.error).toBeUndefined();
		expect(creates()).toHaveLength(2);
		expect(result.items[0].json.id).toBe('video_new');
	});

	it('a refused connection proves nothing was sent: it is retried', async () => {
		const closed = await startServer();
		const url = closed.url;
		await closed.close();
		const result = await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', ...create({}, { retries: 2 }) },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: url, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
		});
		expect(result.error?.message).toMatch(/^Could not reach OpenAI-Compatible Gateway at .* \(ECONNREFUSED\) after 3 attempts$/);
	});
});

describe('provider answers to a create are clear errors', () => {
	it.each<[string, number, unknown, string]>([
		['moderation', 400, { error: { message: 'Your request was blocked by our moderation system.', type: 'invalid_request_error', code: 'moderation_blocked' } }, 'OpenAI-Compatible Gateway refused the prompt: it was blocked by moderation (HTTP 400)'],
		['new-api quota', 403, { error: { message: 'user quota is not enough', type: 'new_api_error', code: 'insufficient_user_quota' } }, 'OpenAI-Compatible Gateway refused the create: the account has no quota or balance left (HTTP 403)'],
		['OpenAI quota as 429', 429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'OpenAI-Compatible Gateway refused the create: the account has no quota or balance left (HTTP 429)'],
		['an invalid size', 400, { error: { message: "Invalid value: '999x999'. Supported values are: '720x1280', '1280x720'.", type: 'invalid_request_error', param: 'size', code: 'invalid_value' } }, 'OpenAI-Compatible Gateway rejected the "size" value of the create request (HTTP 400): Invalid value: \'999x999\'. Supported values are: \'720x1280\', \'1280x720\'.'],
		['an unknown model', 404, { error: { message: 'The model `sora-9` does not exist', code: 'model_not_found' } }, 'OpenAI-Compatible Gateway does not offer the model "sora-2" (HTTP 404)'],
		['new-api without a channel (503)', 503, { error: { message: 'No available channel for model sora-2 under group default', type: 'new_api_error' } }, 'OpenAI-Compatible Gateway does not offer the model "sora-2" (HTTP 503)'],
	])('%s', async (_name, status, body, message) => {
		onCreate = (_req, res) => json(res, status, body);
		const result = await run(create({}, { retries: 3 }));
		expect(result.error?.message).toBe(message);
		expect(creates()).toHaveLength(1);
	});
});

describe('Generate', () => {
	it('creates, waits, downloads: the task JSON with the file beside it', async () => {
		const result = await run({ ...create(), operation: 'generate', variant: 'video', binaryPropertyName: 'data', options: { pollInterval: 1, retryDelay: 1 } });
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(item.json).toMatchObject({ id: 'video_new', status: 'completed', progress: 100 });
		expect(fileFacts(item)).toEqual({ taskId: 'video_new', variant: 'video', fileName: 'video_new.mp4', mimeType: 'video/mp4', fileSize: video.length });
		expect(Buffer.compare(await readBinary(item), video)).toBe(0);
		expect(creates()).toHaveLength(1);
	});

	it('a task that fails after the create says so, with the task ID to pick it up', async () => {
		onCreate = (_req, res) => json(res, 200, { ...queued, id: 'video_bad' });
		const result = await run({ ...create(), operation: 'generate', variant: 'video', binaryPropertyName: 'data', options: { pollInterval: 1 } });
		expect(result.error?.message).toBe('Task "video_bad" failed at OpenAI-Compatible Gateway: Output blocked by moderation (moderation_blocked)');
		expect((result.error as { description?: string }).description).toMatch(/The task was created \(ID "video_bad"\)/);
		expect(creates()).toHaveLength(1);
	});
});

describe('Remix and Delete', () => {
	it('Remix posts the new prompt and outputs the new task, naming its source', async () => {
		const result = await run({ operation: 'remix', taskId: 'video_done', prompt: 'at night' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ id: 'video_remix', status: 'queued', prompt: 'at night', remixedFromVideoId: 'video_done' });
		const request = received.find((entry) => entry.path === '/v1/videos/video_done/remix');
		expect(JSON.parse(request!.body.toString())).toEqual({ prompt: 'at night' });
	});

	it('Delete outputs {id, deleted}', async () => {
		const result = await run({ operation: 'delete', taskId: 'video_done' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ id: 'video_done', deleted: true });
	});

	it.each(['remix', 'delete'])('%s is refused before any request for a provider without it', async (operation) => {
		const result = await run({ operation, taskId: 'video_done', prompt: 'x' }, undefined, 'opeAi');
		expect(result.error?.message).toMatch(/^OpeAI has no endpoint that (remixes|deletes) videos$/);
		expect(received).toHaveLength(0);
	});
});

describe('Extend', () => {
	const extensions = () => received.filter((request) => request.path === '/v1/videos/extensions');

	it('posts OpenAI\'s JSON body {prompt, seconds, video: {id}} once and outputs the new task', async () => {
		const result = await run({ operation: 'extend', taskId: 'video_done', prompt: 'the sun sets', seconds: '8' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ id: 'video_longer', status: 'queued', prompt: 'the sun sets' });
		expect(extensions()).toHaveLength(1);
		expect(extensions()[0].contentType).toBe('application/json');
		expect(JSON.parse(extensions()[0].body.toString())).toEqual({ prompt: 'the sun sets', seconds: '8', video: { id: 'video_done' } });
	});

	it('always sends Seconds (OpenAI\'s document requires it): 4 when left as it is', async () => {
		await run({ operation: 'extend', taskId: 'video_done', prompt: 'the sun sets' });
		expect(JSON.parse(extensions()[0].body.toString())).toEqual({ prompt: 'the sun sets', seconds: '4', video: { id: 'video_done' } });
	});

	it.each([
		['an empty prompt', { taskId: 'video_done', prompt: '  ' }, 'The prompt is empty'],
		['a blank task ID', { taskId: '   ', prompt: 'x' }, 'The Task ID is empty'],
	])('%s is refused before any request', async (_name, parameters, message) => {
		const result = await run({ operation: 'extend', ...parameters });
		expect(result.error?.message).toBe(message);
		expect(received).toHaveLength(0);
	});

	it('a provider without the route (VoidAI) is refused before any request, naming the one that has it', async () => {
		const result = await run({ operation: 'extend', taskId: 'video_done', prompt: 'x' }, undefined, 'voidAi');
		expect(result.error?.message).toBe('VoidAI has no endpoint that extends videos');
		expect((result.error as { description?: string }).description).toMatch(/OpenAI-Compatible Gateway/);
		expect(received).toHaveLength(0);
	});

	it('a gateway answering "Invalid URL" lacks the route; a 500 is never resent (the extension may be paid for)', async () => {
		onExtend = (_req, res) => json(res, 404, { error: { message: 'Invalid URL (POST /v1/videos/extensions)', type: 'invalid_request_error' } });
		const missing = await run({ operation: 'extend', taskId: 'video_done', prompt: 'x' });
		expect(missing.error?.message).toBe('OpenAI-Compatible Gateway has no endpoint that extends videos (HTTP 404 for POST /videos/extensions)');
		received.length = 0;
		onExtend = (_req, res) => json(res, 500, { error: { message: 'upstream failed' } });
		const failed = await run({ operation: 'extend', taskId: 'video_done', prompt: 'x', options: { retries: 3, retryDelay: 1 } });
		expect(failed.error).toBeDefined();
		expect(extensions()).toHaveLength(1);
	});
});

describe('Model: From List', () => {
	it("offers the gateway's video models (not its chat or audio ones), filtered by the search text", async () => {
		const search = async (filter?: string) =>
			await searchList({
				nodeType: 'soraVideo',
				method: 'searchModels',
				parameters: { provider: 'openAiCompatible', operation: 'create' },
				credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
				filter,
			});
		expect((await search()).results.map((result) => result.value)).toEqual(['kling-v2', 'sora-2', 'sora-2-pro', 'veo-3']);
		expect((await search('SORA')).results.map((result) => result.value)).toEqual(['sora-2', 'sora-2-pro']);
	});
});

describe('a gateway without the route', () => {
	it.each<[string, string, string]>([
		['delete', 'DELETE', 'OpenAI-Compatible Gateway has no endpoint that deletes videos (HTTP 404 for DELETE /videos/{id})'],
		['remix', 'POST', 'OpenAI-Compatible Gateway has no endpoint that remixes videos (HTTP 404 for POST /videos/{id}/remix)'],
	])('%s answered "Invalid URL" says the endpoint is missing, not that the base URL is wrong', async (operation, method, message) => {
		const path = operation === 'delete' ? '/v1/videos/video_old' : '/v1/videos/video_old/remix';
		record(method, path, (_req, res) => json(res, 404, { error: { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error' } }));
		const result = await run({ operation, taskId: 'video_old', prompt: 'x' });
		expect(result.error?.message).toBe(message);
	});

	it('Custom API Call (offered by the editor for every node with a credential) gets a clear error', async () => {
		const result = await run({ operation: '__CUSTOM_API_CALL__' });
		expect(result.error?.message).toBe('Custom API Call is not an operation of the Sora Video node');
		expect(received).toHaveLength(0);
	});
});
