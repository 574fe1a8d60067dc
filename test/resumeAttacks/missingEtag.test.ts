/** A 206 without the ETag the first answer had is taken as the same file (sameValidator: undefined matches anything). */
import { cut, download, fakeMp4, rangeStart, replacement, serve, setup } from '../harness/resumeServer';

setup();

it('chunked first answer with ETag; resume 206 of ANOTHER file with no ETag was spliced: now starts over', async () => {
	const old = fakeMp4(600_000);
	const replaced = replacement(old, 900_000);
	serve('a', (req, res) => {
		if (req.headers.range) {
			// a server/proxy that ignores If-Range and does not send ETag on 206
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', 'Content-Range': `bytes ${start}-${replaced.length - 1}/${replaced.length}`, 'Content-Length': String(replaced.length - start) });
			res.end(replaced.subarray(start));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"' });
		cut(res, old, 200_000);
	});
	const { error, stored } = await download('a');
	const spliced = stored !== undefined && Buffer.compare(stored, Buffer.concat([old.subarray(0, 200_000), replaced.subarray(200_000)])) === 0;
	expect({ success: error === undefined, spliced }).toEqual({ success: false, spliced: false });
});

it('sized first answer with ETag; same-size replacement in a 206 with no ETag was spliced: now starts over', async () => {
	const old = fakeMp4(600_000);
	const replaced = replacement(old, 600_000);
	serve('b', (req, res) => {
		if (req.headers.range) {
			const start = rangeStart(req);
			res.writeHead(206, { 'Content-Type': 'video/mp4', 'Content-Range': `bytes ${start}-${replaced.length - 1}/${replaced.length}`, 'Content-Length': String(replaced.length - start) });
			res.end(replaced.subarray(start));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', ETag: '"v1"', 'Last-Modified': 'Thu, 03 Dec 2026 11:00:00 GMT', 'Content-Length': String(old.length) });
		cut(res, old, 200_000);
	});
	const { error, stored } = await download('b');
	const spliced = stored !== undefined && Buffer.compare(stored, Buffer.concat([old.subarray(0, 200_000), replaced.subarray(200_000)])) === 0;
	expect({ success: error === undefined, spliced }).toEqual({ success: false, spliced: false });
});
