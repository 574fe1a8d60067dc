/**
 * The provider simulator's create, remix and delete support, over real HTTP on 127.0.0.1: what it records of a
 * create (exact bytes of the reference image, its part type and name), each dialect's answer, tasks running on
 * the clock, the rejection switches and the faults that leave a created task without an answer.
 */
import { randomBytes } from 'crypto';
import { request } from 'http';
import { Readable } from 'stream';
import fc from 'fast-check';

import type { CreateRecord, CreateRejection } from '../simulator/lifecycle';
import { readMultipart } from '../simulator/multipart';
import type { Dialect } from '../simulator/simulator';
import { contentBytes, ProviderSimulator } from '../simulator/simulator';
import { png, sha256 } from './harness/bytes';

const KEY = 'sk-sim-create-test-key';
let sim: ProviderSimulator;

beforeEach(async () => {
	sim = new ProviderSimulator({ apiKey: KEY });
	await sim.start();
});

afterEach(async () => {
	await sim.stop();
});

/** A real (decodable) RGB PNG of width x height with noisy pixels, so it does not compress away. */
function noisyPng(width: number, height: number): Buffer {
	const noise = randomBytes(width * 3);
	return png(width, height, (i, y) => noise[(i + y * 7) % noise.length] + y);
}

const auth = { Authorization: `Bearer ${KEY}` };

async function createWithForm(dialect: Dialect, form: FormData): Promise<Response> {
	return await fetch(`${sim.baseUrl(dialect)}/videos`, { method: 'POST', headers: auth, body: form });
}

function form(fields: Record<string, string>, image?: { bytes: Buffer; type: string; name: string }): FormData {
	const data = new FormData();
	for (const [key, value] of Object.entries(fields)) data.append(key, value);
	if (image) data.append('input_reference', new Blob([image.bytes], { type: image.type }), image.name);
	return data;
}

async function createWithJson(dialect: Dialect, body: unknown): Promise<Response> {
	return await fetch(`${sim.baseUrl(dialect)}/videos`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

async function journal(): Promise<CreateRecord[]> {
	return (await (await fetch(`${sim.url}/_sim/creates`)).json()) as CreateRecord[];
}

async function control(path: string, body: unknown): Promise<Response> {
	return await fetch(`${sim.url}/_sim/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

async function status(dialect: Dialect, id: string): Promise<Record<string, unknown>> {
	return (await (await fetch(`${sim.baseUrl(dialect)}/videos/${id}`, { headers: auth })).json()) as Record<string, unknown>;
}

/** Sends a raw body in the given slices (each its own write), as a client streaming an upload does. */
async function rawPost(path: string, headers: Record<string, string>, slices: Buffer[]): Promise<{ status: number; body: string }> {
	return await new Promise((resolve, reject) => {
		const req = request(`${sim.url}${path}`, { method: 'POST', headers: { ...auth, ...headers } }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (part: string) => (text += part));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
		});
		req.on('error', reject);
		const writeNext = (index: number): void => {
			if (index >= slices.length) {
				req.end();
				return;
			}
			if (req.write(slices[index])) setImmediate(() => writeNext(index + 1));
			else req.once('drain', () => writeNext(index + 1));
		};
		writeNext(0);
	});
}

describe('create, multipart', () => {
	it('journals the form fields and the exact bytes, part type and file name of input_reference, and answers a queued task', async () => {
		const image = noisyPng(64, 48);
		const response = await createWithForm('voidai', form({ model: 'sora-2', prompt: 'A fox in the snow', size: '1280x720', seconds: '8', metadata: '{"duration":6}' }, { bytes: image, type: 'image/png', name: 'fox.png' }));
		expect(response.status).toBe(200);
		const task = (await response.json()) as Record<string, unknown>;
		expect(task).toMatchObject({ object: 'video', model: 'sora-2', status: 'queued', progress: 0, size: '1280x720', seconds: '8', prompt: 'A fox in the snow', remixed_from_video_id: null });
		expect(String(task.id)).toMatch(/^video_[0-9a-f]{32}$/);
		expect(typeof task.created_at).toBe('number');

		const [record] = await journal();
		expect(record).toMatchObject({
			kind: 'create',
			method: 'POST',
			path: '/voidai/v1/videos',
			dialect: 'voidai',
			bodyType: 'multipart',
			fields: { model: 'sora-2', prompt: 'A fox in the snow', size: '1280x720', seconds: '8', metadata: '{"duration":6}' },
			outcome: 'created',
			httpStatus: 200,
			taskId: task.id,
		});
		expect(record.contentType).toMatch(/^multipart\/form-data; boundary=/);
		expect(record.inputReference).toEqual({ field: 'input_reference', filename: 'fox.png', contentType: 'image/png', bytes: image.length, sha256: sha256(image), head: image.subarray(0, 16).toString('hex') });
		expect(record.files).toEqual([record.inputReference]);
		expect(sim.createJournal).toHaveLength(1);
	});

	it('reads a reference image of several MiB streamed in odd slices, with boundary look-alikes inside, byte for byte', async () => {
		const boundary = '----sim-boundary-7MA4YWxkTrZu0gW';
		const image = Buffer.concat([noisyPng(16, 16), randomBytes(3 * 1024 * 1024), Buffer.from(`\r\n--${boundary.slice(0, -1)}\r\n-${boundary}\r\n--\r\n-`), randomBytes(2 * 1024 * 1024 + 3)]);
		const body = Buffer.concat([
			Buffer.from(`preamble to ignore\r\n--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nTwo lines\r\nof prompt\r\n`),
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nsora-2-pro\r\n`),
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="input_reference"; filename="big \\"ref\\".jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
			image,
			Buffer.from(`\r\n--${boundary}--\r\nepilogue`),
		]);
		const slices: Buffer[] = [];
		const sizes = [1, 2, 3, 5, 7, 11, 13, 4096, 65_537, 100_003];
		for (let offset = 0, i = 0; offset < body.length; i++) {
			const size = sizes[i % sizes.length];
			slices.push(body.subarray(offset, offset + size));
			offset += size;
		}
		const answer = await rawPost('/voidai/v1/videos', { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, slices);
		expect(answer.status).toBe(200);
		const [record] = await journal();
		expect(record.fields).toEqual({ prompt: 'Two lines\r\nof prompt', model: 'sora-2-pro' });
		expect(record.inputReference).toMatchObject({ filename: 'big "ref".jpg', contentType: 'image/jpeg', bytes: image.length, sha256: sha256(image) });
		expect(JSON.parse(answer.body)).toMatchObject({ model: 'sora-2-pro', prompt: 'Two lines\r\nof prompt', status: 'queued' });
	});

	it('a body cut before its closing boundary is refused and journaled as unreadable', async () => {
		const boundary = 'cut-boundary';
		const answer = await rawPost('/voidai/v1/videos', { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, [
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhello`),
		]);
		expect(answer.status).toBe(400);
		expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_request' } });
		const [record] = await journal();
		expect(record).toMatchObject({ outcome: 'invalid', httpStatus: 400, taskId: null });
		expect(record.bodyError).toMatch(/closing boundary/);
		expect(sim.tasks.size).toBe(0);
	});
});

describe('the multipart reader', () => {
	it('gives back every part exactly, however the body is sliced', async () => {
		const part = fc.record({
			name: fc.stringMatching(/^[a-z_]{1,12}$/),
			file: fc.boolean(),
			bytes: fc.uint8Array({ maxLength: 600 }).map((array) => Buffer.from(array)),
		});
		await fc.assert(
			fc.asyncProperty(fc.array(part, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }), async (parts, cuts) => {
				const boundary = 'xYz-BOUND';
				// Boundary look-alikes inside the data.
				const data = parts.map((entry, index) => Buffer.concat([entry.bytes, index % 2 ? Buffer.from(`\r\n--${boundary.slice(0, 5)}`) : Buffer.alloc(0)]));
				const body = Buffer.concat([
					...parts.flatMap((entry, index) => [
						Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${entry.name}"${entry.file ? `; filename="f${index}.bin"\r\nContent-Type: application/octet-stream` : ''}\r\n\r\n`),
						data[index],
						Buffer.from('\r\n'),
					]),
					Buffer.from(`--${boundary}--\r\n`),
				]);
				const slices: Buffer[] = [];
				for (let offset = 0, i = 0; offset < body.length; i++) {
					slices.push(body.subarray(offset, offset + cuts[i % cuts.length]));
					offset += cuts[i % cuts.length];
				}
				const seen: Array<{ name: string; filename: string | null; bytes: Buffer }> = [];
				await readMultipart(Readable.from(slices), boundary, (headers) => {
					const chunks: Buffer[] = [];
					return {
						data: (bytes) => chunks.push(Buffer.from(bytes)),
						end: () => seen.push({ name: headers.name, filename: headers.filename, bytes: Buffer.concat(chunks) }),
					};
				});
				expect(seen).toEqual(parts.map((entry, index) => ({ name: entry.name, filename: entry.file ? `f${index}.bin` : null, bytes: data[index] })));
			}),
			{ numRuns: 200 },
		);
	});
});

describe('create, JSON and every dialect', () => {
	it('takes a JSON body, input_reference as {image_url}, and journals its values as sent', async () => {
		const response = await createWithJson('openai', { model: 'sora-2', prompt: 'Waves', size: '720x1280', seconds: '4', input_reference: { image_url: 'https://example.test/ref.png' } });
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ object: 'video', status: 'queued', progress: 0, size: '720x1280', seconds: '4' });
		const [record] = await journal();
		expect(record).toMatchObject({ bodyType: 'json', contentType: 'application/json', fields: { input_reference: { image_url: 'https://example.test/ref.png' } }, inputReference: null, files: [] });
	});

	it('answers in each dialect its own words', async () => {
		const opeai = (await (await createWithJson('opeai', { prompt: 'p', model: 'sora-2' })).json()) as Record<string, unknown>;
		expect(opeai).toMatchObject({ status: 'QUEUED', object: 'video', model: 'sora-2' });
		const newapi = (await (await createWithForm('newapi', form({ prompt: 'p', model: 'veo-3' }))).json()) as { code: string; data: Record<string, unknown> };
		expect(newapi).toMatchObject({ code: 'success', data: { status: 'queued', progress: '0%' } });
		expect(String(newapi.data.task_id)).toMatch(/^task_[A-Za-z0-9]{24}$/);
		for (const dialect of ['wisdomgate', 'ezmodel', 'voidai', 'openai'] as const) {
			expect(await (await createWithJson(dialect, { prompt: 'p' })).json()).toMatchObject({ object: 'video', status: 'queued', progress: 0, model: 'sora-2' });
		}
		// The task is one task, whatever dialect then asks about it.
		expect(await status('voidai', String(newapi.data.task_id))).toMatchObject({ model: 'veo-3', status: 'queued' });
	});

	it('refuses a body that is neither multipart nor JSON, and a create without a prompt', async () => {
		const text = await fetch(`${sim.baseUrl('voidai')}/videos`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: 'a fox' });
		expect(text.status).toBe(400);
		expect(await text.json()).toMatchObject({ error: { code: 'unsupported_content_type' } });
		const noPrompt = await createWithForm('voidai', form({ model: 'sora-2' }));
		expect(noPrompt.status).toBe(400);
		expect(await noPrompt.json()).toEqual({ error: { message: "Missing required parameter: 'prompt'.", type: 'invalid_request_error', param: 'prompt', code: 'missing_required_parameter' } });
		expect((await journal()).map((record) => record.outcome)).toEqual(['invalid', 'invalid']);
		expect(sim.tasks.size).toBe(0);
	});

	it('checks the API key like every other route', async () => {
		const response = await fetch(`${sim.baseUrl('voidai')}/videos`, { method: 'POST', headers: { Authorization: 'Bearer sk-wrong', 'Content-Type': 'application/json' }, body: '{"prompt":"p"}' });
		expect(response.status).toBe(401);
		expect(sim.tasks.size).toBe(0);
	});

	it('lists models, video and others', async () => {
		const response = await fetch(`${sim.baseUrl('voidai')}/models`, { headers: auth });
		const body = (await response.json()) as { object: string; data: Array<{ id: string; object: string; owned_by: string }> };
		expect(body.object).toBe('list');
		expect(body.data).toEqual(expect.arrayContaining([
			expect.objectContaining({ id: 'sora-2', object: 'model', owned_by: 'openai' }),
			expect.objectContaining({ id: 'gpt-4o', object: 'model' }),
			expect.objectContaining({ id: 'veo-3', object: 'model' }),
		]));
	});
});

describe('created tasks run on the clock', () => {
	async function waitForStatus(dialect: Dialect, id: string, want: string, field = 'status'): Promise<Record<string, unknown>> {
		const deadline = Date.now() + 5000;
		for (;;) {
			const body = await status(dialect, id);
			const value = dialect === 'newapi' ? (body.data as Record<string, unknown>)[field] : body[field];
			if (value === want) return body;
			if (Date.now() > deadline) throw new Error(`still ${String(value)}`);
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
	}

	it('queued, then in_progress with growing progress, then completed, and the file is served', async () => {
		expect((await (await control('creates/settings', { durationMs: 900, queuedMs: 300, contentBytes: 70_001 })).json())).toMatchObject({ durationMs: 900, queuedMs: 300, contentBytes: 70_001 });
		const created = (await (await createWithJson('voidai', { prompt: 'Clouds' })).json()) as { id: string };
		const notYet = await fetch(`${sim.baseUrl('voidai')}/videos/${created.id}/content`, { headers: auth });
		expect(notYet.status).toBe(400);
		const running = await waitForStatus('voidai', created.id, 'in_progress');
		expect(running.progress).toBeGreaterThanOrEqual(1);
		expect(running.progress).toBeLessThanOrEqual(99);
		const done = await waitForStatus('voidai', created.id, 'completed');
		expect(done).toMatchObject({ progress: 100, error: null });
		const file = Buffer.from(await (await fetch(`${sim.baseUrl('voidai')}/videos/${created.id}/content`, { headers: auth })).arrayBuffer());
		expect(file.equals(contentBytes(created.id, 'video', 70_001))).toBe(true);
	});

	it('ends failed when the settings say so, with the failure reason', async () => {
		sim.setCreateSettings({ durationMs: 200, queuedMs: 50, outcome: 'failed', failReason: 'Generation failed: too many fingers' });
		const created = (await (await createWithForm('newapi', form({ prompt: 'Hands' }))).json()) as { data: { task_id: string } };
		const failed = await waitForStatus('newapi', created.data.task_id, 'failed');
		expect(failed).toMatchObject({ code: 'success', data: { fail_reason: 'Generation failed: too many fingers' } });
	});
});

describe('remix and delete', () => {
	it('remixes a completed task into a new task that names its source', async () => {
		sim.addTask({ id: 'video_src', model: 'sora-2-pro', size: '1792x1024', seconds: '12' });
		const response = await fetch(`${sim.baseUrl('voidai')}/videos/video_src/remix`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'Same, at night' }) });
		expect(response.status).toBe(200);
		const remix = (await response.json()) as Record<string, unknown>;
		expect(remix).toMatchObject({ status: 'queued', model: 'sora-2-pro', size: '1792x1024', seconds: '12', prompt: 'Same, at night', remixed_from_video_id: 'video_src' });
		expect(remix.id).not.toBe('video_src');
		expect(await status('voidai', String(remix.id))).toMatchObject({ remixed_from_video_id: 'video_src' });
		const [record] = await journal();
		expect(record).toMatchObject({ kind: 'remix', sourceId: 'video_src', path: '/voidai/v1/videos/video_src/remix', fields: { prompt: 'Same, at night' }, outcome: 'created', taskId: remix.id });
	});

	it('refuses to remix an unknown task (each dialect its not-found) or one not completed', async () => {
		sim.addTask({ id: 'video_busy', forced: 'in_progress' });
		const remix = async (dialect: Dialect, id: string) => await fetch(`${sim.baseUrl(dialect)}/videos/${id}/remix`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"prompt":"x"}' });
		expect((await remix('voidai', 'nope')).status).toBe(404);
		const newapi = await remix('newapi', 'nope');
		expect(newapi.status).toBe(400);
		expect(await newapi.json()).toEqual({ code: 'task_not_exist', message: 'task_not_exist', data: null });
		const busy = await remix('voidai', 'video_busy');
		expect(busy.status).toBe(400);
		expect(await busy.json()).toMatchObject({ error: { message: expect.stringContaining('not completed yet (status: in_progress)') } });
		expect(sim.tasks.size).toBe(1);
	});

	it('deletes a task (then it is not found); new-api has no delete route', async () => {
		sim.addTask({ id: 'video_old' });
		const deleted = await fetch(`${sim.baseUrl('voidai')}/videos/video_old`, { method: 'DELETE', headers: auth });
		expect(deleted.status).toBe(200);
		expect(await deleted.json()).toEqual({ id: 'video_old', object: 'video.deleted', deleted: true });
		expect((await fetch(`${sim.baseUrl('voidai')}/videos/video_old`, { headers: auth })).status).toBe(404);
		expect((await fetch(`${sim.baseUrl('openai')}/videos/video_old`, { method: 'DELETE', headers: { 'api-key': KEY } })).status).toBe(404);

		sim.addTask({ id: 'task_kept' });
		const newapi = await fetch(`${sim.baseUrl('newapi')}/videos/task_kept`, { method: 'DELETE', headers: auth });
		expect(newapi.status).toBe(404);
		expect(await newapi.json()).toMatchObject({ error: { message: 'Invalid URL (DELETE /newapi/v1/videos/task_kept)' } });
		expect(sim.tasks.has('task_kept')).toBe(true);
	});
});

describe('extensions (POST /videos/extensions, the openai dialect)', () => {
	const extend = async (dialect: Dialect, body: unknown) =>
		await fetch(`${sim.baseUrl(dialect)}/videos/extensions`, { method: 'POST', headers: { 'api-key': KEY, ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

	it('extends a completed video named in the body into a new task: its source plus the added seconds', async () => {
		sim.addTask({ id: 'video_src', model: 'sora-2', size: '1280x720', seconds: '8' });
		const response = await extend('openai', { prompt: 'The sun sets', seconds: '4', video: { id: 'video_src' } });
		expect(response.status).toBe(200);
		const task = (await response.json()) as Record<string, unknown>;
		expect(task).toMatchObject({ status: 'queued', model: 'sora-2', size: '1280x720', seconds: '12', prompt: 'The sun sets', remixed_from_video_id: null });
		const [record] = await journal();
		expect(record).toMatchObject({ kind: 'extend', sourceId: 'video_src', fields: { prompt: 'The sun sets', seconds: '4', video: { id: 'video_src' } }, outcome: 'created', taskId: task.id });
	});

	it('refuses an unknown or unfinished source, and has no route in the other dialects', async () => {
		sim.addTask({ id: 'video_busy', forced: 'in_progress' });
		expect((await extend('openai', { prompt: 'x', video: { id: 'nope' } })).status).toBe(404);
		expect((await extend('openai', { prompt: 'x' })).status).toBe(404);
		const busy = await extend('openai', { prompt: 'x', video: { id: 'video_busy' } });
		expect(busy.status).toBe(400);
		expect(await busy.json()).toMatchObject({ error: { message: expect.stringContaining('only completed videos can be extended') } });
		const newapi = await extend('newapi', { prompt: 'x', video: { id: 'video_busy' } });
		expect(newapi.status).toBe(404);
		expect(await newapi.json()).toMatchObject({ error: { message: 'Invalid URL (POST /newapi/v1/videos/extensions)' } });
		expect(sim.tasks.size).toBe(1);
	});
});

describe('rejection switches', () => {
	const cases: Array<[CreateRejection, Dialect, number, object]> = [
		['moderation', 'voidai', 400, { error: { message: 'Your request was blocked by our moderation system.', type: 'invalid_request_error', param: null, code: 'moderation_blocked' } }],
		['quota', 'newapi', 403, { error: { message: 'user quota is not enough', type: 'new_api_error', code: 'insufficient_user_quota' } }],
		['quota', 'voidai', 403, { error: { message: 'user quota is not enough', type: 'new_api_error', code: 'insufficient_user_quota' } }],
		['quota', 'openai', 429, { error: { code: 'insufficient_quota', type: 'insufficient_quota' } }],
		['badSize', 'voidai', 400, { error: { message: "Invalid value: '999x999'. Supported values are: '720x1280', '1280x720', '1024x1792', and '1792x1024'.", type: 'invalid_request_error', param: 'size', code: 'invalid_value' } }],
		['unknownModel', 'voidai', 404, { error: { code: 'model_not_found', message: 'The model `sora-9` does not exist or you do not have access to it.' } }],
		['unknownModel', 'opeai', 400, { error: { code: 'model_not_found' } }],
		['unknownModel', 'newapi', 503, { error: { message: 'No available channel for model sora-9 under group default', type: 'new_api_error' } }],
	];

	it.each(cases)('%s (%s): HTTP %d with the gateway\'s body, for the next create only', async (kind, dialect, code, body) => {
		expect((await control('creates/reject', { kind })).status).toBe(200);
		const headers = dialect === 'openai' ? { 'api-key': KEY } : auth;
		const send = async () =>
			await fetch(`${sim.baseUrl(dialect)}/videos`, { method: 'POST', headers, body: form({ prompt: 'p', model: kind === 'unknownModel' ? 'sora-9' : 'sora-2', size: kind === 'badSize' ? '999x999' : '1280x720' }) });
		const rejected = await send();
		expect(rejected.status).toBe(code);
		expect(await rejected.json()).toMatchObject(body);
		expect(sim.tasks.size).toBe(0);
		// sora-9 and 999x999 are refused anyway (see below); the switch is spent either way.
		const again = await fetch(`${sim.baseUrl(dialect)}/videos`, { method: 'POST', headers, body: form({ prompt: 'p' }) });
		expect(again.status).toBe(200);
		expect((await journal()).map((record) => [record.outcome, record.rejection ?? null])).toEqual([['rejected', kind], ['created', null]]);
	});

	it('a switch can hold for several creates, and remixes count', async () => {
		sim.addTask({ id: 'video_src' });
		await control('creates/reject', { kind: 'moderation', times: 2 });
		expect((await createWithJson('voidai', { prompt: 'a' })).status).toBe(400);
		const remix = await fetch(`${sim.baseUrl('voidai')}/videos/video_src/remix`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"prompt":"b"}' });
		expect(remix.status).toBe(400);
		expect((await createWithJson('voidai', { prompt: 'c' })).status).toBe(200);
	});

	it('an unknown model and a size that is not WIDTHxHEIGHT are refused without a switch; gateway sizes pass', async () => {
		const model = await createWithJson('voidai', { prompt: 'p', model: 'gpt-4o' });
		expect(model.status).toBe(404);
		expect(await model.json()).toMatchObject({ error: { code: 'model_not_found' } });
		const size = await createWithJson('voidai', { prompt: 'p', size: 'big' });
		expect(size.status).toBe(400);
		expect(await size.json()).toMatchObject({ error: { param: 'size', code: 'invalid_value' } });
		const seconds = await createWithJson('voidai', { prompt: 'p', seconds: 'ten' });
		expect(await seconds.json()).toMatchObject({ error: { param: 'seconds', code: 'invalid_value' } });
		expect((await createWithJson('voidai', { prompt: 'p', size: '1920x1080', seconds: '10' })).status).toBe(200);
	});

	it('refuses an unknown switch', async () => {
		expect((await control('creates/reject', { kind: 'nonsense' })).status).toBe(400);
		expect((await control('creates/fault', { type: 'nonsense' })).status).toBe(400);
	});
});

describe('faults after the create reached the provider', () => {
	it('reset: the task is created and runs, but the connection drops before any answer', async () => {
		sim.setCreateSettings({ durationMs: 200, queuedMs: 0 });
		await control('creates/fault', { type: 'reset' });
		await expect(createWithForm('voidai', form({ prompt: 'lost answer' }, { bytes: noisyPng(8, 8), type: 'image/png', name: 'r.png' }))).rejects.toThrow();
		const [record] = await journal();
		expect(record).toMatchObject({ outcome: 'fault', fault: 'reset', httpStatus: null });
		expect(record.inputReference?.bytes).toBeGreaterThan(0);
		expect(sim.tasks.get(String(record.taskId))?.prompt).toBe('lost answer');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(await status('voidai', String(record.taskId))).toMatchObject({ status: 'completed' });
		// Only the next create faults.
		expect((await createWithJson('voidai', { prompt: 'fine' })).status).toBe(200);
	});

	it('hang: the task is created, and the connection stays open and silent', async () => {
		await control('creates/fault', { type: 'hang' });
		const pending = createWithJson('voidai', { prompt: 'no answer' }).then(
			() => 'answered',
			() => 'aborted',
		);
		await new Promise((resolve) => setTimeout(resolve, 400));
		expect(sim.createJournal[0]).toMatchObject({ outcome: 'fault', fault: 'hang', httpStatus: null });
		expect(sim.tasks.has(String(sim.createJournal[0].taskId))).toBe(true);
		// Stopping the simulator ends the silent connection.
		await sim.stop();
		expect(await pending).toBe('aborted');
		await sim.start();
	});

	it('POST /_sim/reset clears the journal and pending switches', async () => {
		await createWithJson('voidai', { prompt: 'one' });
		await control('creates/reject', { kind: 'quota' });
		await control('creates/fault', { type: 'reset' });
		expect((await control('reset', {})).status).toBe(200);
		expect(await journal()).toEqual([]);
		expect((await createWithJson('voidai', { prompt: 'two' })).status).toBe(200);
	});
});
