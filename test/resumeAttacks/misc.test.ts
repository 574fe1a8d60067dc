/** Outside review, second pass: attacks on the resume rules (a resume must never splice two files or exceed what was said). Each break it found is a test in test/resumeAttacks/ that failed before its fix. */
import { gzipSync } from 'zlib';
import { ctx, cut, download, fakeMp4, rangeStart, replacement, serve, setup } from '../harness/resumeServer';

setup();

it('200 answered to a Range request (whole file, same ETag) is not spliced; download starts over and is exact', async () => {
	const video = fakeMp4(600_000);
	serve('r200', (_req, res, attempt) => {
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"', 'Content-Length': String(video.length) });
		if (attempt === 1) cut(res, video, 200_000);
		else res.end(video);
	});
	const r = await download('r200');
	expect(r.error).toBeUndefined();
	expect(r.stored && Buffer.compare(r.stored, video)).toBe(0);
});

it('totals that disagree across resumes (chunked + ETag): 600000 then 900000 -> not spliced', async () => {
	const video = fakeMp4(600_000);
	const other = replacement(video, 900_000);
	let resumes = 0;
	serve('tot', (req, res) => {
		if (req.headers.range) {
			resumes++;
			const start = rangeStart(req);
			const file = resumes === 1 ? video : other;
			const end = Math.min(start + 100_000, file.length) - 1;
			res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"v1"', 'Content-Range': `bytes ${start}-${end}/${file.length}`, 'Content-Length': String(end - start + 1) });
			res.end(file.subarray(start, end + 1));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"' });
		if (ctx.requests.length === 1) cut(res, video, 200_000);
		else res.end(video);
	});
	const r = await download('tot', 6);
	expect(r.error).toBeUndefined();
	expect(r.stored && Buffer.compare(r.stored, video)).toBe(0);
});

it('resume 206 with Content-Range: bytes */600000 -> starts over', async () => {
	const video = fakeMp4(600_000);
	serve('star', (req, res, attempt) => {
		if (req.headers.range) {
			res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"v1"', 'Content-Range': `bytes */${video.length}` });
			res.end(video.subarray(rangeStart(req)));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"', 'Content-Length': String(video.length) });
		if (attempt === 1) cut(res, video, 200_000);
		else res.end(video);
	});
	const r = await download('star');
	expect(r.error).toBeUndefined();
	expect(r.stored && Buffer.compare(r.stored, video)).toBe(0);
});

it('first answer 206 bytes */600000 -> refused, nothing stored', async () => {
	const video = fakeMp4(600_000);
	serve('star1', (_req, res) => {
		res.writeHead(206, { 'Content-Type': 'video/mp4', 'Content-Range': `bytes */${video.length}` });
		res.end(video);
	});
	const r = await download('star1');
	expect(r.stored).toBeUndefined();
});

it('first answers are 206 slices (0-65535/600000), resumes give the rest in slices: exact', async () => {
	const video = fakeMp4(600_000);
	serve('sl', (req, res) => {
		const start = req.headers.range ? rangeStart(req) : 0;
		const end = Math.min(start + 65_536, video.length) - 1;
		res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"v1"', 'Content-Range': `bytes ${start}-${end}/${video.length}`, 'Content-Length': String(end - start + 1) });
		res.end(video.subarray(start, end + 1));
	});
	const r = await download('sl', 12);
	expect(r.error).toBeUndefined();
	expect(r.stored && Buffer.compare(r.stored, video)).toBe(0);
});

it('first answer 206 slice of file A (ETag A), resume 206 with no ETag from file B same size: spliced?', async () => {
	const video = fakeMp4(600_000);
	const other = replacement(video, 600_000);
	serve('slB', (req, res) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', 'Content-Range': `bytes ${start}-${other.length - 1}/${other.length}`, 'Content-Length': String(other.length - start) });
			res.end(other.subarray(start));
			return;
		}
		res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"A"', 'Content-Range': `bytes 0-65535/${video.length}`, 'Content-Length': '65536' });
		res.end(video.subarray(0, 65_536));
	});
	const r = await download('slB');
	expect(r.error).toBeDefined();
});

it('S3-like stored gzip object (Content-Encoding gzip, ranges on compressed bytes), ETag, cut: ends exact or fails, bounded requests', async () => {
	const video = fakeMp4(2_000_000);
	const gz = gzipSync(video);
	serve('gz', (req, res, attempt) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			if (start >= gz.length) {
				res.writeHead(416, { 'Content-Range': `bytes */${gz.length}` });
				res.end();
				return;
			}
			res.writeHead(206, { 'Content-Type': 'video/mp4', 'Content-Encoding': 'gzip', ETag: '"g"', 'Content-Range': `bytes ${start}-${gz.length - 1}/${gz.length}`, 'Content-Length': String(gz.length - start) });
			res.end(gz.subarray(start));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Encoding': 'gzip', 'Accept-Ranges': 'bytes', ETag: '"g"', 'Content-Length': String(gz.length) });
		if (attempt === 1) cut(res, gz, Math.floor(gz.length / 2));
		else res.end(gz);
	});
	const r = await download('gz', 3);
	expect(r.error).toBeUndefined();
	expect(r.stored && Buffer.compare(r.stored, video)).toBe(0);
});

it('gzip chunked proxy with ETag, cut; resume answered by origin 206 identity in decoded offsets (nginx: no gzip on 206): exact', async () => {
	const video = fakeMp4(2_000_000);
	const gz = gzipSync(video);
	serve('gz2', (req, res, attempt) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: '"g"', 'Content-Range': `bytes ${start}-${video.length - 1}/${video.length}`, 'Content-Length': String(video.length - start) });
			res.end(video.subarray(start));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Encoding': 'gzip', 'Accept-Ranges': 'bytes', ETag: '"g"' });
		if (attempt === 1) cut(res, gz, Math.floor(gz.length / 2));
		else res.end(gz);
	});
	const r = await download('gz2', 3);
	expect(r.error).toBeUndefined();
	expect(r.stored && Buffer.compare(r.stored, video)).toBe(0);
});


