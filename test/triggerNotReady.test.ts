/**
 * The status says "completed" a moment before the file is in storage, or the storage link handed out has expired
 * (found by an outside review: the trigger fired such a task once without its file, for ever). The content route's
 * "not ready" answers (404 video_not_ready, 400 task_not_ready, 202) and an expired signed link are asked again on
 * the next polls, each saying why while nothing fires, and only after MAX_NOT_READY_POLLS polls does the event fire
 * without the file. Driven through n8n-core's real poll context against servers on 127.0.0.1.
 */
import type { IncomingMessage, ServerResponse } from 'http';

import { MAX_NOT_READY_POLLS } from '../nodes/SoraVideoTrigger/pollRun';
import { createPoller, readBinary } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';

const KEY = 'sk-review-0123456789abcdef';
let server: TestServer;
afterEach(async () => server.close());

function json(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json' });
	res.end(JSON.stringify(body));
}

let cdn: TestServer | undefined;
afterEach(async () => {
	await cdn?.close();
	cdn = undefined;
});

const notReadyAnswers: Array<[string, (res: ServerResponse) => void]> = [
	[
		'a redirect to a storage link that has expired (403 Request has expired; the node itself says "Run the download again to get a fresh link")',
		(res) => {
			res.writeHead(302, { Location: `${cdn!.origin}/bucket/video_1.mp4?X-Amz-Expires=1` });
			res.end();
		},
	],
	['404 video_not_ready', (res) => json(res, 404, { error: { message: 'Video is not ready yet', code: 'video_not_ready' } })],
	['400 task_not_ready', (res) => json(res, 400, { error: { message: 'task is not ready', code: 'task_not_ready' } })],
	['202 accepted', (res) => json(res, 202, { message: 'processing' })],
];

describe.each(notReadyAnswers)('trigger, status completed but content answers %s once', (_label, notReady) => {
	it('carries the task to the next poll and fires it once WITH its file', async () => {
		server = await startServer();
		cdn = await startServer();
		cdn.route('GET', '/bucket/video_1.mp4', (_req, res) => {
			res.writeHead(403, { 'Content-Type': 'application/xml' });
			res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
		});
		const file = fakeMp4(4096);
		let contentCalls = 0;
		server.route('GET', '/v1/videos/video_1', (_req: IncomingMessage, res) =>
			json(res, 200, { id: 'video_1', object: 'video', status: 'completed', progress: 100, created_at: 1764748800, model: 'sora-2' }),
		);
		server.route('GET', '/v1/videos/video_1/content', (_req, res) => {
			contentCalls++;
			if (contentCalls === 1) return notReady(res);
			res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(file.length) });
			res.end(file);
		});
		const t = await createPoller({
			nodeType: 'soraVideoTrigger',
			parameters: { provider: 'openAiCompatible', watch: 'taskIds', taskIds: 'video_1', events: ['completed'], download: true, options: { retries: 0, retryDelay: 1 } },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
		});
		expect(await t.poll()).toBeNull(); // activation poll: downloads nothing
		const second = await t.poll().catch((error: Error) => error);
		const third = await t.poll().catch((error: Error) => error);
		const fires = [second, third].flatMap((r) => (Array.isArray(r) ? r[0] ?? [] : []));
		const summary = fires.map((item) => ({ id: item.json.id, hasFile: !!item.binary?.data, downloadError: item.json.downloadError ?? null }));
		// Expected: exactly one event for video_1, with its file (the content became available one poll later).
		expect(summary).toEqual([{ id: 'video_1', hasFile: true, downloadError: null }]);
		expect((await readBinary(fires[0])).equals(file)).toBe(true);
	});
});

it('a file that never becomes ready: every poll says why, and the event fires once without the file after MAX_NOT_READY_POLLS polls', async () => {
	server = await startServer();
	server.route('GET', '/v1/videos/video_1', (_req: IncomingMessage, res) =>
		json(res, 200, { id: 'video_1', object: 'video', status: 'completed', progress: 100, created_at: 1764748800, model: 'sora-2' }),
	);
	server.route('GET', '/v1/videos/video_1/content', (_req, res) => json(res, 404, { error: { message: 'Video is not ready yet', code: 'video_not_ready' } }));
	const t = await createPoller({
		nodeType: 'soraVideoTrigger',
		parameters: { provider: 'openAiCompatible', watch: 'taskIds', taskIds: 'video_1', events: ['completed'], download: true, options: { retries: 0, retryDelay: 1 } },
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
	});
	expect(await t.poll()).toBeNull();
	const outcomes: string[] = [];
	const fired: Array<{ id: unknown; downloadError: unknown; hasFile: boolean }> = [];
	for (let poll = 0; poll < MAX_NOT_READY_POLLS + 2; poll++) {
		const result = await t.poll().catch((error: Error) => error);
		if (result instanceof Error) outcomes.push(`error: ${result.message}`);
		else if (result === null) outcomes.push('nothing');
		else {
			outcomes.push('fired');
			for (const item of result[0]) fired.push({ id: item.json.id, downloadError: item.json.downloadError, hasFile: !!item.binary?.data });
		}
	}
	expect(outcomes.slice(0, MAX_NOT_READY_POLLS - 1).every((outcome) => /^error: .*not ready/i.test(outcome))).toBe(true);
	expect(outcomes[MAX_NOT_READY_POLLS - 1]).toBe('fired');
	expect(outcomes.slice(MAX_NOT_READY_POLLS)).toEqual(['nothing', 'nothing']);
	expect(fired).toEqual([{ id: 'video_1', hasFile: false, downloadError: expect.stringMatching(new RegExp(`asked on ${MAX_NOT_READY_POLLS} polls; the event fires without the file`)) }]);
	expect(JSON.stringify(outcomes)).not.toContain(KEY);
});
