/**
 * n8n's `database` binary data mode refuses files over N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (issue 15, section 2),
 * in n8n's real engine with n8n's binary data service in `database` mode (harness/databaseStore.ts: n8n's own
 * `binaryToBuffer` and `FileTooLargeError`, the row insert kept in memory). The node cannot read the setting: it
 * re-words n8n's refusal, learns the mode from the IDs of files n8n stores and the limit from that refusal, and from
 * then on refuses what cannot fit before downloading (Content-Length) or as soon as the bytes pass the limit.
 */
import { Container } from '@n8n/di';
import { BinaryDataConfig } from 'n8n-core';
import type { INodeExecutionData } from 'n8n-workflow';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import { useDatabaseMode } from './harness/databaseStore';
import { createPoller, PACKAGE_ROOT, readBinary, runNode, storedFiles, useBinaryMode } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';
import { fileFacts, KEY } from './harness/sora';

const MIB = 1024 * 1024;

/** The built module the engine loaded (same module registry): what this process has learned about n8n's store. */
function storeKnowledge(): { forgetStoreKnowledge(): void; knownStoreLimit(): { bytes: number; exact: boolean } | null } {
	return require(join(PACKAGE_ROOT, 'dist/nodes/shared/binaryStore.js')) as ReturnType<typeof storeKnowledge>;
}

let server: TestServer;
/** Per content route: bytes the server managed to hand to its socket (with backpressure) before the client stopped reading. */
const written: Record<string, number> = {};

function serve(taskId: string, body: Buffer, options: { length?: number | null; hold?: boolean; endless?: boolean } = {}): void {
	server.route('GET', `/v1/videos/${taskId}/content`, (_req, res) => {
		const headers: Record<string, string> = { 'Content-Type': 'video/mp4' };
		if (options.length !== null) headers['Content-Length'] = String(options.length ?? body.length);
		res.writeHead(200, headers);
		written[taskId] = 0;
		if (options.hold) {
			// Headers, the first bytes, then silence: a client that reads on waits for its Timeout.
			res.write(body.subarray(0, 64));
			return;
		}
		if (options.endless) {
			// The body, then more of it for ever, as fast as the client reads.
			const pump = (): void => {
				while (!res.destroyed) {
					written[taskId] += body.length;
					if (!res.write(body)) {
						res.once('drain', pump);
						return;
					}
				}
			};
			res.on('close', () => res.removeListener('drain', pump));
			pump();
			return;
		}
		written[taskId] = body.length;
		res.end(body);
	});
	server.route('GET', `/v1/videos/${taskId}`, (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ id: taskId, status: 'completed' }));
	});
}

async function download(taskId: string, timeoutSeconds = 20) {
	const started = Date.now();
	const result = await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId, variant: 'video', binaryPropertyName: 'data', options: { retries: 0, timeout: timeoutSeconds } },
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
	});
	return { ...result, ms: Date.now() - started };
}

const SETTING = /N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE \(in MiB: 512 by default, 1024 at most\)\. Raise that setting .* use S3 storage \(N8N_DEFAULT_BINARY_DATA_MODE=s3\)/;

function description(error: Error | undefined): string {
	return String((error as { description?: unknown } | undefined)?.description ?? '');
}

beforeEach(async () => {
	server = await startServer();
	storeKnowledge().forgetStoreKnowledge();
});
afterEach(async () => {
	await server.close();
});
afterAll(async () => {
	await useBinaryMode('filesystem');
});

describe("n8n's database mode", () => {
	it('over the limit before the limit is known: n8n refuses it, the error is re-worded, nothing is stored, the limit is learned', async () => {
		const db = await useDatabaseMode(1);
		serve('big', fakeMp4(2 * MIB + 5));
		const result = await download('big');
		expect(result.items).toHaveLength(0);
		expect(result.error?.message).toBe('The video of task "big" is 2 MiB, more than n8n\'s "database" binary data mode stores (1 MiB); nothing was stored');
		expect(description(result.error)).toMatch(SETTING);
		expect(db.storeCalls).toBe(1);
		expect(db.rows.size).toBe(0);
		expect(storeKnowledge().knownStoreLimit()).toEqual({ bytes: MIB, exact: true });
	});

	it('once the limit is known, a Content-Length over it fails before downloading', async () => {
		const db = await useDatabaseMode(1);
		serve('big', fakeMp4(2 * MIB + 5));
		await download('big');
		serve('held', fakeMp4(3 * MIB), { hold: true });
		const result = await download('held');
		expect(result.error?.message).toBe('The video of task "held" is 3 MiB, more than n8n\'s "database" binary data mode stores (1 MiB); it was not downloaded');
		expect(description(result.error)).toMatch(SETTING);
		// Not read: a client reading on would have waited for the 20 s Timeout.
		expect(result.ms).toBeLessThan(10_000);
		expect(db.storeCalls).toBe(1);
	});

	it('once the limit is known, a body without Content-Length is stopped as it passes the limit; nothing is stored', async () => {
		const db = await useDatabaseMode(1);
		serve('big', fakeMp4(2 * MIB + 5));
		await download('big');
		serve('chunked', fakeMp4(256 * 1024), { length: null, endless: true });
		const result = await download('chunked');
		expect(result.items).toHaveLength(0);
		expect(result.error?.message).toBe('The video of task "chunked" is more than n8n\'s "database" binary data mode stores (1 MiB); the download was stopped and nothing was stored');
		expect(description(result.error)).toMatch(SETTING);
		expect(db.rows.size).toBe(0);
		// Stopped at the limit: what left the server is the 1 MiB read plus what socket buffers took.
		expect(written.chunked).toBeLessThan(16 * MIB);
	});

	it('a file within the limit is stored (the mode is learned from its ID); then a Content-Length over n8n\'s 1 GiB ceiling fails before downloading', async () => {
		const db = await useDatabaseMode(512);
		const video = fakeMp4(300_000);
		serve('small', video);
		const stored = await download('small');
		expect(stored.error).toBeUndefined();
		expect(stored.items[0].binary?.data.id).toMatch(/^database:/);
		expect(Buffer.compare(await readBinary(stored.items[0]), video)).toBe(0);
		expect(storeKnowledge().knownStoreLimit()).toEqual({ bytes: 1024 * MIB, exact: false });
		serve('huge', fakeMp4(1000), { length: 3 * 1024 * MIB, hold: true });
		const result = await download('huge');
		expect(result.error?.message).toBe(
			'The video of task "huge" is 3072 MiB, more than n8n\'s "database" binary data mode stores (at most 1024 MiB, whatever its setting); it was not downloaded',
		);
		expect(result.ms).toBeLessThan(10_000);
		expect(db.storeCalls).toBe(1);
	});

	it('the trigger fires such a task once, with downloadError and no file, and does not download it again', async () => {
		const db = await useDatabaseMode(1);
		serve('big', fakeMp4(2 * MIB + 5));
		server.route('GET', '/v1/videos/ok/content', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'video/mp4' });
			res.end(fakeMp4(100_000));
		});
		server.route('GET', '/v1/videos/ok', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ id: 'ok', status: 'completed' }));
		});
		const t = await createPoller({
			nodeType: 'soraVideoTrigger',
			parameters: { provider: 'openAiCompatible', events: ['completed'], watch: 'taskIds', taskIds: 'big, ok', download: true, variant: 'video', binaryPropertyName: 'data', options: { retries: 0, retryDelay: 1 } },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
		});
		expect(await t.poll()).toBeNull();
		const items: INodeExecutionData[] = (await t.poll())?.[0] ?? [];
		const byId = Object.fromEntries(items.map((item) => [item.json.id, item]));
		expect(byId.big.binary).toBeUndefined();
		expect(byId.big.json.downloadError).toBe('The video of task "big" is 2 MiB, more than n8n\'s "database" binary data mode stores (1 MiB); nothing was stored');
		expect(byId.ok.binary?.data.id).toMatch(/^database:/);
		expect(db.rows.size).toBe(1);
		const contentRequests = () => server.requests.filter((request) => request.url.startsWith('/v1/videos/big/content')).length;
		const before = contentRequests();
		expect(await t.poll()).toBeNull();
		expect(contentRequests()).toBe(before);
	});
});

describe('other modes have no such limit', () => {
	it('filesystem: a file over the database limit is stored, and a large Content-Length is not refused up front', async () => {
		await useBinaryMode('filesystem');
		Container.get(BinaryDataConfig).dbMaxFileSize = 1;
		serve('big', fakeMp4(2 * MIB + 5));
		const result = await download('big');
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0]).fileSize).toBe(2 * MIB + 5);
		expect(storeKnowledge().knownStoreLimit()).toBeNull();
		const before = storedFiles().length;
		serve('huge', fakeMp4(1000), { length: 3 * 1024 * MIB, hold: true });
		const held = await download('huge', 1);
		// It was read (and stalled), not refused for its size.
		expect(held.error?.message).toMatch(/^The download of task "huge" stalled/);
		expect(storedFiles()).toHaveLength(before);
	});
});

describe('what this reproduces is what n8n 2.41.1 does', () => {
	it("n8n-core: the setting's default is 512 MiB and its config refuses more than 1024 MiB", () => {
		const source = readFileSync(require.resolve('n8n-core/dist/binary-data/binary-data.config.js'), 'utf8');
		expect(source).toContain("N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE");
		expect(source).toContain('this.dbMaxFileSize = 512;');
		expect(source).toContain(".max(1024, 'Binary data max file size in `database` mode cannot exceed 1024 MiB')");
		expect(Container.get(BinaryDataConfig).dbMaxFileSize).toBeLessThanOrEqual(1024);
	});

	const runtime = [process.env.SORA_RUNTIME_DIR, join(PACKAGE_ROOT, '.cache/runtime'), '/work/main/.cache/runtime']
		.filter((dir): dir is string => Boolean(dir))
		.map((dir) => join(dir, 'n8n/node_modules/n8n/dist/binary-data/database.manager.js'))
		.find((file) => existsSync(file));

	(runtime ? it : it.skip)("n8n's DatabaseManager.store reads the whole stream, then refuses it over dbMaxFileSize before inserting (the installed runtime)", () => {
		const source = readFileSync(runtime as string, 'utf8');
		const store = source.slice(source.indexOf('async store('), source.indexOf('getPath('));
		const order = ['binaryToBuffer)(bufferOrStream)', 'fileSizeMb = fileSizeBytes / (1024 * 1024)', 'if (fileSizeMb > this.config.dbMaxFileSize)', 'FileTooLargeError', 'this.repository.insert('];
		let at = 0;
		for (const step of order) {
			const found = store.indexOf(step, at);
			expect({ step, found: found >= 0 }).toEqual({ step, found: true });
			at = found;
		}
	});
});
