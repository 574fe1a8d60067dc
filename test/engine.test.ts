/**
 * The built package inside n8n's real engine (WorkflowExecute + PackageDirectoryLoader + real credential
 * authenticate), against a real HTTP server on 127.0.0.1, in both binary data modes.
 */
import { createHash } from 'crypto';

import type { BinaryMode } from './harness/engine';
import { readBinary, runNode, useBinaryMode } from './harness/engine';
import { fileFacts } from './harness/sora';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';

const KEY = 'sk-engine-test-key-123456';
let server: TestServer;
const video = fakeMp4(3 * 1024 * 1024 + 17);

beforeAll(async () => {
	server = await startServer();
	server.route('GET', '/v1/videos/video_1', (req, res) => {
		if (req.headers.authorization !== `Bearer ${KEY}`) {
			res.writeHead(401, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } }));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(
			JSON.stringify({ id: 'video_1', object: 'video', model: 'sora-2', status: 'completed', progress: 100, created_at: 1762499410, completed_at: 1762499510, expires_at: 4102444800, size: '720x1280', seconds: '8', error: null }),
		);
	});
	server.route('GET', '/v1/videos/video_1/content', (req, res) => {
		if (req.headers.authorization !== `Bearer ${KEY}`) {
			res.writeHead(401, { 'Content-Type': 'application/json' });
			res.end('{"error":{"message":"unauthorized"}}');
			return;
		}
		res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(video.length) });
		// Several writes so the body really streams.
		const step = 256 * 1024;
		for (let offset = 0; offset < video.length; offset += step) res.write(video.subarray(offset, offset + step));
		res.end();
	});
});

afterAll(async () => {
	await server.close();
});

const credentials = () => ({ openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url, headerName: 'Authorization', headerPrefix: 'Bearer ' } });

describe('Get Status in the real engine', () => {
	it('outputs the normalized task with pairedItem', async () => {
		const { items, error } = await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', operation: 'getStatus', taskId: '={{ $json.id }}' },
			credentials: credentials(),
			items: [{ json: { id: 'video_1' } }],
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ id: 'video_1', status: 'completed', progress: 100, canDownload: true, provider: 'openAiCompatible' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});
});

describe.each<BinaryMode>(['default', 'filesystem'])('Download Content in the real engine, %s binary mode', (mode) => {
	beforeAll(async () => {
		await useBinaryMode(mode);
	});

	it('stores exactly the served bytes, with a sniffed MIME type', async () => {
		const { items, error } = await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId: 'video_1', variant: 'video', binaryPropertyName: 'data' },
			credentials: credentials(),
		});
		expect(error).toBeUndefined();
		expect(fileFacts(items[0])).toEqual({ taskId: 'video_1', variant: 'video', fileName: 'video_1.mp4', mimeType: 'video/mp4', fileSize: video.length });
		const binary = items[0].binary?.data;
		expect(binary?.mimeType).toBe('video/mp4');
		if (mode === 'filesystem') expect(binary?.id).toMatch(/^filesystem/);
		const stored = await readBinary(items[0]);
		expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(video).digest('hex'));
	});
});

describe('faults on real sockets (filesystem mode)', () => {
	let storage: TestServer;
	beforeAll(async () => {
		await useBinaryMode('filesystem');
		storage = await startServer();
		storage.route('GET', '/bucket/video_1.mp4', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'binary/octet-stream', 'Content-Length': String(video.length) });
			res.end(video);
		});
		server.route('GET', '/v1/videos/redirected/content', (_req, res) => {
			res.writeHead(302, { Location: `${storage.origin}/bucket/video_1.mp4?sig=abc` });
			res.end();
		});
		server.route('GET', '/v1/videos/same-origin-redirect/content', (_req, res) => {
			res.writeHead(307, { Location: '/v1/videos/video_1/content' });
			res.end();
		});
		server.route('GET', '/v1/videos/short/content', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(video.length) });
			res.write(video.subarray(0, 1024 * 1024));
			setTimeout(() => res.socket?.destroy(), 20);
		});
		server.route('GET', '/v1/videos/chunked-cut/content', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'video/mp4' });
			res.write(video.subarray(0, 512 * 1024));
			setTimeout(() => res.socket?.destroy(), 20);
		});
	});
	afterAll(async () => {
		await storage.close();
	});

	it('follows a redirect to another origin without sending the key there (custom header too)', async () => {
		for (const [headerName, headerPrefix] of [
			['Authorization', 'Bearer '],
			['api-key', ''],
		]) {
			storage.requests.length = 0;
			server.route('GET', '/v1/videos/redirected/content', (req, res) => {
				const sent = headerName === 'api-key' ? req.headers['api-key'] : req.headers.authorization;
				expect(sent).toBe(`${headerPrefix}${KEY}`);
				res.writeHead(302, { Location: `${storage.origin}/bucket/video_1.mp4?sig=abc` });
				res.end();
			});
			const { items, error } = await runNode({
				nodeType: 'soraVideo',
				parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId: 'redirected', variant: 'video' },
				credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url, headerName, headerPrefix } },
			});
			expect(error).toBeUndefined();
			expect(storage.requests).toHaveLength(1);
			expect(storage.requests[0].url).toBe('/bucket/video_1.mp4?sig=abc');
			expect(JSON.stringify(storage.requests[0].headers)).not.toContain(KEY);
			expect(fileFacts(items[0])).toMatchObject({ mimeType: 'video/mp4', fileSize: video.length });
			expect(Buffer.compare(await readBinary(items[0]), video)).toBe(0);
		}
	});

	it('keeps the key on a same-origin redirect', async () => {
		const { items, error } = await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId: 'same-origin-redirect', variant: 'video' },
			credentials: credentials(),
		});
		expect(error).toBeUndefined();
		expect(fileFacts(items[0]).fileSize).toBe(video.length);
	});

	it.each(['short', 'chunked-cut'])('a body cut short (%s) is an error, never a file', async (taskId) => {
		const { items, error } = await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId, variant: 'video' },
			credentials: credentials(),
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(new RegExp(`^The download of task "${taskId}" (was cut short|failed while receiving the file)`));
	});
});
