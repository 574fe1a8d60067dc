/** A 206 whose body runs past its Content-Range (or past the file's size) drops the size check: longer file stored as success. */
import { cut, download, fakeMp4, rangeStart, serve, setup } from '../harness/resumeServer';

setup();

it('sized first answer; resume 206 says bytes 200000-599999/600000 but (chunked) sends 500000 bytes: was output as a 700000-byte success, now refused', async () => {
	const video = fakeMp4(600_000);
	const extra = fakeMp4(500_000);
	serve('o', (req, res) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"v1"', 'Content-Range': `bytes ${start}-${video.length - 1}/${video.length}` });
			res.end(extra);
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"', 'Content-Length': String(video.length) });
		cut(res, video, 200_000);
	});
	const { error, stored } = await download('o');
	expect(error).toBeDefined();
	expect(stored).toBeUndefined();
});

it('first answer 206 slice bytes 0-65535/655360 (chunked) whose body is 700000 bytes: was stored as success, now refused', async () => {
	const big = fakeMp4(700_000);
	serve('p', (_req, res) => {
		res.writeHead(206, { 'Content-Type': 'video/mp4', 'Content-Range': 'bytes 0-65535/655360' });
		res.end(big);
	});
	const { stored } = await download('p');
	expect(stored === undefined || stored.length === 655_360).toBe(true);
});

it('chunked+ETag first answer; resume 206 with nonsense total smaller than the offset (bytes 200000-200099/100): was stored as success, now refused', async () => {
	const video = fakeMp4(600_000);
	serve('q', (req, res) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"v1"', 'Content-Range': `bytes ${start}-${start + 99}/100`, 'Content-Length': '100' });
			res.end(video.subarray(start, start + 100));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"' });
		cut(res, video, 200_000);
	});
	const { error } = await download('q');
	expect(error).toBeDefined();
});
