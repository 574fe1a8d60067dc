/**
 * The built package inside n8n's real engine (WorkflowExecute + PackageDirectoryLoader + real credential
 * authenticate), against a real HTTP server on 127.0.0.1, in both binary data modes.
 */
import { createHash } from 'crypto';

import type { BinaryMode } from './harness/engine';
import { readBinary, runNode, useBinaryMode } from './harness/engine';
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
		expect(items[0].json).toEqual({ taskId: 'video_1', variant: 'video', fileName: 'video_1.mp4', mimeType: 'video/mp4', fileSize: video.length });
		const binary = items[0].binary?.data;
		expect(binary?.mimeType).toBe('video/mp4');
		if (mode === 'filesystem') expect(binary?.id).toMatch(/^filesystem/);
		const stored = await readBinary(items[0]);
		expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(video).digest('hex'));
	});
});
