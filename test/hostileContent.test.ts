/**
 * "A file is a success only when its bytes are the media that was asked for" (issue 15, section 2), in n8n's real
 * engine against the provider simulator's content switches and a raw server on 127.0.0.1: a web page or a short
 * text served with 200 as a video is refused through the error path and nothing is stored; unknown bytes are refused
 * saying what arrived; the trigger fires such a task with `downloadError` and no file. Also: a status answer nested
 * a million deep ends in one of our errors, not a crash.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { ProviderSimulator, WebPageStart } from '../simulator/simulator';
import { contentBytes } from '../simulator/simulator';
import { createPoller, readBinary, runNode, storedFiles } from './harness/engine';
import type { TestServer } from './harness/server';
import { startServer } from './harness/server';
import { useSimulator } from './harness/simulator';
import { everythingShown, fileFacts, KEY } from './harness/sora';

let sim: ProviderSimulator;
const simulator = useSimulator();
beforeEach(() => {
	sim = simulator.current;
});

async function download(taskId: string, variant = 'video') {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'voidAi', operation: 'downloadContent', taskId, variant, binaryPropertyName: 'data', options: { retries: 0, retryDelay: 1 } },
		credentials: { voidAiApi: { apiKey: KEY, baseUrl: sim.baseUrl('voidai') } },
	});
}

function description(error: Error | undefined): string {
	return String((error as { description?: unknown } | undefined)?.description ?? '');
}

describe('Download Content refuses what is not the media', () => {
	it.each<[WebPageStart, string | null]>([
		['comment', 'application/octet-stream'],
		['comment', 'video/mp4'],
		['title', 'application/octet-stream'],
		['title', 'video/mp4'],
		['meta', 'application/octet-stream'],
		['meta', null],
		['doctype', 'video/mp4'],
	])('a web page starting with %p, served with 200 as %p: an error saying a web page answered; nothing stored', async (start, contentType) => {
		sim.addTask({ id: 'v', forced: 'completed', faults: [{ type: 'webPage', contentType, start, times: 1 }] });
		const before = storedFiles().length;
		const result = await download('v');
		expect(result.items).toHaveLength(0);
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe('VoidAI answered the download with an unexpected response (HTTP 200)');
		expect(description(result.error)).toMatch(/The answer was a web page( titled "Just a moment\.\.\.")? \(from a proxy or web server\), not the API's JSON\./);
		// Explained like any other error answer: the status endpoint was asked.
		expect(sim.requests.map((request) => request.path)).toEqual(['/voidai/v1/videos/v/content', '/voidai/v1/videos/v']);
		expect(storedFiles()).toHaveLength(before);
	});

	it('six bytes of text sent as video/mp4 are an error answer, not a six-byte video', async () => {
		sim.addTask({ id: 'v', forced: 'completed', faults: [{ type: 'textBody', text: 'string', contentType: 'video/mp4', times: 1 }] });
		const before = storedFiles().length;
		const result = await download('v');
		expect(result.items).toHaveLength(0);
		expect(result.error?.message).toBe('VoidAI answered the download with an unexpected response (HTTP 200): string');
		expect(storedFiles()).toHaveLength(before);
	});

	it('the same task downloads normally once the switch is used up', async () => {
		sim.addTask({ id: 'v', forced: 'completed', contentBytes: 300_000, faults: [{ type: 'webPage', contentType: 'video/mp4', times: 1 }] });
		expect((await download('v')).error).toBeDefined();
		const result = await download('v');
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0])).toMatchObject({ mimeType: 'video/mp4', fileSize: 300_000 });
		expect(Buffer.compare(await readBinary(result.items[0]), contentBytes('v', 'video', 300_000))).toBe(0);
	});
});

describe('unknown bytes are refused, saying what arrived', () => {
	let server: TestServer;
	beforeEach(async () => {
		server = await startServer();
	});
	afterEach(async () => {
		await server.close();
	});

	async function serve(bytes: Buffer, headers: Record<string, string>, variant = 'video') {
		server.route('GET', '/v1/videos/video_x/content', (_req, res) => {
			res.writeHead(200, headers);
			res.end(bytes);
		});
		server.route('GET', '/v1/videos/video_x', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ id: 'video_x', status: 'completed' }));
		});
		return await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId: 'video_x', variant, binaryPropertyName: 'data', options: { retries: 0 } },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
		});
	}

	it('with the first 16 bytes as hex, the declared type and the Content-Length', async () => {
		const bytes = Buffer.concat([Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), Buffer.alloc(1000, 0xaa)]);
		const before = storedFiles().length;
		const result = await serve(bytes, { 'Content-Type': 'video/mp4', 'Content-Length': String(bytes.length) });
		expect(result.items).toHaveLength(0);
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toBe(
			'OpenAI-Compatible Gateway sent the video of task "video_x" as bytes that are not a known video or image format: they start with de ad be ef 00 01 02 03 04 05 06 07 08 09 0a 0b (Content-Type: video/mp4, 1018 bytes); nothing was stored',
		);
		expect(storedFiles()).toHaveLength(before);
	});

	it('a short body without a type or a length: as many bytes as arrived, "no Content-Type", "unknown size"', async () => {
		server.route('GET', '/v1/videos/video_x/content', (_req, res) => {
			res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
			res.end(Buffer.from([0x00, 0x9f, 0x92]));
		});
		const result = await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId: 'video_x', variant: 'thumbnail', binaryPropertyName: 'data', options: { retries: 0 } },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
		});
		expect(result.error?.message).toBe(
			'OpenAI-Compatible Gateway sent the thumbnail of task "video_x" as bytes that are not a known video or image format: they start with 00 9f 92 (no Content-Type, unknown size); nothing was stored',
		);
	});

	it('never shows the API key, even when the server puts it in the Content-Type', async () => {
		const result = await serve(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), { 'Content-Type': `application/x-${KEY}` });
		expect(result.error?.message).toMatch(/Content-Type: application\/x-\*\*\*, unknown size\)/);
		expect(everythingShown(result)).not.toContain(KEY);
	});

	it('a video sent for a thumbnail is still stored, with a warning', async () => {
		const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42', 'latin1'), Buffer.alloc(500, 7)]);
		const result = await serve(video, { 'Content-Type': 'image/webp' }, 'thumbnail');
		expect(result.error).toBeUndefined();
		expect(fileFacts(result.items[0])).toMatchObject({ mimeType: 'video/mp4', warning: expect.stringContaining('Asked for the thumbnail') });
	});
});

describe('the trigger', () => {
	it('fires a task whose file is a web page once, with downloadError and no file; the others get theirs', async () => {
		sim.addTask({ id: 'page', forced: 'completed', faults: [{ type: 'webPage', contentType: 'application/octet-stream', times: 5 }] });
		sim.addTask({ id: 'text', forced: 'completed', faults: [{ type: 'textBody', text: 'string', contentType: 'video/mp4', times: 5 }] });
		sim.addTask({ id: 'ok', forced: 'completed', contentBytes: 100_000 });
		const t = await createPoller({
			nodeType: 'soraVideoTrigger',
			parameters: { provider: 'voidAi', events: ['completed'], watch: 'taskIds', taskIds: 'page, text, ok', download: true, variant: 'video', binaryPropertyName: 'data', options: { retries: 0, retryDelay: 1 } },
			credentials: { voidAiApi: { apiKey: KEY, baseUrl: sim.baseUrl('voidai') } },
		});
		const before = storedFiles().length;
		expect(await t.poll()).toBeNull();
		const items: INodeExecutionData[] = (await t.poll())?.[0] ?? [];
		const byId = Object.fromEntries(items.map((item) => [item.json.id, item]));
		expect(Object.keys(byId).sort()).toEqual(['ok', 'page', 'text']);
		expect(byId.page.binary).toBeUndefined();
		expect(byId.page.json.downloadError).toBe('VoidAI answered the download with an unexpected response (HTTP 200)');
		expect(byId.text.binary).toBeUndefined();
		expect(byId.text.json.downloadError).toBe('VoidAI answered the download with an unexpected response (HTTP 200): string');
		expect(byId.ok.binary?.data.mimeType).toBe('video/mp4');
		expect(storedFiles()).toHaveLength(before + 1);
		expect(await t.poll()).toBeNull();
	});
});

describe('a status answer nested a million deep', () => {
	let server: TestServer;
	beforeEach(async () => {
		server = await startServer();
	});
	afterEach(async () => {
		await server.close();
	});

	it.each([
		['a bare array', `${'['.repeat(500_000)}${']'.repeat(500_000)}`],
		['a task with a deep field', `{"id":"video_x","status":"completed","raw":${'['.repeat(400_000)}${']'.repeat(400_000)}}`],
	])('%s is one of our errors, not a crash', async (_name, body) => {
		server.route('GET', '/v1/videos/video_x', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(body);
		});
		const result = await runNode({
			nodeType: 'soraVideo',
			parameters: { provider: 'openAiCompatible', operation: 'getStatus', taskId: 'video_x', options: { retries: 0, includeRawResponse: true } },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
		});
		expect(result.items).toHaveLength(0);
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toMatch(/^OpenAI-Compatible Gateway answered the status check with an unexpected response \(HTTP 200\)/);
		expect(result.error?.message.length).toBeLessThan(700);
	});
});
