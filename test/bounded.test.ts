/**
 * Bounded reads against gateways that misbehave on real sockets: huge or endless answers, answers that
 * trickle a byte at a time, and list cursors that never end. Nothing is held whole; every case ends with
 * a clear error within the Timeout.
 */
import type { ServerResponse } from 'http';

import { runNode, useBinaryMode } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';
import { KEY } from './harness/sora';

let server: TestServer;
/** Bytes each endless response managed to hand to its socket before the client gave up. */
const written = new Map<string, number>();

/** Writes `chunk` for ever (with backpressure) until the client goes away, counting what left. */
function endless(res: ServerResponse, name: string, chunk: Buffer): void {
	written.set(name, 0);
	const pump = () => {
		while (!res.destroyed) {
			written.set(name, (written.get(name) ?? 0) + chunk.length);
			if (!res.write(chunk)) {
				res.once('drain', pump);
				return;
			}
		}
	};
	res.on('close', () => res.removeListener('drain', pump));
	pump();
}

/** One byte every `everyMs`, for ever. */
function trickle(res: ServerResponse, text: string, everyMs = 500): void {
	let index = 0;
	const timer = setInterval(() => {
		if (res.destroyed) return clearInterval(timer);
		res.write(text[index++ % text.length]);
	}, everyMs);
	res.on('close', () => clearInterval(timer));
}

const MiB = 1024 * 1024;

beforeAll(async () => {
	await useBinaryMode('filesystem');
	server = await startServer();
	const page = Buffer.from(`<html><body>${'<p>An error page that goes on and on. Still processing.</p>'.repeat(1000)}`);
	server.route('GET', '/v1/videos/huge_error', (_req, res) => {
		res.writeHead(400, { 'Content-Type': 'text/html', 'Content-Length': String(300 * MiB) });
		endless(res, 'huge_error', page);
	});
	server.route('GET', '/v1/videos/huge_status', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.write('{"id":"huge_status","status":"completed","padding":"');
		endless(res, 'huge_status', Buffer.alloc(64 * 1024, 'x'));
	});
	server.route('GET', '/v1/videos/declared_huge', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(300 * MiB) });
		endless(res, 'declared_huge', Buffer.alloc(64 * 1024, ' '));
	});
	server.route('GET', '/v1/videos/trickle', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		trickle(res, '{"id":"trickle","status":"completed"}      ');
	});
	server.route('GET', '/v1/videos/trickle/content', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': '1000000' });
		res.write(fakeMp4(1000));
		trickle(res, 'abcdefgh');
	});
	server.route('GET', '/v1/videos/trickle_error/content', (_req, res) => {
		res.writeHead(404, { 'Content-Type': 'application/json' });
		trickle(res, '{"error":{"message":"not found"}}');
	});
	server.route('GET', '/v1/videos/huge_error/content', (_req, res) => {
		res.writeHead(400, { 'Content-Type': 'application/json' });
		endless(res, 'huge_error_content', Buffer.from('{"error":{"message":"x"}}'.repeat(2000)));
	});
});

afterAll(async () => {
	await server.close();
});

async function run(parameters: Record<string, unknown>, baseUrl = server.url) {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', ...parameters },
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
	});
}

describe('answers that are not files are read with a cap', () => {
	it('a 300 MiB error page: only its head is read, and the error says what it was', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'huge_error', options: { retries: 0 } });
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway rejected the status check request (HTTP 400)');
		expect((result.error as { description?: string }).description).toMatch(/The answer was a web page \(from a proxy or web server\), not the API's JSON\./);
		// What left the server is the 64 KiB we read plus what socket buffers took, nowhere near 300 MiB.
		expect(written.get('huge_error')).toBeLessThan(16 * MiB);
	});

	it('an endless success answer stops at the status cap with a clear error', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'huge_status', options: { retries: 0 } });
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway sent a status check answer larger than 1 MiB; it was not read');
		expect((result.error as { description?: string }).description).toMatch(/Check that the base URL .* points at the video API/);
		expect(written.get('huge_status')).toBeLessThan(16 * MiB);
	});

	it('a declared Content-Length over the cap is refused before reading', async () => {
		const result = await run({ operation: 'getStatus', taskId: 'declared_huge', options: { retries: 0 } });
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway sent a status check answer larger than 1 MiB; it was not read');
		expect(written.get('declared_huge')).toBeLessThan(16 * MiB);
	});

	it('an endless error answer on the content endpoint is capped too', async () => {
		const result = await run({ operation: 'downloadContent', taskId: 'huge_error', variant: 'video', binaryPropertyName: 'data', options: { retries: 0 } });
		expect(result.error).toBeDefined();
		expect(written.get('huge_error_content')).toBeLessThan(16 * MiB);
	});
});

describe('the Timeout bounds the whole answer, not only silence', () => {
	it('a status answer trickling a byte every half second is cut off', async () => {
		const started = Date.now();
		const result = await run({ operation: 'getStatus', taskId: 'trickle', options: { retries: 0, timeout: 2 } });
		expect(result.error?.message).toBe(`OpenAI-Compatible Gateway did not answer in time during the status check (${server.origin})`);
		expect(Date.now() - started).toBeLessThan(10_000);
	});

	it('a file trickling a byte every half second is cut off as stalled', async () => {
		const result = await run({ operation: 'downloadContent', taskId: 'trickle', variant: 'video', binaryPropertyName: 'data', options: { retries: 0, timeout: 2 } });
		expect(result.error?.message).toMatch(/^The download of task "trickle" stalled: less than 64 KiB arrived in 2 s, after \d+ bytes$/);
	});

	it('an error answer trickling on the content endpoint ends within the Timeout', async () => {
		const started = Date.now();
		const result = await run({ operation: 'downloadContent', taskId: 'trickle_error', variant: 'video', binaryPropertyName: 'data', options: { retries: 0, timeout: 2 } });
		expect(result.error).toBeDefined();
		expect(Date.now() - started).toBeLessThan(15_000);
	});
});

describe('List with Return All never pages for ever', () => {
	const task = (id: string) => ({ id, object: 'video', status: 'completed', created_at: 1762499410 });

	it('a gateway that ignores `after` (the same page again) stops with a clear error', async () => {
		let calls = 0;
		server.route('GET', '/repeat/videos', (_req, res) => {
			calls++;
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ object: 'list', data: [task('a'), task('b')], has_more: true, last_id: 'b' }));
		});
		const result = await run({ operation: 'list', returnAll: true, options: { retries: 0 } }, `${server.origin}/repeat`);
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway sent the page ending at "b" twice, after 4 tasks; the list was stopped');
		expect((result.error as { description?: string }).description).toMatch(/Turn off "Return All"/);
		expect(calls).toBe(2);
	});

	it('pages that never end stop at the page cap with a clear error', async () => {
		let calls = 0;
		server.route('GET', '/endless/videos', (_req, res) => {
			calls++;
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ object: 'list', data: [task(`t${calls}`)], has_more: true }));
		});
		const result = await run({ operation: 'list', returnAll: true, options: { retries: 0 } }, `${server.origin}/endless`);
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway still had more tasks after 1000 pages (1000 tasks); the list was stopped');
		expect(calls).toBe(1000);
	});
});
