/**
 * Honest causes and sane content, against real sockets: an API origin and a second "storage" origin that a
 * redirect leads to, answering as real gateways, buckets, CDNs and proxies do.
 */
import type { ServerResponse } from 'http';

import { readBinary, runNode, useBinaryMode } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, fakeWebp, startServer } from './harness/server';
import { fileFacts, KEY } from './harness/sora';

let api: TestServer;
let storage: TestServer;
const video = fakeMp4(200_000);

function reply(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json'): void {
	res.writeHead(status, { 'Content-Type': type });
	res.end(body);
}

const completed = (id: string) => JSON.stringify({ id, object: 'video', status: 'completed', progress: 100, created_at: 1762499410 });

beforeAll(async () => {
	await useBinaryMode('filesystem');
	api = await startServer();
	storage = await startServer();
	const s3Expired = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>3600</X-Amz-Expires></Error>';
	const redirectTo = (path: string) => (_req: unknown, res: ServerResponse) => {
		res.writeHead(302, { Location: `${storage.origin}${path}?X-Amz-Signature=abc` });
		res.end();
	};
	api.route('GET', '/v1/videos/video_s3/content', redirectTo('/bucket/expired.mp4'));
	api.route('GET', '/v1/videos/video_s3', (_req, res) => reply(res, 200, completed('video_s3')));
	storage.route('GET', '/bucket/expired.mp4', (_req, res) => reply(res, 403, s3Expired, 'application/xml'));
	api.route('GET', '/v1/videos/video_cdn404/content', redirectTo('/bucket/gone.mp4'));
	storage.route('GET', '/bucket/gone.mp4', (_req, res) => reply(res, 404, '<html><head><title>404 Not Found</title></head><body>nginx</body></html>', 'text/html'));

	api.route('GET', '/v1/videos/video_url', (_req, res) =>
		reply(res, 404, JSON.stringify({ error: { message: 'Invalid URL (GET /videos/video_url)', type: 'invalid_request_error', param: null, code: null } })),
	);
	api.route('GET', '/v1/videos/video_html404', (_req, res) => reply(res, 404, '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>Not found</body></html>', 'text/html'));
	api.route('GET', '/v1/videos/video_token', (_req, res) => reply(res, 400, JSON.stringify({ error: { message: 'Token has expired, please log in again', type: 'invalid_request_error' } })));
	api.route('GET', '/v1/videos/video_token/content', (_req, res) => reply(res, 400, JSON.stringify({ error: { message: 'token_expired', code: 'token_expired' } })));
	api.route('GET', '/v1/videos/video_proxy', (_req, res) =>
		reply(res, 400, '<html><head><title>Bad Request</title></head><body><h1>Request rejected</h1><p>Your video is still processing, please wait.</p></body></html>', 'text/html'),
	);
	api.route('GET', '/v1/videos/video_accepted', (_req, res) => reply(res, 202, JSON.stringify({ id: 'video_accepted', object: 'video', status: 'in_progress', progress: 30 })));
	api.route('GET', '/v1/videos/Video_MiXeD', (_req, res) => reply(res, 200, JSON.stringify({ id: 'Video_MiXeD', status: 'completed', expires_at: 1700000000 })));
	api.route('GET', '/v1/videos/Video_MiXeD/content', (_req, res) => reply(res, 404, JSON.stringify({ error: { message: 'Video has expired', code: 'video_expired' } })));

	api.route('GET', '/v1/videos/video_textplain/content', (_req, res) => reply(res, 200, video, 'text/plain; charset=utf-8'));
	api.route('GET', '/v1/videos/video_garbage/content', (_req, res) => {
		const garbage = Buffer.alloc(2000);
		for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 97 + 13) & 0xff;
		reply(res, 400, garbage, 'application/json');
	});
	api.route('GET', '/v1/videos/video_garbage', (_req, res) => reply(res, 200, completed('video_garbage')));
	api.route('GET', '/v1/videos/video_thumbvideo/content', (_req, res) => reply(res, 200, video, 'image/webp'));
	api.route('GET', '/v1/videos/video_bidi/content', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'image/webp', 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent('clip\u202Egpj.exe\u0085.webp')}` });
		res.end(fakeWebp());
	});
});

afterAll(async () => {
	await api.close();
	await storage.close();
});

async function run(parameters: Record<string, unknown>, headerName = 'api-key') {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', ...parameters, options: { retries: 0, ...((parameters.options as object) ?? {}) } },
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: api.url, headerName, headerPrefix: '' } },
	});
}

const download = (taskId: string, extra: Record<string, unknown> = {}) => run({ operation: 'downloadContent', taskId, variant: 'video', binaryPropertyName: 'data', ...extra });
const description = (error: Error | undefined) => (error as { description?: string } | undefined)?.description ?? '';

describe('an error from another host after a redirect', () => {
	it('names the storage host, says the link expired, and never blames the key (which was never sent there)', async () => {
		const result = await download('video_s3');
		const host = new URL(storage.origin).host;
		expect(result.error?.message).toBe(
			`OpenAI-Compatible Gateway sent the download of task "video_s3" to ${host}, which refused it (HTTP 403: Request has expired): the download link has expired or is not valid`,
		);
		expect(description(result.error)).toMatch(/the API key is never sent there, so this is not a key problem/);
		expect(`${result.error?.message} ${description(result.error)}`).not.toMatch(/rejected the API key|check the API key/i);
		const atStorage = storage.requests.filter((request) => request.url.startsWith('/bucket/expired.mp4'));
		expect(atStorage).toHaveLength(1);
		expect(atStorage[0].headers['api-key']).toBeUndefined();
	});

	it('a CDN 404 page says the file is gone from that host', async () => {
		const result = await download('video_cdn404');
		expect(result.error?.message).toBe(`OpenAI-Compatible Gateway sent the download of task "video_cdn404" to ${new URL(storage.origin).host}, which no longer has the file (HTTP 404)`);
		expect(description(result.error)).toMatch(/The answer was a web page titled "404 Not Found"/);
	});
});

describe('causes told as they are', () => {
	it('an OpenAI-style 404 "Invalid URL" says the base URL is probably wrong, not that the task is missing', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'video_url' });
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway does not serve this address (HTTP 404): the base URL in the credential is probably wrong');
		expect(description(result.error)).toMatch(/A missing or extra "\/v1" is the usual cause/);
	});

	it('a 404 web page (not the API) says the same', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'video_html404' });
		expect(result.error?.message).toMatch(/does not serve this address \(HTTP 404\)/);
	});

	it('a 400 about an expired token is an authentication problem, not an expired video', async () => {
		const status = await run({ operation: 'getStatus', taskId: 'video_token' });
		expect(status.error?.message).toBe('OpenAI-Compatible Gateway rejected the API key (HTTP 400)');
		const file = await download('video_token');
		expect(file.error?.message).toBe('OpenAI-Compatible Gateway rejected the API key (HTTP 400)');
		expect(file.error?.message).not.toMatch(/expired/);
	});

	it('words inside a web page are never read: "still processing" on a proxy page is not "not ready"', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'video_proxy' });
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway rejected the status check request (HTTP 400)');
		expect(description(result.error)).toMatch(/The answer was a web page titled "Bad Request"/);
		expect(`${result.error?.message} ${description(result.error)}`).not.toMatch(/not ready|still processing/i);
	});

	it('a status endpoint answering 202 with a task is a status', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'video_accepted' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ id: 'video_accepted', status: 'in_progress', progress: 30 });
	});

	it('an expiry message keeps the task ID exactly as given', async () => {
		const result = await download('Video_MiXeD');
		expect(result.error?.message).toBe('The content of task "Video_MiXeD" expired at 2023-11-14T22:13:20.000Z');
	});
});

describe('content sanity', () => {
	it('a known file signature wins over a wrong text/plain Content-Type', async () => {
		const result = await download('video_textplain');
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0])).toMatchObject({ mimeType: 'video/mp4', fileName: 'video_textplain.mp4', fileSize: video.length });
		expect(Buffer.compare(await readBinary(result.items[0]), video)).toBe(0);
	});

	it('binary bytes in an error answer never appear in the message', async () => {
		const result = await download('video_garbage');
		const shown = `${result.error?.message} ${description(result.error)}`;
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway rejected the download request (HTTP 400)');
		expect(description(result.error)).toMatch(/unreadable binary data/);
		// eslint-disable-next-line no-control-regex
		expect(shown).not.toMatch(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]/);
	});

	it('a thumbnail request answered with a video is named and typed by what arrived, and says so', async () => {
		const result = await run({ operation: 'downloadContent', taskId: 'video_thumbvideo', variant: 'thumbnail', binaryPropertyName: 'thumb' });
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0], 'thumb')).toMatchObject({
			variant: 'thumbnail',
			mimeType: 'video/mp4',
			fileName: 'video_thumbvideo_thumbnail.mp4',
			warning: 'Asked for the thumbnail, but OpenAI-Compatible Gateway sent a video (video/mp4); the file is named and typed as what arrived.',
		});
		expect(result.items[0].binary?.thumb.mimeType).toBe('video/mp4');
	});

	it('a Content-Disposition name loses direction overrides and control characters', async () => {
		const result = await run({ operation: 'downloadContent', taskId: 'video_bidi', variant: 'thumbnail', binaryPropertyName: 'data' });
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0]).fileName).toBe('clipgpj.exe_.webp');
		expect(result.items[0].binary?.data.fileName).toBe('clipgpj.exe_.webp');
	});
});
