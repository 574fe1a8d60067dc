/**
 * Downloads in every binary data mode n8n has (issue 16): the body handed to `prepareBinaryData` is the package's
 * own object, read by n8n's filesystem store as an async iterable (`fs.promises.writeFile`) and by the `database`
 * store and n8n's in-memory default as `data`/`end` events (`binaryToBuffer`). In each mode a file arrives whole,
 * a dropped body is resumed, a silent one is cut off by the idle watchdog, and an error page is refused with
 * nothing stored.
 */
import { join } from 'path';

import type { DatabaseLikeManager } from './harness/databaseStore';
import { useDatabaseMode } from './harness/databaseStore';
import { PACKAGE_ROOT, readBinary, runNode, storedFiles, useBinaryMode } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';
import { KEY } from './harness/sora';

type Mode = 'default' | 'filesystem' | 'database';
const MODES: Mode[] = ['default', 'filesystem', 'database'];

let server: TestServer;
let db: DatabaseLikeManager | undefined;
/** Range headers the content route received, per task. */
const ranges: Record<string, Array<string | undefined>> = {};

function forgetStoreKnowledge(): void {
	(require(join(PACKAGE_ROOT, 'dist/nodes/shared/binaryStore.js')) as { forgetStoreKnowledge(): void }).forgetStoreKnowledge();
}

async function useMode(mode: Mode): Promise<void> {
	forgetStoreKnowledge();
	db = mode === 'database' ? await useDatabaseMode(512) : undefined;
	if (mode !== 'database') await useBinaryMode(mode);
}

/** What the mode's store holds now: files on disk and database rows. */
function storeCount(): number {
	// n8n removes a failed write's temp file after it has answered: only finished files count.
	return storedFiles().filter((file) => !file.includes('.tmp.')).length + (db?.rows.size ?? 0);
}

function statusRoute(taskId: string): void {
	server.route('GET', `/v1/videos/${taskId}`, (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ id: taskId, status: 'completed' }));
	});
}

/** `dropAt`: the first answer breaks off after this many bytes; `silentAt`: it goes silent there instead. */
function serve(taskId: string, body: Buffer, behaviour: { dropAt?: number; silentAt?: number; type?: string } = {}): void {
	ranges[taskId] = [];
	server.route('GET', `/v1/videos/${taskId}/content`, (req, res) => {
		const range = req.headers.range;
		ranges[taskId].push(range);
		const type = behaviour.type ?? 'video/mp4';
		const start = range ? Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0) : 0;
		if (range) {
			res.writeHead(206, { 'Content-Type': type, 'Content-Length': String(body.length - start), 'Accept-Ranges': 'bytes', 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
			res.end(body.subarray(start));
			return;
		}
		res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' });
		if (behaviour.dropAt !== undefined) {
			res.write(body.subarray(0, behaviour.dropAt), () => setTimeout(() => res.destroy(), 20));
			return;
		}
		if (behaviour.silentAt !== undefined) {
			res.write(body.subarray(0, behaviour.silentAt));
			return;
		}
		res.end(body);
	});
	statusRoute(taskId);
}

async function download(taskId: string, options: Record<string, unknown> = {}) {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: {
			provider: 'openAiCompatible',
			operation: 'downloadContent',
			taskId,
			variant: 'video',
			binaryPropertyName: 'data',
			options: { retries: 2, retryDelay: 1, timeout: 20, ...options },
		},
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
	});
}

beforeEach(async () => {
	server = await startServer();
});
afterEach(async () => {
	await server.close();
});
afterAll(async () => {
	forgetStoreKnowledge();
	await useBinaryMode('filesystem');
});

describe.each(MODES)('binary data mode %s', (mode) => {
	beforeEach(async () => {
		await useMode(mode);
	});

	it('stores the whole file, byte for byte', async () => {
		const video = fakeMp4(3 * 1024 * 1024 + 17);
		serve('whole', video);
		const result = await download('whole');
		expect(result.error).toBeUndefined();
		expect(Buffer.compare(await readBinary(result.items[0]), video)).toBe(0);
		expect(result.items[0].binary?.data).toMatchObject({ bytes: video.length, mimeType: 'video/mp4' });
		if (mode !== 'default') expect(result.items[0].binary?.data.id).toMatch(mode === 'database' ? /^database:/ : /^filesystem/);
	});

	it('resumes a body that broke off, from the byte where it broke', async () => {
		const video = fakeMp4(2 * 1024 * 1024);
		serve('dropped', video, { dropAt: 700_000 });
		const result = await download('dropped');
		expect(result.error).toBeUndefined();
		expect(Buffer.compare(await readBinary(result.items[0]), video)).toBe(0);
		expect(ranges.dropped[0]).toBeUndefined();
		expect(ranges.dropped[1]).toMatch(/^bytes=\d+-$/);
		expect(Number(/\d+/.exec(ranges.dropped[1] ?? '')?.[0])).toBeGreaterThan(0);
	});

	it('cuts off a body that goes silent (the idle watchdog) and stores nothing', async () => {
		const before = storeCount();
		serve('silent', fakeMp4(4 * 1024 * 1024), { silentAt: 100_000 });
		const started = Date.now();
		const result = await download('silent', { retries: 0, timeout: 1 });
		expect(result.items).toHaveLength(0);
		expect(result.error?.message).toMatch(/^The download of task "silent" stalled/);
		expect(Date.now() - started).toBeLessThan(8000);
		expect(storeCount()).toBe(before);
	});

	it('refuses an error page sent as a video before anything is stored', async () => {
		const before = storeCount();
		serve('page', Buffer.from('<!DOCTYPE html><html><body>Service unavailable</body></html>'.padEnd(5000, ' ')), { type: 'video/mp4' });
		const result = await download('page', { retries: 0 });
		expect(result.items).toHaveLength(0);
		expect(result.error).toBeDefined();
		expect(storeCount()).toBe(before);
	});
});
