/** A weak ETag is sent as If-Range (RFC 9110 13.1.5: a client MUST NOT). An RFC server then answers 200 (weak never matches). */
import { ctx, cut, download, fakeMp4, rangeStart, serve, setup } from '../harness/resumeServer';

setup();

function rfcServer(taskId: string, video: Buffer, etag: string, withLength: boolean) {
	serve(taskId, (req, res, attempt) => {
		const ifRange = req.headers['if-range'] as string | undefined;
		// RFC 9110: If-Range uses strong comparison; a weak tag never matches -> whole file, 200.
		const rangeOk = req.headers.range && (ifRange === undefined || (!ifRange.startsWith('W/') && ifRange === etag && !etag.startsWith('W/')));
		if (rangeOk) {
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', ETag: etag, 'Content-Range': `bytes ${start}-${video.length - 1}/${video.length}`, 'Content-Length': String(video.length - start) });
			res.end(video.subarray(start));
			return;
		}
		const headers: Record<string, string> = { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: etag };
		if (withLength) headers['Content-Length'] = String(video.length);
		res.writeHead(200, headers);
		if (attempt === 1) cut(res, video, 200_000);
		else res.end(video);
	});
}

it('weak ETag, known size, Retries 1: a resume with If-Range W/... gets the whole file (200), which is thrown away; the valid file fails', async () => {
	const video = fakeMp4(600_000);
	rfcServer('w', video, 'W/"v1"', true);
	const { error, stored } = await download('w', 1);
	expect(ctx.requests.some((r) => r.ifRange?.startsWith('W/'))).toBe(false);
	expect(error).toBeUndefined();
	expect(stored && Buffer.compare(stored, video)).toBe(0);
});

it('control: same server, strong ETag, Retries 1: succeeds', async () => {
	const video = fakeMp4(600_000);
	rfcServer('s', video, '"v1"', true);
	const { error, stored } = await download('s', 1);
	expect(error).toBeUndefined();
	expect(stored && Buffer.compare(stored, video)).toBe(0);
});

it('weak ETag, Retries 3, cut every first answer: each break spends two retries (resume + restart)', async () => {
	const video = fakeMp4(600_000);
	rfcServer('w3', video, 'W/"v1"', true);
	const { error } = await download('w3', 3);
	expect(error).toBeUndefined();
});
