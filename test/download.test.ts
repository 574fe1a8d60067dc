/** Download Content through n8n's real engine; nock plays each provider's content endpoint. */
import nock from 'nock';

import { useNock } from './harness/nock';

import type { ProviderId } from '../nodes/shared/providers';
import { readBinary, useBinaryMode } from './harness/engine';
import { fakeJpeg, fakeMp4, fakeWebp } from './harness/server';
import { baseUrlOf, everythingShown, KEY, runSora, fileFacts } from './harness/sora';

useNock();
beforeAll(async () => {
	await useBinaryMode('filesystem');
});

function api(provider: ProviderId) {
	const url = new URL(baseUrlOf(provider));
	return { scope: nock(url.origin, { reqheaders: { authorization: `Bearer ${KEY}` } }), path: url.pathname };
}

const video = fakeMp4(4096);
const download = (extra: Record<string, unknown> = {}) => ({ operation: 'downloadContent', taskId: 'video_abc', variant: 'video', binaryPropertyName: 'data', ...extra });

describe('successful downloads', () => {
	it.each<[ProviderId, Record<string, string>, string, string]>([
		['opeAi', { 'Content-Type': 'video/mp4' }, 'video_abc.mp4', 'video/mp4'],
		['wisdomGate', { 'Content-Type': 'video/mp4', 'Cache-Control': 'public, max-age=86400' }, 'video_abc.mp4', 'video/mp4'],
		['ezModel', { 'Content-Type': 'video/mp4', 'Content-Disposition': 'attachment; filename="video.mp4"' }, 'video.mp4', 'video/mp4'],
		['voidAi', { 'Content-Type': 'video/mp4' }, 'video_abc.mp4', 'video/mp4'],
		['openAiCompatible', { 'Content-Type': 'binary/octet-stream' }, 'video_abc.mp4', 'video/mp4'],
	])('%s', async (provider, headers, fileName, mimeType) => {
		const { scope, path } = api(provider);
		const query = provider === 'voidAi' || provider === 'openAiCompatible' ? { variant: 'video' } : {};
		scope.get(`${path}/videos/video_abc/content`).query(query).reply(200, video, { ...headers, 'Content-Length': String(video.length) });
		const result = await runSora(provider, download());
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0])).toEqual({ taskId: 'video_abc', variant: 'video', fileName, mimeType, fileSize: video.length });
		expect(result.items[0].binary?.data).toMatchObject({ fileName, mimeType, fileExtension: 'mp4' });
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(Buffer.compare(await readBinary(result.items[0]), video)).toBe(0);
		expect(scope.isDone()).toBe(true);
	});

	it.each<[string, Buffer, string, string]>([
		['thumbnail', fakeWebp(), 'image/webp', 'video_abc_thumbnail.webp'],
		['spritesheet', fakeJpeg(), 'image/jpeg', 'video_abc_spritesheet.jpg'],
	])('VoidAI variant %s via ?variant=', async (variant, bytes, mimeType, fileName) => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc/content`).query({ variant }).reply(200, bytes, { 'Content-Type': mimeType });
		const result = await runSora('voidAi', download({ variant, binaryPropertyName: 'preview' }));
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0], 'preview')).toMatchObject({ variant, mimeType, fileName, fileSize: bytes.length });
		expect(Buffer.compare(await readBinary(result.items[0], 'preview'), bytes)).toBe(0);
	});

	it('sniffs the type when Content-Type is missing (chunked, no length)', async () => {
		const { scope, path } = api('opeAi');
		scope.get(`${path}/videos/video_abc/content`).reply(200, () => video);
		const result = await runSora('opeAi', download());
		expect(fileFacts(result.items[0])).toMatchObject({ mimeType: 'video/mp4', fileName: 'video_abc.mp4', fileSize: video.length });
	});

	it('the File Name option wins over Content-Disposition', async () => {
		const { scope, path } = api('ezModel');
		scope.get(`${path}/videos/video_abc/content`).reply(200, video, { 'Content-Type': 'video/mp4', 'Content-Disposition': 'attachment; filename="video.mp4"' });
		const result = await runSora('ezModel', download({ options: { fileName: 'holiday.mp4' } }));
		expect(fileFacts(result.items[0]).fileName).toBe('holiday.mp4');
		expect(result.items[0].binary?.data.fileName).toBe('holiday.mp4');
	});

	it('OpeAI frontend token downloads from /api/videos with the token header', async () => {
		const scope = nock('https://api-platform.ope.ai', { reqheaders: { token: 'jwt-value' }, badheaders: ['authorization'] })
			.get('/api/videos/video_abc/content')
			.reply(200, video, { 'Content-Type': 'video/mp4' });
		const result = await runSora('opeAi', download(), { credentials: { apiKey: 'jwt-value', authMode: 'frontendToken' } });
		expect(result.error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
	});

	it('Wait for Completion polls the status, then downloads', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc`).reply(200, { id: 'video_abc', status: 'in_progress', progress: 10 });
		scope.get(`${path}/videos/video_abc`).reply(200, { id: 'video_abc', status: 'completed', progress: 100 });
		scope.get(`${path}/videos/video_abc/content`).query({ variant: 'video' }).reply(200, video, { 'Content-Type': 'video/mp4' });
		const result = await runSora('voidAi', download({ options: { waitForCompletion: true, pollInterval: 0.05, maxWait: 1 } }));
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0]).fileSize).toBe(video.length);
		expect(scope.isDone()).toBe(true);
	});
});

describe('variants a provider does not offer', () => {
	it.each<ProviderId>(['opeAi', 'wisdomGate', 'ezModel'])('%s: a clear error before any request', async (provider) => {
		const { scope, path } = api(provider);
		scope.get(new RegExp(`${path}/videos/.*`)).reply(200, video);
		const result = await runSora(provider, download({ variant: 'thumbnail' }));
		expect(result.error?.message).toMatch(/does not offer the "thumbnail" variant$/);
		expect(scope.isDone()).toBe(false);
	});
});

const status = (body: object) => ({ id: 'video_abc', ...body });

describe('not ready, in every dialect, names the current status', () => {
	it.each<[string, ProviderId, number, nock.Body, Record<string, string>, object, RegExp]>([
		['OpeAI 400 task_not_ready', 'opeAi', 400, { error: { message: 'task not ready', type: 'invalid_request_error', param: null, code: 'task_not_ready' } }, {}, status({ status: 'IN_PROGRESS' }), /^Task "video_abc" is not ready yet \(status: in_progress \("IN_PROGRESS"\)\)$/],
		['new-api 400 "not completed yet"', 'openAiCompatible', 400, { error: { message: 'Task is not completed yet, current status: IN_PROGRESS', type: 'invalid_request_error' } }, {}, status({ status: 'in_progress', progress: 45 }), /^Task "video_abc" is not ready yet \(status: in_progress, 45%\)$/],
		['EzModel 404 video_not_ready', 'ezModel', 404, { error: { message: 'Video not ready', code: 'video_not_ready' } }, {}, status({ status: 'queued', progress: 0 }), /^Task "video_abc" is not ready yet \(status: queued, 0%\)$/],
		['Wisdom Gate 202', 'wisdomGate', 202, '', {}, status({ status: 'in_progress', progress: 80 }), /^Task "video_abc" is not ready yet \(status: in_progress, 80%\)$/],
		[
			'Wisdom Gate 200 with JSON',
			'wisdomGate',
			200,
			{ message: 'Video generation still in progress', data: { error: { message: 'Video generation is still in progress.', type: 'video_not_ready', code: 'video_processing', param: null } } },
			{ 'Content-Type': 'application/json' },
			status({ status: 'in_progress', progress: 80 }),
			/^Task "video_abc" is not ready yet \(status: in_progress, 80%\)$/,
		],
		['200 JSON mislabelled as octet-stream', 'openAiCompatible', 200, '{"error":{"message":"still processing"}}', { 'Content-Type': 'application/octet-stream' }, status({ status: 'processing' }), /^Task "video_abc" is not ready yet \(status: in_progress \("processing"\)\)$/],
		['200 HTML error page', 'voidAi', 200, '<!DOCTYPE html><html><body>Please wait</body></html>', { 'Content-Type': 'text/html' }, status({ status: 'queued' }), /^Task "video_abc" is not ready yet \(status: queued, 0%\)$/],
	])('%s', async (_name, provider, code, body, headers, statusBody, message) => {
		const { scope, path } = api(provider);
		scope.get(`${path}/videos/video_abc/content`).query(true).reply(code, body, headers);
		scope.get(`${path}/videos/video_abc`).reply(200, statusBody);
		const result = await runSora(provider, download());
		expect(result.error?.message).toMatch(message);
		expect(result.items).toHaveLength(0);
	});

	it('without a status endpoint answer, the provider\'s own words still say not ready', async () => {
		const { scope, path } = api('opeAi');
		scope.get(`${path}/videos/video_abc/content`).reply(400, { error: { message: 'Task is not completed yet, current status: QUEUED' } });
		scope.get(`${path}/videos/video_abc`).reply(500, 'down');
		const result = await runSora('opeAi', download({ options: { retries: 0 } }));
		expect(result.error?.message).toBe('Task "video_abc" is not ready yet (status: QUEUED)');
	});
});

describe('not found, expired, failed, unauthorized', () => {
	it('404 for content and status: not found', async () => {
		const { scope, path } = api('opeAi');
		scope.get(`${path}/videos/video_abc/content`).reply(404, { error: { message: 'task not found', type: 'not_found_error', code: 'task_not_found' } });
		scope.get(`${path}/videos/video_abc`).reply(404, { error: { message: 'video not found', code: 'ResourceNotFound' } });
		const result = await runSora('opeAi', download());
		expect(result.error?.message).toBe('Task "video_abc" was not found at OpeAI (HTTP 404)');
	});

	it('new-api 400 task_not_exist: not found', async () => {
		const { scope, path } = api('openAiCompatible');
		scope.get(`${path}/videos/video_abc/content`).query(true).reply(400, { code: 'task_not_exist', message: 'task_not_exist', data: null });
		scope.get(`${path}/videos/video_abc`).reply(400, { code: 'task_not_exist', message: 'task_not_exist', data: null });
		const result = await runSora('openAiCompatible', download());
		expect(result.error?.message).toBe('Task "video_abc" was not found at OpenAI-Compatible Gateway (HTTP 400)');
	});

	it('EzModel 404 video_expired: expired', async () => {
		const { scope, path } = api('ezModel');
		scope.get(`${path}/videos/video_abc/content`).reply(404, { error: { message: 'Video has expired', code: 'video_expired' } });
		scope.get(`${path}/videos/video_abc`).reply(404, { error: { message: 'gone' } });
		const result = await runSora('ezModel', download());
		expect(result.error?.message).toBe('The content of task "video_abc" has expired at EzModel');
	});

	it('plain 404 after expires_at: expired, with the time', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc/content`).query(true).reply(404, { error: { message: 'Not found' } });
		scope.get(`${path}/videos/video_abc`).reply(200, status({ status: 'completed', expires_at: 1700000000 }));
		const result = await runSora('voidAi', download());
		expect(result.error?.message).toBe('The content of task "video_abc" expired at 2023-11-14T22:13:20.000Z');
	});

	it('content of a failed task: the failure reason', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc/content`).query(true).reply(400, { error: { message: 'Video is not completed' } });
		scope.get(`${path}/videos/video_abc`).reply(200, status({ status: 'failed', error: { code: 'moderation_blocked', message: 'Blocked by moderation' } }));
		const result = await runSora('voidAi', download());
		expect(result.error?.message).toBe('Task "video_abc" failed at VoidAI: Blocked by moderation (moderation_blocked)');
	});

	it('401 names the credential and never the key', async () => {
		const { scope, path } = api('ezModel');
		scope.get(`${path}/videos/video_abc/content`).reply(401, { error: { message: `invalid key ${KEY}`, code: 'unauthorized' } });
		const result = await runSora('ezModel', download());
		expect(result.error?.message).toBe('EzModel rejected the API key (HTTP 401)');
		expect((result.error as { description?: string }).description).toContain('"EzModel API" credential');
		expect(everythingShown(result)).not.toContain(KEY);
	});

	it('an empty body is not a file', async () => {
		const { scope, path } = api('opeAi');
		scope.get(`${path}/videos/video_abc/content`).reply(200, '', { 'Content-Type': 'video/mp4' });
		const result = await runSora('opeAi', download());
		expect(result.error?.message).toBe('OpeAI sent an empty file for task "video_abc"');
	});

	it('429 and 5xx on the content endpoint are retried', async () => {
		const { scope, path } = api('opeAi');
		scope.get(`${path}/videos/video_abc/content`).reply(429, '', { 'Retry-After': '0' });
		scope.get(`${path}/videos/video_abc/content`).reply(502, { error: { message: 'Upstream service returned status 500', type: 'server_error' } });
		scope.get(`${path}/videos/video_abc/content`).reply(200, video, { 'Content-Type': 'video/mp4' });
		const result = await runSora('opeAi', download({ options: { retries: 2, retryDelay: 1 } }));
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0]).fileSize).toBe(video.length);
	});
});

it('content gone for a completed task without expires_at: "no longer available", not "not found"', async () => {
	const url = new URL(baseUrlOf('opeAi'));
	const scope = nock(url.origin, { reqheaders: { authorization: `Bearer ${KEY}` } });
	scope.get(`${url.pathname}/videos/video_abc/content`).reply(404, { error: { message: 'task not found', type: 'not_found_error', code: 'task_not_found' } });
	scope.get(`${url.pathname}/videos/video_abc`).reply(200, { id: 'video_abc', status: 'SUCCESS', object: 'video' });
	const result = await runSora('opeAi', download());
	expect(result.error?.message).toBe('The content of task "video_abc" is no longer available at OpeAI (HTTP 404)');
});
