/**
 * A proxy or CDN that answers a download sent without Range with "206 Partial Content" (found by an outside review):
 * the slice was stored as the whole file, because only Content-Length was compared. The file is Content-Range's
 * total: the rest is resumed; a slice that is not the file's start is refused with nothing stored.
 * Driven through n8n-core's real engine against a server on 127.0.0.1.
 */
import type { IncomingMessage } from 'http';

import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';
import { readBinary, runNode } from './harness/engine';

let server: TestServer;
afterEach(async () => server.close());

const whole = fakeMp4(655360);

/** Serves byte ranges of `whole`; a request without Range gets `firstAnswer` (a slice, with its Content-Range). */
function serveSlices(firstAnswer: { start: number; end: number; total: string }): Array<string | undefined> {
	const ranges: Array<string | undefined> = [];
	server.route('GET', '/v1/videos/video_1/content', (req: IncomingMessage, res) => {
		ranges.push(req.headers.range);
		const asked = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
		const start = asked ? Number(asked[1]) : firstAnswer.start;
		const end = asked ? whole.length - 1 : firstAnswer.end;
		const slice = whole.subarray(start, end + 1);
		const total = asked ? String(whole.length) : firstAnswer.total;
		res.writeHead(206, { 'Content-Type': 'video/mp4', 'Content-Length': String(slice.length), 'Content-Range': `bytes ${start}-${end}/${total}`, 'Accept-Ranges': 'bytes' });
		res.end(slice);
	});
	server.route('GET', '/v1/videos/video_1', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ id: 'video_1', status: 'completed', progress: 100, created_at: 1764748800 }));
	});
	return ranges;
}

async function download() {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId: 'video_1', variant: 'video', binaryPropertyName: 'data', options: { retries: 2, retryDelay: 1 } },
		credentials: { openAiCompatibleVideoApi: { apiKey: 'sk-review-0123456789abcdef', baseUrl: server.url } },
	});
}

it('a first slice (206, bytes 0-65535/655360) is completed by a resume: the whole file is stored', async () => {
	server = await startServer();
	const ranges = serveSlices({ start: 0, end: 65535, total: String(whole.length) });
	const result = await download();
	expect(result.error).toBeUndefined();
	const stored = await readBinary(result.items[0]);
	expect(stored.length).toBe(whole.length);
	expect(stored.equals(whole)).toBe(true);
	expect(ranges).toEqual([undefined, 'bytes=65536-']);
});

it.each([
	['a slice from the middle', { start: 65536, end: 131071, total: String(whole.length) }],
	['a slice of unknown total', { start: 0, end: 65535, total: '*' }],
])('%s is refused with nothing stored, naming the Content-Range', async (_name, first) => {
	server = await startServer();
	serveSlices(first);
	const result = await download();
	expect(result.items[0]?.binary).toBeUndefined();
	expect(result.error?.message).toMatch(/with a part of a file \(HTTP 206, Content-Range "bytes \d+-\d+\/[\d*]+"\), not the whole file/);
});
