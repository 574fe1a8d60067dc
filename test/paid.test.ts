/**
 * Nothing paid for that cannot be delivered, and the task ID always reaches the user: Generate, Create, Remix and
 * Delete in n8n's real engine against a recording server on 127.0.0.1.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import type { INodeExecutionData, INodeParameters, INodeProperties } from 'n8n-workflow';

import { retryOptionsFrom } from '../nodes/shared/descriptions';
import { waitSettings } from '../nodes/SoraVideo/operations/common';
import { SoraVideo } from '../nodes/SoraVideo/SoraVideo.node';
import { startTimer } from '../nodes/shared/timers';
import { sleep } from '../nodes/shared/transport';
import type { EngineRunOptions } from './harness/engine';
import { runNode, useBinaryMode } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';
import { KEY } from './harness/sora';

let server: TestServer;
const video = fakeMp4(50_000);
const queued = { id: 'video_new', object: 'video', model: 'sora-2', status: 'queued', progress: 0, created_at: 1762499410 };

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;
let onCreate: Behaviour;
let onStatus: Behaviour;
let onDelete: Behaviour;
const received: Array<{ method: string; path: string }> = [];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

function record(method: string, path: string, handler: () => Behaviour): void {
	server.route(method, path, (req, res) => {
		req.resume();
		req.on('end', () => {
			received.push({ method, path });
			handler()(req, res);
		});
	});
}

beforeAll(async () => {
	await useBinaryMode('filesystem');
	server = await startServer();
	record('POST', '/v1/videos', () => onCreate);
	record('GET', '/v1/videos/video_new', () => onStatus);
	record('DELETE', '/v1/videos/video_done', () => onDelete);
	record('GET', '/v1/videos/video_new/content', () => (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(video.length) });
		res.end(video);
	});
});

afterAll(async () => {
	await server.close();
});

beforeEach(() => {
	received.length = 0;
	onCreate = (_req, res) => json(res, 200, queued);
	onStatus = (_req, res) => json(res, 200, { ...queued, status: 'completed', progress: 100 });
	onDelete = (_req, res) => json(res, 200, { id: 'video_done', object: 'video.deleted', deleted: true });
});

const creates = () => received.filter((request) => request.method === 'POST' && request.path === '/v1/videos');

async function run(parameters: INodeParameters, extra: Partial<EngineRunOptions> & { provider?: string; items?: INodeExecutionData[] } = {}) {
	const provider = extra.provider ?? 'openAiCompatible';
	const credentialName = provider === 'openAiCompatible' ? 'openAiCompatibleVideoApi' : `${provider}Api`;
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider, ...parameters },
		credentials: { [credentialName]: { apiKey: KEY, baseUrl: server.url, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
		items: extra.items,
		onError: extra.onError,
		continueOnFail: extra.onError !== undefined,
		cancelAfterMs: extra.cancelAfterMs,
	});
}

const generate = (extra: INodeParameters = {}, options: INodeParameters = {}): INodeParameters => ({
	operation: 'generate',
	model: { __rl: true, mode: 'id', value: 'sora-2' },
	prompt: 'clouds',
	variant: 'video',
	binaryPropertyName: 'data',
	options: { pollInterval: 1, retryDelay: 1, ...options },
	...extra,
});

const description = (error: Error | undefined) => (error as { description?: string } | undefined)?.description ?? '';
const contextOf = (error: Error | undefined) => (error as { context?: Record<string, unknown> } | undefined)?.context ?? {};

describe('everything Generate needs is checked before the (paid) create', () => {
	it.each<[string, string, INodeParameters, INodeParameters, RegExp]>([
		['the Thumbnail variant on a provider without variants (OpeAI)', 'opeAi', { variant: 'thumbnail' }, {}, /^OpeAI does not offer the "thumbnail" variant$/],
		['a variant no provider has (set by expression)', 'openAiCompatible', { variant: '={{ "poster" }}' }, {}, /"poster" is not a variant/],
		['an Also Download value no provider has', 'openAiCompatible', {}, { alsoDownload: ['video', 'poster'] }, /"poster" is not a variant/],
		['two files into one binary field', 'openAiCompatible', { binaryPropertyName: 'thumbnail' }, { alsoDownload: ['thumbnail'] }, /binary field "thumbnail"/],
		['a Poll Interval that is not a number', 'openAiCompatible', {}, { pollInterval: '={{ "soon" }}' }, /Poll Interval/],
		['a Max Wait that is not a number', 'openAiCompatible', {}, { maxWait: '={{ "long" }}' }, /Max Wait/],
		['a Timeout that is not a number', 'openAiCompatible', {}, { timeout: '={{ "x" }}' }, /Timeout/],
	])('%s is refused before any request', async (_name, provider, extra, options, message) => {
		const result = await run(generate(extra, options), { provider });
		expect(result.error?.message).toMatch(message);
		expect(description(result.error)).toMatch(/Nothing was sent to the provider/);
		expect(received).toHaveLength(0);
	});

	it('Also Download saved for a provider without variants is not shown, so n8n does not pass it on: the video alone, one create', async () => {
		const result = await run(generate({}, { alsoDownload: ['spritesheet'] }), { provider: 'opeAi' });
		expect(result.error).toBeUndefined();
		expect(Object.keys(result.items[0].binary ?? {})).toEqual(['data']);
		expect(creates()).toHaveLength(1);
	});

	it('Remix with a task ID no provider could issue is refused before any request', async () => {
		const result = await run({ operation: 'remix', taskId: 'video/../x', prompt: 'at night' });
		expect(result.error?.message).toMatch(/is not a valid Task ID/);
		expect(received).toHaveLength(0);
	});

	it('Create with a Timeout that is not a number is refused before any request', async () => {
		const result = await run({ operation: 'create', model: { __rl: true, mode: 'id', value: 'sora-2' }, prompt: 'clouds', options: { timeout: '={{ "x" }}' } });
		expect(result.error?.message).toMatch(/Timeout/);
		expect(received).toHaveLength(0);
	});
});

describe("Generate's failures after the create carry the task ID", () => {
	const failedTask = (_req: IncomingMessage, res: ServerResponse) =>
		json(res, 200, { ...queued, status: 'failed', error: { code: 'moderation_blocked', message: 'Output blocked by moderation' } });

	it('stopping the workflow: the ID is in the message and in the error context', async () => {
		onStatus = (_req, res) => json(res, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } });
		const result = await run(generate({}, { retries: 0 }));
		expect(result.error?.message).toMatch(/"video_new"/);
		expect(contextOf(result.error).taskId).toBe('video_new');
		expect(description(result.error)).toMatch(/The task was created \(ID "video_new"\)/);
		expect(creates()).toHaveLength(1);
	});

	it('Continue (regular output): the error item has `taskId`, and stays in the one output', async () => {
		onStatus = failedTask;
		const result = await run(generate(), { onError: 'continueRegularOutput' });
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(1);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toEqual({
			error: 'Task "video_new" failed at OpenAI-Compatible Gateway: Output blocked by moderation (moderation_blocked)',
			details: expect.stringMatching(/The task was created \(ID "video_new"\)/),
			taskId: 'video_new',
		});
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('Continue (using error output): the item leaves through the error output, the ID in its message and details', async () => {
		onStatus = failedTask;
		const result = await run(generate(), { onError: 'continueErrorOutput', items: [{ json: { row: 1 } }] });
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(2);
		const [success, failure] = result.outputs;
		expect(success).toHaveLength(0);
		expect(failure).toHaveLength(1);
		expect(failure[0].json.error).toMatch(/"video_new"/);
		expect(failure[0].json.details).toMatch(/The task was created \(ID "video_new"\)/);
	});

	it('a wait that times out names the task (message and context)', async () => {
		onStatus = (_req, res) => json(res, 200, { ...queued, status: 'in_progress', progress: 40 });
		const result = await run(generate({}, { maxWait: 0.1, pollInterval: 2 }), { onError: 'continueRegularOutput' });
		expect(result.items[0].json).toMatchObject({ taskId: 'video_new', error: expect.stringMatching(/^Task "video_new" did not finish within 6 s; last status seen: in_progress, 40%/) });
	}, 20_000);

	it('Stop during the wait: cancelled at once, and the message names the created task', async () => {
		onStatus = (_req, res) => json(res, 200, { ...queued, status: 'in_progress', progress: 10 });
		const started = Date.now();
		const result = await run(generate({}, { pollInterval: 60 }), { onError: 'continueRegularOutput', cancelAfterMs: 700 });
		expect(Date.now() - started).toBeLessThan(5000);
		expect(result.run?.status).toBe('canceled');
		expect(result.error?.message).toMatch(/^The execution was cancelled\b.*"video_new"/);
		expect(contextOf(result.error).taskId).toBe('video_new');
	});

	it.each(['generate', 'create'])('Stop while the %s request waits for its answer says a task may exist', async (operation) => {
		onCreate = () => {
			// Takes the create, never answers.
		};
		const result = await run({ ...generate(), operation }, { cancelAfterMs: 700 });
		expect(result.run?.status).toBe('canceled');
		expect(result.error?.message).toMatch(/^The execution was cancelled\b.*may have created a task/);
		expect(description(result.error)).toMatch(/check whether a task with this prompt exists/);
		expect(creates()).toHaveLength(1);
	});
});

describe('Delete', () => {
	it('a retry that finds the task gone after the first answer was lost is a success', async () => {
		let calls = 0;
		onDelete = (req, res) => {
			calls++;
			if (calls === 1) req.socket.destroy();
			else json(res, 404, { error: { message: "Video with id 'video_done' not found.", type: 'invalid_request_error', param: 'video_id', code: null } });
		};
		const result = await run({ operation: 'delete', taskId: 'video_done', options: { retries: 2, retryDelay: 1 } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ id: 'video_done', deleted: true, alreadyGone: true });
		expect(calls).toBe(2);
	});

	it('the same after a 5xx', async () => {
		let calls = 0;
		onDelete = (_req, res) => (++calls === 1 ? json(res, 502, { error: { message: 'bad gateway' } }) : json(res, 404, { error: { message: 'video not found', code: 'video_not_found' } }));
		const result = await run({ operation: 'delete', taskId: 'video_done', options: { retries: 2, retryDelay: 1 } });
		expect(result.items[0].json).toEqual({ id: 'video_done', deleted: true, alreadyGone: true });
	});

	it('a 404 on the first try (or after a 429, which proves nothing was done) is still "not found"', async () => {
		let calls = 0;
		onDelete = (_req, res) => (++calls === 1 ? json(res, 429, { error: { message: 'slow down' } }, { 'Retry-After': '0' }) : json(res, 404, { error: { message: 'video not found', code: 'video_not_found' } }));
		const result = await run({ operation: 'delete', taskId: 'video_done', options: { retries: 2, retryDelay: 1 } });
		expect(result.error?.message).toBe('Task "video_done" was not found at OpenAI-Compatible Gateway (HTTP 404)');
	});
});

/** Every numeric parameter of the Sora Video node, top-level or inside a collection. */
function numericProperties(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => {
		if (property.type === 'number') return [property];
		if (property.type === 'collection' || property.type === 'fixedCollection') return numericProperties((property.options ?? []) as INodeProperties[]);
		return [];
	});
}

describe('numeric options are bounded in the editor and in code', () => {
	it('every numeric option of the action node has an editor minimum and maximum', () => {
		const numeric = numericProperties(new SoraVideo().description.properties);
		expect(new Set(numeric.map((property) => property.name))).toEqual(new Set(['retries', 'retryDelay', 'timeout', 'pollInterval', 'maxWait', 'limit']));
		for (const property of numeric) {
			expect([property.name, typeof property.typeOptions?.minValue, typeof property.typeOptions?.maxValue]).toEqual([property.name, 'number', 'number']);
			expect(property.default).toBeGreaterThanOrEqual(property.typeOptions!.minValue!);
			expect(property.default).toBeLessThanOrEqual(property.typeOptions!.maxValue!);
		}
	});

	it('the request options are clamped to what the editor offers', () => {
		const huge = retryOptionsFrom({ retries: 1e9, retryDelay: 1e12, timeout: 3_000_000 });
		expect(huge).toMatchObject({ maxRetries: 10, retryDelayMs: 60_000, timeoutMs: 3_600_000 });
		const tiny = retryOptionsFrom({ retries: -3, retryDelay: -1, timeout: 0 });
		expect(tiny).toMatchObject({ maxRetries: 0, retryDelayMs: 0, timeoutMs: 1000 });
		expect(retryOptionsFrom({ retries: 2.7 }).maxRetries).toBe(2);
		expect(waitSettings({ pollInterval: 1e12, maxWait: 1e12 })).toEqual({ intervalMs: 3_600_000, maxWaitMs: 1440 * 60_000 });
		expect(waitSettings({ pollInterval: 0, maxWait: 0 })).toEqual({ intervalMs: 1000, maxWaitMs: 6000 });
	});

	it("the shared timer and sleeps never fire early, whatever the delay (Node's timers overflow past 2^31-1 ms)", async () => {
		let fired = false;
		const timer = startTimer(3_000_000_000, () => {
			fired = true;
		});
		let slept = false;
		const controller = new AbortController();
		const sleeping = sleep(3_000_000_000, controller.signal, { name: 'n' } as never).then(
			() => (slept = true),
			() => undefined,
		);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(fired).toBe(false);
		expect(slept).toBe(false);
		timer.cancel();
		controller.abort();
		await sleeping;
	});

	it('a Timeout of 3,000,000 s waits for a create that takes 300 ms (it used to report "may have created a task" at once)', async () => {
		onCreate = (_req, res) => {
			setTimeout(() => json(res, 200, queued), 300);
		};
		const result = await run({ operation: 'create', model: { __rl: true, mode: 'id', value: 'sora-2' }, prompt: 'clouds', options: { timeout: 3_000_000 } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.id).toBe('video_new');
		expect(creates()).toHaveLength(1);
	});

	it('a Limit that is not a number is refused; one below 1 is 1', async () => {
		server.route('GET', '/v1/videos', (_req, res) => json(res, 200, { object: 'list', data: [queued, { ...queued, id: 'video_2' }], has_more: false }));
		const refused = await run({ operation: 'list', returnAll: false, limit: '={{ "many" }}' });
		expect(refused.error?.message).toMatch(/Limit/);
		const one = await run({ operation: 'list', returnAll: false, limit: '={{ -5 }}' });
		expect(one.error).toBeUndefined();
		expect(one.items.map((item) => item.json.id)).toEqual(['video_new']);
	});
});
