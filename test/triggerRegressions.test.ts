/**
 * Sora Video Trigger: regressions an outside review reproduced (each against its own server on 127.0.0.1,
 * through n8n's real poll context).
 */
import type { ServerResponse } from 'http';
import type { INodeExecutionData } from 'n8n-workflow';

import { createPoller } from './harness/engine';
import type { TestServer } from './harness/server';
import { fakeMp4, startServer } from './harness/server';

const KEY = 'sk-review-0123456789abcdef';
let server: TestServer;
let cdn: TestServer | undefined;
afterEach(async () => {
	await server.close();
	await cdn?.close();
	cdn = undefined;
});

function json(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json' });
	res.end(JSON.stringify(body));
}

describe('n8n discards the items of a poll whose activation was replaced', () => {
	it('saving the active workflow while a poll downloads: the task still fires once (with its file) in the new activation', async () => {
		server = await startServer();
		let status = 'in_progress';
		const file = fakeMp4(8192);
		server.route('GET', '/v1/videos/video_1', (_req, res) =>
			json(res, 200, { id: 'video_1', object: 'video', status, progress: status === 'completed' ? 100 : 50, created_at: 1764748800 }),
		);
		server.route('GET', '/v1/videos/video_1/content', (_req, res) => {
			setTimeout(() => {
				res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(file.length) });
				res.end(file);
			}, 1500);
		});
		const setup = {
			nodeType: 'soraVideoTrigger',
			parameters: { provider: 'openAiCompatible', watch: 'taskIds', taskIds: 'video_1', events: ['completed'], download: true, options: { retries: 0, retryDelay: 1 } },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
			workflowId: 'wf-regression-superseded',
			oneContext: true,
		};
		const old = await createPoller(setup);
		expect(await old.poll()).toBeNull();
		const inDatabase = JSON.parse(JSON.stringify(old.staticData));
		status = 'completed';
		const inFlight = old.poll();
		await new Promise((resolve) => setTimeout(resolve, 400));
		// Saved while the download runs: a new activation from the database; n8n discards the old poll's items.
		const current = await createPoller({ ...setup, staticData: inDatabase });
		await inFlight;
		const fired: INodeExecutionData[] = [];
		for (let i = 0; i < 3; i++) fired.push(...((await current.poll())?.[0] ?? []));
		expect(fired.map((item) => ({ id: item.json.id, file: !!item.binary?.data }))).toEqual([{ id: 'video_1', file: true }]);
	});

	it('a fire the next poll of its activation confirmed is not fired again by a later activation of the same process', async () => {
		server = await startServer();
		let status = 'in_progress';
		server.route('GET', '/v1/videos/video_1', (_req, res) => json(res, 200, { id: 'video_1', object: 'video', status, created_at: 1764748800 }));
		const setup = {
			nodeType: 'soraVideoTrigger',
			parameters: { provider: 'openAiCompatible', watch: 'taskIds', taskIds: 'video_1', events: ['completed'], options: { retries: 0, retryDelay: 1 } },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
			workflowId: 'wf-regression-confirmed',
			oneContext: true,
		};
		const old = await createPoller(setup);
		expect(await old.poll()).toBeNull();
		const beforeFire = JSON.parse(JSON.stringify(old.staticData));
		status = 'completed';
		expect((await old.poll())?.[0]).toHaveLength(1);
		expect(await old.poll()).toBeNull();
		// Re-activated with static data whose write had not landed: the process memory still says fired.
		const current = await createPoller({ ...setup, staticData: beforeFire });
		expect(await current.poll()).toBeNull();
		expect(await current.poll()).toBeNull();
	});
});
