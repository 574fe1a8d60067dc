/**
 * A resume is spliced onto the bytes already stored, so it is made only where the file can be told to be the same
 * one (its size, its ETag or Last-Modified), and a resume that names another file starts the download over. Found by
 * an outside review: a chunked answer resumed with a short 206 was stored as the whole file, and a replaced file was
 * spliced onto the old one's start. Also: a compressed body n8n's client decodes is not "cut short" by its own
 * Content-Length.
 */
import { gzipSync } from 'zlib';

import { ctx, cut, download, fakeMp4, rangeStart, replacement, serve, setup } from './harness/resumeServer';

setup();
const { requests } = ctx;

/** The offsets of the Range requests (undefined: a request for the whole file). */
function offsets(): Array<number | undefined> {
	return requests.map((request) => (request.range === undefined ? undefined : Number(/^bytes=(\d+)-$/.exec(request.range)?.[1])));
}

it('a chunked answer without ETag or Last-Modified is not resumed (nothing tells its file): it is downloaded again whole', async () => {
	const video = fakeMp4(600_000);
	serve('a', (_req, res, attempt) => {
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes' });
		if (attempt === 1) cut(res, video, 200_000);
		else res.end(video);
	});
	const { error, stored } = await download('a');
	expect(error).toBeUndefined();
	expect(stored && Buffer.compare(stored, video)).toBe(0);
	expect(requests.map((request) => request.range)).toEqual([undefined, undefined]);
});

it('a chunked answer with an ETag is resumed, and the resume\'s total is the file\'s size: short slices are never the whole file', async () => {
	const video = fakeMp4(600_000);
	serve('b', (req, res) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			const end = Math.min(start + 100_000, video.length) - 1;
			res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"v1"', 'Content-Range': `bytes ${start}-${end}/${video.length}`, 'Content-Length': String(end - start + 1) });
			res.end(video.subarray(start, end + 1));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"' });
		cut(res, video, 200_000);
	});
	const short = await download('b', 2);
	expect(short.items).toHaveLength(0);
	expect(short.error?.message).toMatch(/^The download of task "b" was cut short: the download ended after \d+ of 600000 bytes \(after 3 attempts\)$/);
	expect(requests.slice(1).every((request) => request.ifRange === '"v1"')).toBe(true);

	requests.length = 0;
	const whole = await download('b', 5);
	expect(whole.error).toBeUndefined();
	expect(whole.stored && Buffer.compare(whole.stored, video)).toBe(0);
	// Each resume starts where the last slice ended: 100 000 bytes on, until the file's 600 000.
	const [first, resumedAt, ...later] = offsets();
	expect(first).toBeUndefined();
	expect(resumedAt).toBeGreaterThan(0);
	expect(resumedAt).toBeLessThanOrEqual(200_000);
	expect(later).toEqual(later.map((_, index) => (resumedAt as number) + 100_000 * (index + 1)));
	expect((later.at(-1) ?? (resumedAt as number)) + 100_000).toBeGreaterThanOrEqual(600_000);
});

it('a resume that names another file (another ETag: the server ignored If-Range) starts over instead of splicing', async () => {
	const old = fakeMp4(600_000);
	const replaced = replacement(old, 900_000);
	serve('c', (req, res, attempt) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"v2"', 'Content-Range': `bytes ${start}-${replaced.length - 1}/${replaced.length}`, 'Content-Length': String(replaced.length - start) });
			res.end(replaced.subarray(start));
			return;
		}
		if (attempt === 1) {
			res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"' });
			cut(res, old, 200_000);
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v2"', 'Content-Length': String(replaced.length) });
		res.end(replaced);
	});
	const { error, stored } = await download('c');
	expect(error).toBeUndefined();
	expect(stored && Buffer.compare(stored, replaced)).toBe(0);
	expect(offsets()).toEqual([undefined, expect.any(Number), undefined]);
});

it('Last-Modified is the validator when there is no ETag: sent as If-Range, and a resume from another date starts over', async () => {
	const old = fakeMp4(600_000);
	const replaced = replacement(old, 600_000);
	const before = 'Thu, 03 Dec 2026 11:00:00 GMT';
	const after = 'Thu, 03 Dec 2026 12:00:00 GMT';
	serve('d', (req, res, attempt) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', 'Last-Modified': after, 'Content-Range': `bytes ${start}-${replaced.length - 1}/${replaced.length}`, 'Content-Length': String(replaced.length - start) });
			res.end(replaced.subarray(start));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', 'Last-Modified': attempt === 1 ? before : after, 'Content-Length': String(old.length) });
		if (attempt === 1) cut(res, old, 200_000);
		else res.end(replaced);
	});
	const { error, stored } = await download('d');
	expect(error).toBeUndefined();
	expect(stored && Buffer.compare(stored, replaced)).toBe(0);
	expect(requests[1]).toMatchObject({ range: expect.stringMatching(/^bytes=\d+-$/), ifRange: before });
	expect(offsets()).toEqual([undefined, expect.any(Number), undefined]);
});

it('downloads ask for no compression, and a gzip body whose Content-Length counts compressed bytes is stored whole', async () => {
	const video = fakeMp4(300_000);
	const compressed = gzipSync(video);
	serve('e', (_req, res) => {
		// A proxy that compresses whatever it is asked.
		res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip', 'Content-Length': String(compressed.length) });
		res.end(compressed);
	});
	const { error, stored, items } = await download('e');
	expect(error).toBeUndefined();
	expect(stored && Buffer.compare(stored, video)).toBe(0);
	expect(items[0].json).toMatchObject({ soraVideoFiles: { data: { fileSize: video.length, mimeType: 'video/mp4' } } });
	expect(requests).toHaveLength(1);
	expect(requests[0].acceptEncoding).toBe('identity');
});
