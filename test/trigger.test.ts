/**
 * Sora Video Trigger in n8n's real poll context (n8n-core getExecutePollFunctions), against the provider
 * simulator on 127.0.0.1, with workflow static data carried from poll to poll and across "restarts".
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Dialect } from '../simulator/simulator';
import type { ProviderSimulator } from '../simulator/simulator';
import { contentBytes } from '../simulator/simulator';
import type { PollHarness } from './harness/engine';
import { createPoller, readBinary } from './harness/engine';
import { useSimulator } from './harness/simulator';
import { KEY } from './harness/sora';

let sim: ProviderSimulator;

const simulator = useSimulator();
beforeEach(() => {
	sim = simulator.current;
});

const PROVIDER_FOR: Record<Dialect, { provider: string; credential: string }> = {
	opeai: { provider: 'opeAi', credential: 'opeAiApi' },
	wisdomgate: { provider: 'wisdomGate', credential: 'wisdomGateApi' },
	ezmodel: { provider: 'ezModel', credential: 'ezModelApi' },
	voidai: { provider: 'voidAi', credential: 'voidAiApi' },
	newapi: { provider: 'openAiCompatible', credential: 'openAiCompatibleVideoApi' },
	openai: { provider: 'openAiCompatible', credential: 'openAiCompatibleVideoApi' },
};

async function trigger(dialect: Dialect, parameters: INodeParameters, staticData?: IDataObject, apiKey = KEY): Promise<PollHarness> {
	const { provider, credential } = PROVIDER_FOR[dialect];
	return await createPoller({
		nodeType: 'soraVideoTrigger',
		parameters: { provider, events: ['completed'], options: { retries: 0, retryDelay: 1 }, ...parameters },
		credentials: { [credential]: { apiKey, baseUrl: sim.baseUrl(dialect) } },
		staticData,
	});
}

function fired(result: INodeExecutionData[][] | null): Array<[unknown, unknown]> {
	return (result?.[0] ?? []).map((item) => [item.json.id, item.json.event]);
}

function statusRequests(): number {
	return sim.requests.filter((request) => /\/videos\/[^/]+$/.test(request.path)).length;
}

/** The trigger's state inside the workflow static data (`getWorkflowStaticData('node')`). */
function rememberedBy(harness: PollHarness): unknown {
	return (harness.staticData['node:Sora Video Trigger'] as IDataObject | undefined)?.soraVideoTrigger;
}

/** What n8n does on restart: static data saved to the database as JSON and read back. */
function persisted(harness: PollHarness): IDataObject {
	return JSON.parse(JSON.stringify(harness.staticData)) as IDataObject;
}

describe('watching task IDs', () => {
	it('fires each task exactly once, in order of completion, and stops polling finished tasks', async () => {
		sim.addTask({ id: 'a', forced: 'in_progress' });
		sim.addTask({ id: 'b', forced: 'queued' });
		const t = await trigger('newapi', { watch: 'taskIds', taskIds: 'a,\n b ,a' });

		expect(await t.poll()).toBeNull();
		sim.setStatus('a', 'completed');
		const first = await t.poll();
		expect(fired(first)).toEqual([['a', 'completed']]);
		expect(first?.[0][0].json).toMatchObject({ id: 'a', status: 'completed', rawStatus: 'succeeded', progress: 100, provider: 'openAiCompatible', event: 'completed' });

		sim.requests.length = 0;
		expect(await t.poll()).toBeNull();
		expect(sim.requests.map((request) => request.path)).toEqual(['/newapi/v1/videos/b']);

		sim.setStatus('b', 'completed');
		expect(fired(await t.poll())).toEqual([['b', 'completed']]);
		sim.requests.length = 0;
		expect(await t.poll()).toBeNull();
		expect(sim.requests).toHaveLength(0);
	});

	it('no duplicates after a restart (static data saved and reloaded)', async () => {
		sim.addTask({ id: 'a', forced: 'completed' });
		sim.addTask({ id: 'b', forced: 'in_progress' });
		const before = await trigger('voidai', { watch: 'taskIds', taskIds: 'a\nb' });
		expect(fired(await before.poll())).toEqual([['a', 'completed']]);

		const after = await trigger('voidai', { watch: 'taskIds', taskIds: 'a\nb' }, persisted(before));
		expect(await after.poll()).toBeNull();
		sim.setStatus('b', 'completed');
		expect(fired(await after.poll())).toEqual([['b', 'completed']]);
		expect(await after.poll()).toBeNull();
	});

	it('an outage surfaces as an error, and the task that finished meanwhile fires once after recovery', async () => {
		sim.addTask({ id: 'a', forced: 'in_progress' });
		const t = await trigger('ezmodel', { watch: 'taskIds', taskIds: 'a' });
		expect(await t.poll()).toBeNull();

		sim.setStatus('a', 'completed');
		sim.tasks.get('a')?.faults.push({ type: 'unavailable', times: 2 });
		await expect(t.poll()).rejects.toThrow('EzModel had a server error during the status check (HTTP 503)');
		await expect(t.poll()).rejects.toThrow('HTTP 503');

		expect(fired(await t.poll())).toEqual([['a', 'completed']]);
		expect(await t.poll()).toBeNull();
	});

	it('fires failed events with the provider reason when asked, and never polls a failed task again', async () => {
		sim.addTask({ id: 'ok', forced: 'in_progress' });
		sim.addTask({ id: 'bad', forced: 'in_progress', failReason: 'Blocked by moderation' });
		const both = await trigger('voidai', { watch: 'taskIds', taskIds: 'ok, bad', events: ['completed', 'failed'] });
		const onlyCompleted = await trigger('voidai', { watch: 'taskIds', taskIds: 'ok, bad' });
		sim.setStatus('bad', 'failed');

		const result = await both.poll();
		expect(fired(result)).toEqual([['bad', 'failed']]);
		expect(result?.[0][0].json.error).toEqual({ code: 'video_generation_failed', message: 'Blocked by moderation' });

		expect(await onlyCompleted.poll()).toBeNull();
		sim.requests.length = 0;
		expect(await onlyCompleted.poll()).toBeNull();
		expect(sim.requests.map((request) => request.path)).toEqual(['/voidai/v1/videos/ok']);
	});

	it('attaches the file when Download is on: exact bytes and MIME type', async () => {
		sim.addTask({ id: 'a', forced: 'completed', contentBytes: 700_001 });
		const t = await trigger('ezmodel', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'video', binaryPropertyName: 'video' });
		const result = await t.poll();
		const item = result?.[0][0] as INodeExecutionData;
		expect(item.json).toMatchObject({ id: 'a', event: 'completed' });
		expect(item.binary?.video).toMatchObject({ mimeType: 'video/mp4', fileName: 'video.mp4' });
		expect(Buffer.compare(await readBinary(item, 'video'), contentBytes('a', 'video', 700_001))).toBe(0);
	});

	it('a thumbnail variant from a provider that offers it', async () => {
		sim.addTask({ id: 'a', forced: 'completed' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'thumbnail', binaryPropertyName: 'data' });
		const item = (await t.poll())?.[0][0] as INodeExecutionData;
		expect(item.binary?.data).toMatchObject({ mimeType: 'image/webp', fileName: 'a_thumbnail.webp' });
		expect(Buffer.compare(await readBinary(item), contentBytes('a', 'thumbnail', 2048))).toBe(0);
	});

	it('an expired download is reported in the item and does not block other tasks', async () => {
		sim.addTask({ id: 'old', forced: 'completed', expiresAt: 1 });
		sim.addTask({ id: 'new', forced: 'completed' });
		const t = await trigger('ezmodel', { watch: 'taskIds', taskIds: 'old, new', download: true, variant: 'video', binaryPropertyName: 'data' });
		const items = (await t.poll())?.[0] ?? [];
		const byId = Object.fromEntries(items.map((item) => [item.json.id, item]));
		expect(byId.old.json.downloadError).toBe('The content of task "old" expired at 1970-01-01T00:00:01.000Z');
		expect(byId.old.binary).toBeUndefined();
		expect(byId.new.binary?.data.mimeType).toBe('video/mp4');
		expect(await t.poll()).toBeNull();
	});

	it('a download cut short is not fired now, and fires once (with the whole file) on the next poll', async () => {
		sim.addTask({ id: 'a', forced: 'completed', contentBytes: 500_000, faults: [{ type: 'cut', bytes: 100_000, times: 1 }] });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'video', binaryPropertyName: 'data' });
		await expect(t.poll()).rejects.toThrow(/The download of task "a"/);
		const item = (await t.poll())?.[0][0] as INodeExecutionData;
		expect(Buffer.compare(await readBinary(item), contentBytes('a', 'video', 500_000))).toBe(0);
		expect(await t.poll()).toBeNull();
	});

	it('1,000 watched tasks: at most one request per running task, finished tasks cost nothing later', async () => {
		const ids = Array.from({ length: 1000 }, (_, i) => `task_${i}`);
		for (const id of ids) sim.addTask({ id, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ids.join('\n'), options: { retries: 0, maxConcurrentRequests: 10 } });

		expect(await t.poll()).toBeNull();
		expect(statusRequests()).toBe(1000);

		for (const id of ids.slice(0, 400)) sim.setStatus(id, 'completed');
		sim.requests.length = 0;
		expect((await t.poll())?.[0]).toHaveLength(400);
		expect(statusRequests()).toBe(1000);

		sim.requests.length = 0;
		expect(await t.poll()).toBeNull();
		expect(statusRequests()).toBe(600);
	});
});

describe('watching all tasks', () => {
	function seed(total: number, finished: number): void {
		for (let i = 0; i < total; i++) sim.addTask({ id: `v${String(i).padStart(4, '0')}`, createdAt: 1_700_000_000 + i, forced: i < finished ? 'completed' : 'in_progress' });
	}

	it('first activation fires nothing for tasks finished before it; later completions fire once; paging stops where it can', async () => {
		seed(250, 200);
		const t = await trigger('voidai', { watch: 'all' });
		expect(await t.poll()).toBeNull();
		const listRequests = () => sim.requests.filter((request) => request.path === '/voidai/v1/videos');
		expect(listRequests()).toHaveLength(3);
		expect(listRequests().map((request) => request.query)).toEqual([
			{ limit: '100', order: 'desc' },
			{ limit: '100', order: 'desc', after: 'v0150' },
			{ limit: '100', order: 'desc', after: 'v0050' },
		]);

		sim.setStatus('v0249', 'completed');
		sim.setStatus('v0210', 'completed');
		sim.requests.length = 0;
		expect(fired(await t.poll()).sort()).toEqual([
			['v0210', 'completed'],
			['v0249', 'completed'],
		]);
		// Steady state: one page, then one status request per still-running task below the first page.
		expect(listRequests()).toHaveLength(1);

		sim.addTask({ id: 'v9999', createdAt: 1_800_000_000, forced: 'completed' });
		expect(fired(await t.poll())).toEqual([['v9999', 'completed']]);
		expect(await t.poll()).toBeNull();

		const restarted = await trigger('voidai', { watch: 'all' }, persisted(t));
		expect(await restarted.poll()).toBeNull();
	});

	it('"Include Tasks Finished Before Activation" fires them on the first poll, once', async () => {
		seed(30, 20);
		const t = await trigger('voidai', { watch: 'all', options: { includeFinishedBeforeActivation: true, retries: 0 } });
		expect((await t.poll())?.[0]).toHaveLength(20);
		expect(await t.poll()).toBeNull();
	});

	it('a provider without a list endpoint gets a clear error at activation', async () => {
		const t = await trigger('ezmodel', { watch: 'all' });
		await expect(t.poll()).rejects.toThrow('EzModel has no endpoint that lists video tasks');
	});

	it('static data stays bounded after thousands of finished tasks', async () => {
		seed(3000, 0);
		const t = await trigger('voidai', { watch: 'all' });
		expect(await t.poll()).toBeNull();
		for (const id of sim.tasks.keys()) sim.setStatus(id, 'completed');
		expect((await t.poll())?.[0]).toHaveLength(3000);
		const state = rememberedBy(t) as { done: object; pending: object };
		expect(Object.keys(state.pending)).toHaveLength(0);
		expect(Object.keys(state.done).length).toBeLessThanOrEqual(2000);
		expect(await t.poll()).toBeNull();
	});
});

describe('manual test ("Fetch Test Event")', () => {
	it('returns the most recent matching task with its file and leaves what is remembered alone', async () => {
		sim.addTask({ id: 'older', forced: 'completed', createdAt: 1_700_000_000, finishesAt: 1_700_000_100 });
		sim.addTask({ id: 'newer', forced: 'completed', createdAt: 1_700_000_000, finishesAt: 1_700_000_500 });
		sim.addTask({ id: 'running', forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'older, newer, running', download: true, variant: 'video', binaryPropertyName: 'data' });
		expect(await t.poll()).not.toBeNull();
		sim.addTask({ id: 'latest', forced: 'completed', createdAt: 1_700_000_000, finishesAt: 1_700_000_900 });
		const watched = 'older, newer, running, latest';
		const t2 = await trigger('voidai', { watch: 'taskIds', taskIds: watched, download: true, variant: 'video', binaryPropertyName: 'data' }, persisted(t));
		const before = JSON.stringify(t2.staticData);
		expect(before).toContain('older');
		const result = await t2.poll('manual');
		expect(fired(result)).toEqual([['latest', 'completed']]);
		expect(result?.[0][0].binary?.data.mimeType).toBe('video/mp4');
		expect(JSON.stringify(t2.staticData)).toBe(before);
		// The real poll still fires the new one, once: testing swallowed nothing.
		expect(fired(await t2.poll())).toEqual([['latest', 'completed']]);
		expect(await t2.poll()).toBeNull();
	});

	it('in all mode too', async () => {
		sim.addTask({ id: 'done', createdAt: 1, forced: 'completed' });
		sim.addTask({ id: 'running', createdAt: 2, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'all' });
		expect(fired(await t.poll('manual'))).toEqual([['done', 'completed']]);
		expect(rememberedBy(t)).toBeUndefined();
	});

	it('says so when nothing has finished yet', async () => {
		sim.addTask({ id: 'running', forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'running' });
		await expect(t.poll('manual')).rejects.toThrow('None of the 1 watched tasks has completed yet');
	});
});

describe('clear errors, not silence', () => {
	it('an empty watch list', async () => {
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ' , \n ' });
		await expect(t.poll()).rejects.toThrow('The watch list is empty');
	});

	it('an unknown task ID', async () => {
		sim.addTask({ id: 'known', forced: 'in_progress' });
		const t = await trigger('newapi', { watch: 'taskIds', taskIds: 'known, nope' });
		await expect(t.poll()).rejects.toThrow('OpenAI-Compatible Gateway does not know the task ID "nope"');
	});

	it('an unknown task ID does not hold back a task that finished', async () => {
		sim.addTask({ id: 'known', forced: 'completed' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'known, nope' });
		expect(fired(await t.poll())).toEqual([['known', 'completed']]);
		await expect(t.poll()).rejects.toThrow('does not know the task ID "nope"');
	});

	it('an invalid key costs one request and names the credential', async () => {
		for (let i = 0; i < 50; i++) sim.addTask({ id: `t${i}`, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: [...sim.tasks.keys()].join(',') }, undefined, 'sk-wrong');
		await expect(t.poll()).rejects.toThrow('VoidAI rejected the API key (HTTP 401)');
		expect(sim.requests).toHaveLength(1);
	});

	it('a variant the provider does not offer', async () => {
		sim.addTask({ id: 'a', forced: 'completed' });
		const t = await trigger('opeai', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'spritesheet', binaryPropertyName: 'data' });
		await expect(t.poll()).rejects.toThrow('OpeAI does not offer the "spritesheet" variant');
		expect(sim.requests).toHaveLength(0);
	});
});
