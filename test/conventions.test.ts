/**
 * n8n's conventions, as n8n's own engine applies them (WorkflowExecute, real sockets on 127.0.0.1):
 * the error output, items that keep what came in, and Stop that is never swallowed.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readBinary, runNode, useBinaryMode } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';
import { fileFacts, KEY } from './harness/sora';

let server: TestServer;
const video = fakeMp4(300_000);
const task = { id: 'video_ok', object: 'video', model: 'sora-2', status: 'completed', progress: 100, created_at: 1762499410, completed_at: 1762499510, expires_at: 4102444800 };

function json(res: import('http').ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json' });
	res.end(JSON.stringify(body));
}

beforeAll(async () => {
	await useBinaryMode('filesystem');
	server = await startServer();
	server.route('GET', '/v1/videos/video_ok', (_req, res) => json(res, 200, task));
	server.route('GET', '/v1/videos/video_ok/content', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(video.length) });
		res.end(video);
	});
	server.route('GET', '/v1/videos/video_missing', (_req, res) => json(res, 404, { error: { message: 'video not found', code: 'video_not_found' } }));
	server.route('GET', '/v1/videos/video_missing/content', (_req, res) => json(res, 404, { error: { message: 'video not found', code: 'video_not_found' } }));
	server.route('GET', '/v1/videos', (_req, res) => json(res, 200, { object: 'list', data: [task], has_more: false }));
	// Answers that never finish: headers and a first byte, then nothing.
	const hang = (type: string) => (_req: unknown, res: import('http').ServerResponse) => {
		res.writeHead(200, type === 'video/mp4' ? { 'Content-Type': type, 'Content-Length': '10000000' } : { 'Content-Type': type });
		res.write(type === 'video/mp4' ? video.subarray(0, 100_000) : '{"id":');
	};
	server.route('GET', '/v1/videos/video_slow', hang('application/json'));
	server.route('GET', '/v1/videos/video_slow/content', hang('video/mp4'));
	server.route('GET', '/v2/videos', hang('application/json'));
});

afterAll(async () => {
	await server.close();
});

const credentials = (baseUrl = server.url) => ({ openAiCompatibleVideoApi: { apiKey: KEY, baseUrl, headerName: 'Authorization', headerPrefix: 'Bearer ' } });

async function run(parameters: INodeParameters, items: INodeExecutionData[], extra: { onError?: 'continueErrorOutput' | 'continueRegularOutput'; cancelAfterMs?: number; baseUrl?: string } = {}) {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', ...parameters },
		credentials: credentials(extra.baseUrl),
		items,
		onError: extra.onError,
		continueOnFail: extra.onError !== undefined,
		cancelAfterMs: extra.cancelAfterMs,
	});
}

describe('On Error: Continue (using error output)', () => {
	const two = [{ json: { id: 'video_ok' } }, { json: { id: 'video_missing' } }];

	it.each<[string, INodeParameters]>([
		['Get Status', { operation: 'getStatus', taskId: '={{ $json.id }}' }],
		['Download Content', { operation: 'downloadContent', taskId: '={{ $json.id }}', variant: 'video', binaryPropertyName: 'data' }],
	])('%s: the failed item leaves through the error output, the good one through the success output', async (_name, parameters) => {
		const result = await run({ ...parameters, options: { retries: 0 } }, two, { onError: 'continueErrorOutput' });
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(2);
		const [success, failure] = result.outputs;
		expect(success).toHaveLength(1);
		expect(success[0].pairedItem).toEqual({ item: 0 });
		expect(failure).toHaveLength(1);
		expect(failure[0].pairedItem).toEqual({ item: 1 });
		expect(failure[0].json.error).toBe('Task "video_missing" was not found at OpenAI-Compatible Gateway (HTTP 404)');
		expect(failure[0].json.details).toMatch(/^Check the task ID/);
	});

	it('List: an unusable provider answer leaves through the error output', async () => {
		const result = await run({ operation: 'list', returnAll: false, limit: 5, options: { retries: 0 } }, [{ json: {} }], { onError: 'continueErrorOutput', baseUrl: `${server.origin}/nowhere` });
		expect(result.outputs[0]).toHaveLength(0);
		expect(result.outputs[1]).toHaveLength(1);
		expect(Object.keys(result.outputs[1][0].json).sort()).toEqual(['details', 'error']);
	});

	it('Continue (regular output): the error item stays in the one output, with the same message and details', async () => {
		const result = await run({ operation: 'getStatus', taskId: '={{ $json.id }}', options: { retries: 0 } }, two, { onError: 'continueRegularOutput' });
		expect(result.outputs).toHaveLength(1);
		expect(result.items.map((item) => item.json.error ?? item.json.status)).toEqual(['completed', 'Task "video_missing" was not found at OpenAI-Compatible Gateway (HTTP 404)']);
		expect(result.items[1].json.details).toMatch(/^Check the task ID/);
	});
});

describe('Download Content keeps the input item', () => {
	it("keeps the item's JSON fields and other binaries, adds the file and puts its facts under soraVideoFiles", async () => {
		const cover = await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId: 'video_ok', variant: 'video', binaryPropertyName: 'cover' },
			credentials: credentials(),
		});
		const input: INodeExecutionData = {
			json: { id: 'video_ok', title: 'My clip', fileName: 'keep-me.txt', status: 'user value', nested: { a: 1 } },
			binary: { cover: cover.items[0].binary!.cover },
		};
		const result = await run({ operation: 'downloadContent', taskId: '={{ $json.id }}', variant: 'video', binaryPropertyName: 'data' }, [input]);
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(item.json).toMatchObject({ id: 'video_ok', title: 'My clip', fileName: 'keep-me.txt', status: 'user value', nested: { a: 1 } });
		expect(Object.keys(item.binary ?? {}).sort()).toEqual(['cover', 'data']);
		expect(Buffer.compare(await readBinary(item, 'data'), video)).toBe(0);
		expect(Buffer.compare(await readBinary(item, 'cover'), video)).toBe(0);
		expect(fileFacts(item)).toEqual({ taskId: 'video_ok', variant: 'video', fileName: 'video_ok.mp4', mimeType: 'video/mp4', fileSize: video.length });
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('a second download into another field adds its facts beside the first', async () => {
		const first = await run({ operation: 'downloadContent', taskId: 'video_ok', variant: 'video', binaryPropertyName: 'data' }, [{ json: { id: 'video_ok' } }]);
		const second = await run({ operation: 'downloadContent', taskId: 'video_ok', variant: 'video', binaryPropertyName: 'copy' }, first.items);
		expect(Object.keys(second.items[0].json.soraVideoFiles as object).sort()).toEqual(['copy', 'data']);
		expect(Object.keys(second.items[0].binary ?? {}).sort()).toEqual(['copy', 'data']);
	});
});

describe('Stop is never swallowed, with Continue On Fail too', () => {
	// Every row names its base path: jest hands a test function with more parameters than the row a `done` callback.
	it.each<[string, INodeParameters, string]>([
		['Get Status (an answer that never finishes)', { operation: 'getStatus', taskId: 'video_slow' }, '/v1'],
		['Get Status, waiting for completion', { operation: 'getStatus', taskId: 'video_slow', options: { waitForCompletion: true, pollInterval: 60 } }, '/v1'],
		['Download Content (a body that never finishes)', { operation: 'downloadContent', taskId: 'video_slow', variant: 'video', binaryPropertyName: 'data' }, '/v1'],
		['List (an answer that never finishes)', { operation: 'list', returnAll: true }, '/v2'],
	])('%s ends at once and outputs nothing', async (_name, parameters, basePath) => {
		const started = Date.now();
		const items = [{ json: {} }, { json: {} }, { json: {} }];
		const result = await run({ ...parameters, options: { retries: 3, timeout: 60, ...((parameters.options as object) ?? {}) } }, items, {
			onError: 'continueRegularOutput',
			cancelAfterMs: 400,
			baseUrl: `${server.origin}${basePath}`,
		});
		expect(Date.now() - started).toBeLessThan(5000);
		expect(result.run?.status).toBe('canceled');
		expect(result.error?.message).toBe('The execution was cancelled');
		// No item was turned into an error item or a result: n8n passes the untouched input through on a cancelled node.
		expect(result.outputs.flat().map((item) => item.json)).toEqual(items.map(() => ({})));
	});
});
