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

function contentRequests(taskId?: string): number {
	return sim.requests.filter((request) => /\/videos\/[^/]+\/content$/.test(request.path) && (!taskId || request.path.includes(`/videos/${taskId}/`))).length;
}

/** The activation poll: n8n awaits it inside the user's "Activate" click, so it downloads nothing. */
async function activate(t: PollHarness): Promise<INodeExecutionData[][] | null> {
	return await t.poll();
}

async function delay(ms: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
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

	it('attaches the file when Download is on: exact bytes and MIME type; the activation poll downloads nothing', async () => {
		sim.addTask({ id: 'a', forced: 'completed', contentBytes: 700_001 });
		const t = await trigger('ezmodel', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'video', binaryPropertyName: 'video' });
		expect(await activate(t)).toBeNull();
		expect(contentRequests()).toBe(0);
		const result = await t.poll();
		expect(result?.[0]).toHaveLength(1);
		const item = result?.[0][0] as INodeExecutionData;
		expect(item.json).toMatchObject({ id: 'a', event: 'completed' });
		expect(item.binary?.video).toMatchObject({ mimeType: 'video/mp4', fileName: 'video.mp4' });
		expect(Buffer.compare(await readBinary(item, 'video'), contentBytes('a', 'video', 700_001))).toBe(0);
	});

	it('a thumbnail variant from a provider that offers it', async () => {
		sim.addTask({ id: 'a', forced: 'completed' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'thumbnail', binaryPropertyName: 'data' });
		await activate(t);
		const item = (await t.poll())?.[0][0] as INodeExecutionData;
		expect(item.binary?.data).toMatchObject({ mimeType: 'image/webp', fileName: 'a_thumbnail.webp' });
		expect(Buffer.compare(await readBinary(item), contentBytes('a', 'thumbnail', 2048))).toBe(0);
	});

	it('an expired download is reported in the item and does not block other tasks', async () => {
		sim.addTask({ id: 'old', forced: 'completed', expiresAt: 1 });
		sim.addTask({ id: 'new', forced: 'completed' });
		const t = await trigger('ezmodel', { watch: 'taskIds', taskIds: 'old, new', download: true, variant: 'video', binaryPropertyName: 'data' });
		await activate(t);
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
		await activate(t);
		await expect(t.poll()).rejects.toThrow(/The download of task "a"/);
		const item = (await t.poll())?.[0][0] as INodeExecutionData;
		expect(Buffer.compare(await readBinary(item), contentBytes('a', 'video', 500_000))).toBe(0);
		expect(await t.poll()).toBeNull();
	});

	it('1,000 watched tasks: at most one request per running task, finished tasks cost nothing later', async () => {
		const ids = Array.from({ length: 1000 }, (_, i) => `task_${i}`);
		for (const id of ids) sim.addTask({ id, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ids.join('\n'), options: { retries: 0, maxConcurrentRequests: 10, pollTimeBudget: 120 } });

		// The activation poll may stop at its 15 s on a busy machine; the next poll checks the rest, then everything.
		expect(await activate(t)).toBeNull();
		// Requests it aborted at its deadline may still reach the simulator on a busy machine: not the next poll's.
		await delay(1000);
		sim.requests.length = 0;
		expect(await t.poll()).toBeNull();
		expect(statusRequests()).toBe(1000);

		for (const id of ids.slice(0, 400)) sim.setStatus(id, 'completed');
		sim.requests.length = 0;
		expect((await t.poll())?.[0]).toHaveLength(400);
		expect(statusRequests()).toBe(1000);

		sim.requests.length = 0;
		expect(await t.poll()).toBeNull();
		expect(statusRequests()).toBe(600);
	}, 120_000);

	it('50 status requests at once: each has its own abort signal, so Node warns of no listener leak (and no `events` import is needed)', async () => {
		const ids = Array.from({ length: 60 }, (_, i) => `wide_${i}`);
		for (const id of ids) sim.addTask({ id, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ids.join('\n'), options: { retries: 0, maxConcurrentRequests: 50 } });
		// Node warns (MaxListenersExceededWarning) when more than 10 'abort' listeners wait on one signal.
		const listening = new WeakMap<object, number>();
		let most = 0;
		const add = jest.spyOn(AbortSignal.prototype, 'addEventListener').mockImplementation(function (this: AbortSignal, ...args: Parameters<AbortSignal['addEventListener']>) {
			if (args[0] === 'abort') {
				const count = (listening.get(this) ?? 0) + 1;
				listening.set(this, count);
				most = Math.max(most, count);
			}
			return EventTarget.prototype.addEventListener.apply(this, args);
		});
		const remove = jest.spyOn(AbortSignal.prototype, 'removeEventListener').mockImplementation(function (this: AbortSignal, ...args: Parameters<AbortSignal['removeEventListener']>) {
			if (args[0] === 'abort') listening.set(this, Math.max(0, (listening.get(this) ?? 0) - 1));
			return EventTarget.prototype.removeEventListener.apply(this, args);
		});
		try {
			expect(await activate(t)).toBeNull();
			expect(await t.poll()).toBeNull();
		} finally {
			add.mockRestore();
			remove.mockRestore();
		}
		expect(most).toBeLessThanOrEqual(10);
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
		const t = await trigger('voidai', { watch: 'all', options: { retries: 0, pollTimeBudget: 120 } });
		expect(await t.poll()).toBeNull();
		for (const id of sim.tasks.keys()) sim.setStatus(id, 'completed');
		expect((await t.poll())?.[0]).toHaveLength(3000);
		const state = rememberedBy(t) as { done: object; pending: object };
		expect(Object.keys(state.pending)).toHaveLength(0);
		expect(Object.keys(state.done).length).toBeLessThanOrEqual(2000);
		expect(await t.poll()).toBeNull();
	}, 120_000);
});

describe('manual test ("Fetch Test Event")', () => {
	it('returns the most recent matching task with its file and leaves what is remembered alone', async () => {
		sim.addTask({ id: 'older', forced: 'completed', createdAt: 1_700_000_000, finishesAt: 1_700_000_100 });
		sim.addTask({ id: 'newer', forced: 'completed', createdAt: 1_700_000_000, finishesAt: 1_700_000_500 });
		sim.addTask({ id: 'running', forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'older, newer, running', download: true, variant: 'video', binaryPropertyName: 'data' });
		await activate(t);
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
		await activate(t2);
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

	it('Completed and Failed both chosen: a completed task is preferred (it has the file), and the item says which event was chosen and why', async () => {
		sim.addTask({ id: 'ok', forced: 'completed', createdAt: 1_700_000_000, finishesAt: 1_700_000_100 });
		sim.addTask({ id: 'bad', outcome: 'failed', forced: 'failed', createdAt: 1_700_000_000, finishesAt: 1_700_000_900 });
		const both = { events: ['completed', 'failed'], download: true, variant: 'video', binaryPropertyName: 'data' };
		const watched = await trigger('voidai', { watch: 'taskIds', taskIds: 'bad, ok', ...both });
		const byIds = (await watched.poll('manual'))?.[0][0];
		expect([byIds?.json.id, byIds?.json.event, byIds?.binary?.data.mimeType]).toEqual(['ok', 'completed', 'video/mp4']);
		expect(byIds?.json.testEvent).toBe('A completed event: with Completed and Failed chosen, the test shows the most recent completed task (it has the file) of the 2 tasks checked.');

		const all = await trigger('voidai', { watch: 'all', ...both });
		const fromList = (await all.poll('manual'))?.[0][0];
		expect([fromList?.json.id, fromList?.json.event, fromList?.binary?.data.mimeType]).toEqual(['ok', 'completed', 'video/mp4']);

		// Only failed tasks: the most recent failed one, saying why.
		const onlyFailed = await trigger('voidai', { watch: 'taskIds', taskIds: 'bad', ...both });
		const failed = (await onlyFailed.poll('manual'))?.[0][0];
		expect([failed?.json.id, failed?.json.event, failed?.binary]).toEqual(['bad', 'failed', undefined]);
		expect(failed?.json.testEvent).toBe('A failed event: none of the 1 task checked has completed, so the most recent failed one is shown.');
	});

	it('says so when nothing has finished yet', async () => {
		sim.addTask({ id: 'running', forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'running' });
		await expect(t.poll('manual')).rejects.toThrow('None of the 1 watched task has completed yet');
	});
});

describe('clear errors, not silence', () => {
	it('an empty watch list', async () => {
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ' , \n ' });
		await expect(t.poll()).rejects.toThrow('The watch list is empty');
	});

	it('a watched ID no provider could issue is refused before any request', async () => {
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'video_ok\nhttps://x/videos/video_1' });
		await expect(t.poll()).rejects.toThrow('"https://x/videos/video_1" is not a valid Task ID: it contains "/"');
		expect(sim.requests).toHaveLength(0);
	});

	it('an unknown task ID beside known ones: the activation goes through (an error would keep the known ones unwatched), the next poll names it', async () => {
		sim.addTask({ id: 'known', forced: 'in_progress' });
		const t = await trigger('newapi', { watch: 'taskIds', taskIds: 'known, nope' });
		expect(await t.poll()).toBeNull();
		await expect(t.poll()).rejects.toThrow('OpenAI-Compatible Gateway does not know the task ID "nope"');
	});

	it('only unknown task IDs: the activation itself says so', async () => {
		const t = await trigger('newapi', { watch: 'taskIds', taskIds: 'nope, nada' });
		await expect(t.poll()).rejects.toThrow('OpenAI-Compatible Gateway does not know the task IDs "nope", "nada"');
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

describe('polls that overlap (n8n does not wait for one poll before starting the next)', () => {
	const downloadParams = { watch: 'taskIds', taskIds: 'a', download: true, variant: 'video', binaryPropertyName: 'data' };

	it('default engine: polls started while a slow download runs share the static data; one item, one download', async () => {
		sim.addTask({ id: 'a', forced: 'in_progress', contentBytes: 300_000, faults: [{ type: 'slow', bytesPerSecond: 300_000 }] });
		const t = await trigger('voidai', downloadParams);
		expect(await activate(t)).toBeNull();
		sim.setStatus('a', 'completed');
		const first = t.poll();
		await delay(250);
		const second = t.poll();
		await delay(250);
		const third = t.poll();
		const results = await Promise.all([first, second, third]);
		expect(results.flatMap((result) => fired(result))).toEqual([['a', 'completed']]);
		expect(contentRequests('a')).toBe(1);
		const item = results.find((result) => result !== null)?.[0][0] as INodeExecutionData;
		expect(Buffer.compare(await readBinary(item), contentBytes('a', 'video', 300_000))).toBe(0);
		expect(await t.poll()).toBeNull();
		expect(contentRequests('a')).toBe(1);
	});

	it('durable scheduler: each poll has its own copy of the static data; still one item, one download, and the saved state keeps it', async () => {
		sim.addTask({ id: 'a', forced: 'in_progress', contentBytes: 300_000, faults: [{ type: 'slow', bytesPerSecond: 300_000 }] });
		const t = await trigger('voidai', downloadParams);
		expect(await t.durablePoll(36_000)).toBeNull();
		sim.setStatus('a', 'completed');
		const first = t.durablePoll(36_000);
		await delay(300);
		const second = t.durablePoll(36_000);
		const results = await Promise.all([first, second]);
		expect(results.flatMap((result) => fired(result))).toEqual([['a', 'completed']]);
		expect(contentRequests('a')).toBe(1);
		expect(await t.durablePoll(36_000)).toBeNull();
		expect(JSON.stringify(t.savedStaticData)).toContain('"a"');
	});

	it('durable scheduler catching up after a restart: polls one right after another, each reading the database before the last write landed; each task fires once', async () => {
		const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
		for (const id of ids) sim.addTask({ id, forced: 'in_progress' });
		const params = { watch: 'taskIds', taskIds: ids.join('\n') };
		const before = await trigger('voidai', params);
		expect(await before.durablePoll(36_000)).toBeNull();
		for (const id of ids.slice(0, 10)) sim.setStatus(id, 'completed');
		// A new process (nothing in memory) with the static data in the database; n8n's writes take 300 ms to land.
		const t = await trigger('voidai', params, before.savedStaticData);
		const slowWrite = { saveDelayMs: 300 };
		const catchUp = [await t.durablePoll(36_000, slowWrite), await t.durablePoll(36_000, slowWrite), await t.durablePoll(36_000, slowWrite)];
		expect(catchUp.flatMap((result) => fired(result)).map(([id]) => id).sort()).toEqual(ids.slice(0, 10).sort());
		for (const id of ids.slice(10)) sim.setStatus(id, 'completed');
		const next = [await t.durablePoll(36_000, slowWrite), await t.durablePoll(36_000, slowWrite)];
		expect(next.flatMap((result) => fired(result)).map(([id]) => id).sort()).toEqual(ids.slice(10).sort());
		await t.saved();
		// What reached the database holds every task, so the next restart fires nothing again.
		const restarted = await trigger('voidai', params, t.savedStaticData);
		expect(await restarted.durablePoll(36_000)).toBeNull();
		expect(statusRequests()).toBe(20 + 20 + 10 + 10 + 10);
	});

	it('durable scheduler: what a poll that emits nothing learned is kept (n8n saves only polls that emit): Retry-After holds', async () => {
		const ids = ['q1', 'q2', 'q3'];
		for (const id of ids) sim.addTask({ id, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ids.join(',') });
		expect(await t.durablePoll(36_000)).toBeNull();
		sim.setStatus('q2', 'completed');
		sim.setGateway({ rateLimitStatus: { retryAfter: 2 } });
		sim.requests.length = 0;
		await expect(t.durablePoll(36_000)).rejects.toThrow(/rate limiting requests \(HTTP 429\)/);
		// Every poll that waits says so, and until when.
		await expect(t.durablePoll(36_000)).rejects.toThrow(/asked to wait \(HTTP 429 with Retry-After\): this poll sent no request, and polling resumes from /);
		expect(sim.requests).toHaveLength(1);
		sim.setGateway({ rateLimitStatus: null });
		await delay(2100);
		expect(fired(await t.durablePoll(36_000))).toEqual([['q2', 'completed']]);
	});

	it('a poll that outlives the durable scheduler\'s timeout (its process starved of CPU) counts nothing as fired; the next poll fires it once', async () => {
		sim.addTask({ id: 'a', forced: 'in_progress' });
		sim.addTask({ id: 'b', forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'a\nb' });
		expect(await t.durablePoll(36_000)).toBeNull();
		sim.setStatus('a', 'completed');
		// While 'b' is asked about, the whole process stalls for 600 ms: n8n's 250 ms timeout passes and it drops the items.
		sim.onRequest = (request) => {
			if (!request.path.endsWith('/videos/b')) return;
			const until = Date.now() + 600;
			while (Date.now() < until);
		};
		try {
			expect(await t.durablePoll(200, { timeoutMs: 250 })).toBeNull();
		} finally {
			sim.onRequest = undefined;
		}
		expect(fired(await t.durablePoll(36_000))).toEqual([['a', 'completed']]);
		expect(await t.durablePoll(36_000)).toBeNull();
	});

	it('polls running at once share the status checks: each watched task is asked about once, not once per poll', async () => {
		const ids = Array.from({ length: 300 }, (_, i) => `s${i}`);
		for (const id of ids) sim.addTask({ id, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ids.join('\n') });
		expect(await t.durablePoll(36_000)).toBeNull();
		const finished = ids.filter((_, i) => i % 3 === 0);
		for (const id of finished) sim.setStatus(id, 'completed');
		sim.requests.length = 0;
		// As after a restart: the durable scheduler runs the missed poll times at once.
		const results = await Promise.all([t.durablePoll(36_000), t.durablePoll(36_000), t.durablePoll(36_000)]);
		expect(results.flatMap((result) => fired(result)).map(([id]) => id).sort()).toEqual([...finished].sort());
		expect(statusRequests()).toBe(300);
		expect(await t.durablePoll(36_000)).toBeNull();
		expect(statusRequests()).toBe(300 + 200);
	});

	it('a poll that starts while an earlier one downloads asks again about what the earlier one asked before it started', async () => {
		sim.addTask({ id: 'a', forced: 'in_progress', contentBytes: 300_000, faults: [{ type: 'slow', bytesPerSecond: 300_000 }] });
		sim.addTask({ id: 'b', forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'a\nb', download: true, variant: 'video', binaryPropertyName: 'data' });
		expect(await activate(t)).toBeNull();
		sim.setStatus('a', 'completed');
		const first = t.poll();
		await delay(300);
		// The first poll asked about 'b' (running) and is downloading 'a' now.
		sim.setStatus('b', 'completed');
		const second = await t.poll();
		expect(fired(second)).toEqual([['b', 'completed']]);
		expect(fired(await first)).toEqual([['a', 'completed']]);
		expect(contentRequests()).toBe(2);
	});

	it('many concurrent polls in All Tasks mode fire each new task once', async () => {
		for (let i = 0; i < 30; i++) sim.addTask({ id: `v${i}`, createdAt: 1_700_000_000 + i, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'all', events: ['completed', 'failed'] });
		expect(await activate(t)).toBeNull();
		for (let i = 0; i < 30; i += 2) sim.setStatus(`v${i}`, i % 4 === 0 ? 'completed' : 'failed');
		sim.addTask({ id: 'fresh', createdAt: 1_800_000_000, forced: 'completed' });
		const results = await Promise.all(Array.from({ length: 5 }, async () => await t.poll()));
		const ids = results.flatMap((result) => fired(result)).map(([id]) => id);
		expect(ids.sort()).toEqual([...Array.from({ length: 15 }, (_, k) => `v${k * 2}`), 'fresh'].sort());
		expect(await t.poll()).toBeNull();
	});
});

describe('every poll ends within its time budget', () => {
	it('downloads that do not fit are carried to the next poll, which fires them once, with the whole file', async () => {
		for (const id of ['a', 'b', 'c']) sim.addTask({ id, forced: 'in_progress', contentBytes: 240_000, faults: [{ type: 'slow', bytesPerSecond: 400_000 }] });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'a, b, c', download: true, variant: 'video', binaryPropertyName: 'data', options: { retries: 0, pollTimeBudget: 1 } });
		expect(await activate(t)).toBeNull();
		for (const id of ['a', 'b', 'c']) sim.setStatus(id, 'completed');
		const seen: string[] = [];
		for (let i = 0; i < 8 && seen.length < 3; i++) {
			const started = Date.now();
			const result = await t.poll();
			expect(Date.now() - started).toBeLessThan(3000);
			for (const item of result?.[0] ?? []) {
				seen.push(String(item.json.id));
				expect(item.json.downloadError).toBeUndefined();
				expect(Buffer.compare(await readBinary(item), contentBytes(String(item.json.id), 'video', 240_000))).toBe(0);
			}
		}
		expect(seen.sort()).toEqual(['a', 'b', 'c']);
		expect(await t.poll()).toBeNull();
	});

	it('status checks that do not fit continue where the last poll stopped; each task fires once', async () => {
		const ids = Array.from({ length: 60 }, (_, i) => `t${i}`);
		for (const id of ids) sim.addTask({ id, forced: 'completed' });
		sim.options.latencyMs = 40;
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ids.join(','), options: { retries: 0, pollTimeBudget: 1, maxConcurrentRequests: 2 } });
		const seen: string[] = [];
		let polls = 0;
		while (seen.length < ids.length && polls < 20) {
			polls++;
			seen.push(...fired(await t.poll()).map(([id]) => String(id)));
		}
		expect(polls).toBeGreaterThan(1);
		expect(seen.sort()).toEqual([...ids].sort());
		expect(await t.poll()).toBeNull();
	});

	it('a file that never fits fires its event after three tries, saying why, instead of never', async () => {
		sim.addTask({ id: 'huge', forced: 'completed', contentBytes: 2_000_000, faults: [{ type: 'slow', bytesPerSecond: 200_000 }] });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'huge', download: true, variant: 'video', binaryPropertyName: 'data', options: { retries: 0, pollTimeBudget: 1 } });
		await activate(t);
		expect(await t.poll()).toBeNull();
		expect(await t.poll()).toBeNull();
		const result = await t.poll();
		expect(fired(result)).toEqual([['huge', 'completed']]);
		expect(result?.[0][0].binary).toBeUndefined();
		expect(result?.[0][0].json.downloadError).toMatch(/did not finish within the trigger's poll time budget \(1 s\) in 3 polls/);
		expect(await t.poll()).toBeNull();
	});

	it('a carried download survives a restart and fires once', async () => {
		sim.addTask({ id: 'a', forced: 'completed', contentBytes: 100_000 });
		const before = await trigger('voidai', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'video', binaryPropertyName: 'data' });
		expect(await activate(before)).toBeNull();
		const after = await trigger('voidai', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'video', binaryPropertyName: 'data' }, persisted(before));
		expect(await activate(after)).toBeNull();
		expect(fired(await after.poll())).toEqual([['a', 'completed']]);
		expect(await after.poll()).toBeNull();
	});
});

describe('rate limits (429) stop the poll as a whole', () => {
	it('429 on every status call: one request, a clear error, nothing sent before Retry-After, then each task fires once', async () => {
		const ids = Array.from({ length: 50 }, (_, i) => `t${i}`);
		for (const id of ids) sim.addTask({ id, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: ids.join(','), options: { retries: 3, retryDelay: 1 } });
		expect(await activate(t)).toBeNull();
		for (const id of ids.slice(0, 20)) sim.setStatus(id, 'completed');
		sim.setGateway({ rateLimitStatus: { retryAfter: 1 } });
		sim.requests.length = 0;
		const error = (await t.poll().catch((caught: unknown) => caught)) as Error & { failure?: { cause: string; retryAfterMs?: number } };
		expect(error.message).toMatch(/^VoidAI is rate limiting requests \(HTTP 429\): the trigger stopped this poll and continues from .* \(the provider's Retry-After\)$/);
		expect(error.failure?.cause).toBe('rate-limited');
		expect(sim.requests).toHaveLength(1);
		await expect(t.poll()).rejects.toThrow(/this poll sent no request, and polling resumes from /);
		expect(sim.requests).toHaveLength(1);
		sim.setGateway({ rateLimitStatus: null });
		await delay(1100);
		expect(fired(await t.poll()).map(([id]) => id).sort()).toEqual(ids.slice(0, 20).sort());
		expect(await t.poll()).toBeNull();
	});

	it('a 429 in the activation poll does not fail the activation; the next poll continues', async () => {
		sim.addTask({ id: 'a', forced: 'completed' });
		sim.setGateway({ rateLimitStatus: { retryAfter: 0 } });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'a' });
		expect(await activate(t)).toBeNull();
		expect(sim.requests).toHaveLength(1);
		sim.setGateway({ rateLimitStatus: null });
		expect(fired(await t.poll())).toEqual([['a', 'completed']]);
	});

	it('All Tasks: the list works, status calls are rate limited: lookups wait, nothing is lost', async () => {
		for (let i = 0; i < 150; i++) sim.addTask({ id: `v${String(i).padStart(3, '0')}`, createdAt: 1_700_000_000 + i, forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'all' });
		expect(await activate(t)).toBeNull();
		sim.setStatus('v000', 'completed');
		sim.setStatus('v149', 'completed');
		sim.setGateway({ rateLimitStatus: { retryAfter: 0 } });
		// v149 is on the first page: it fires; v000 needs a status call, which the 429 stops.
		expect(fired(await t.poll())).toEqual([['v149', 'completed']]);
		expect(statusRequests()).toBe(1);
		sim.setGateway({ rateLimitStatus: null });
		expect(fired(await t.poll())).toEqual([['v000', 'completed']]);
		expect(await t.poll()).toBeNull();
	});

	it('a 429 while a completed task waits for its file: the poll stops, the next one downloads it once', async () => {
		sim.addTask({ id: 'a', forced: 'completed' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'a', download: true, variant: 'video', binaryPropertyName: 'data', options: { retries: 3, retryDelay: 1 } });
		await activate(t);
		sim.tasks.get('a')?.faults.push({ type: 'rateLimit', retryAfter: 0, times: 1 });
		sim.requests.length = 0;
		await expect(t.poll()).rejects.toThrow(/rate limiting requests \(HTTP 429\)/);
		expect(sim.requests).toHaveLength(1);
		const item = (await t.poll())?.[0][0] as INodeExecutionData;
		expect(Buffer.compare(await readBinary(item), contentBytes('a', 'video', 256 * 1024))).toBe(0);
		expect(contentRequests('a')).toBe(1);
		expect(await t.poll()).toBeNull();
	});
});

describe('403 concerns one task; 401 or 403 on every task is one clear error', () => {
	it('a task of another account does not stop the others', async () => {
		sim.addTask({ id: 'theirs', forced: 'completed', faults: [{ type: 'forbidden' }] });
		sim.addTask({ id: 'b', forced: 'completed' });
		sim.addTask({ id: 'c', forced: 'in_progress' });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'theirs, b, c' });
		expect(fired(await t.poll())).toEqual([['b', 'completed']]);
		await expect(t.poll()).rejects.toThrow('VoidAI refused access to the task "theirs" (HTTP 403)');
		sim.setStatus('c', 'completed');
		expect(fired(await t.poll())).toEqual([['c', 'completed']]);
	});

	it('every task refused: the provider\'s 403, once', async () => {
		for (const id of ['x', 'y']) sim.addTask({ id, forced: 'completed', faults: [{ type: 'forbidden' }] });
		const t = await trigger('voidai', { watch: 'taskIds', taskIds: 'x, y' });
		await expect(t.poll()).rejects.toThrow('VoidAI refused access (HTTP 403)');
	});
});

describe('All Tasks mode is order-proof', () => {
	function seed(total: number, finished: number): void {
		for (let i = 0; i < total; i++) sim.addTask({ id: `v${String(i).padStart(4, '0')}`, createdAt: 1_700_000_000 + i, forced: i < finished ? 'completed' : 'in_progress' });
	}

	/**
	 * After activation: some running tasks finish, new ones appear (finished and running); exactly those fire, once.
	 * New IDs sort after the old ones, so a gateway that breaks ties by ID lists them last.
	 */
	async function scenario(listRequestsPerPoll?: (count: number) => void): Promise<void> {
		seed(450, 100);
		const t = await trigger('voidai', { watch: 'all' });
		expect(await activate(t)).toBeNull();
		sim.setStatus('v0120', 'completed');
		sim.setStatus('v0449', 'completed');
		sim.setStatus('v0180', 'failed');
		sim.addTask({ id: 'x1', createdAt: 1_800_000_000, forced: 'completed' });
		sim.addTask({ id: 'x2', createdAt: 1_800_000_001, forced: 'in_progress' });
		sim.requests.length = 0;
		expect(fired(await t.poll()).map(([id]) => id).sort()).toEqual(['v0120', 'v0449', 'x1']);
		listRequestsPerPoll?.(sim.requests.filter((request) => request.path === '/voidai/v1/videos').length);
		sim.setStatus('x2', 'completed');
		sim.addTask({ id: 'x3', createdAt: 1_800_000_001, forced: 'completed' });
		expect(fired(await t.poll()).map(([id]) => id).sort()).toEqual(['x2', 'x3']);
		expect(await t.poll()).toBeNull();
		const restarted = await trigger('voidai', { watch: 'all' }, persisted(t));
		expect(await restarted.poll()).toBeNull();
		expect(await restarted.poll()).toBeNull();
	}

	it('a gateway that honours order=desc: steady polls read only the pages they need', async () => {
		await scenario((pages) => expect(pages).toBe(2));
	});

	it('a gateway that lists oldest first whatever is asked', async () => {
		sim.setGateway({ listOrder: 'asc' });
		await scenario((pages) => expect(pages).toBe(5));
	});

	it('a gateway that ignores `order` (its own fixed order)', async () => {
		sim.setGateway({ listOrder: 'ignore' });
		await scenario();
	});

	it('tasks sharing one created_at second (ties listed by id, across pages)', async () => {
		sim.setGateway({ equalCreatedAt: 1_700_000_000 });
		await scenario();
	});

	it('a task listed late, below tasks already seen, fires once (found by the hourly walk of the whole list)', async () => {
		seed(250, 0);
		sim.addTask({ id: 'late', createdAt: 1_700_000_050, forced: 'in_progress' });
		sim.setGateway({ hiddenFromList: ['late'] });
		const t = await trigger('voidai', { watch: 'all' });
		expect(await activate(t)).toBeNull();
		sim.setStatus('late', 'completed');
		sim.setGateway({ hiddenFromList: [] });
		expect(await t.poll()).toBeNull();
		const realNow = Date.now.bind(Date);
		const later = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 61 * 60 * 1000);
		try {
			expect(fired(await t.poll())).toEqual([['late', 'completed']]);
			expect(await t.poll()).toBeNull();
		} finally {
			later.mockRestore();
		}
	});

	it('a walk of the whole list spread over several polls survives the task it was to continue after disappearing', async () => {
		sim.setGateway({ listOrder: 'asc' });
		seed(600, 300);
		sim.options.latencyMs = 400;
		const t = await trigger('voidai', { watch: 'all', options: { retries: 0, pollTimeBudget: 1 } });
		const state = () => rememberedBy(t) as { initialized: boolean; walk: { after: string | null } | null };
		expect(await activate(t)).toBeNull();
		expect(state().initialized).toBe(false);
		const cursor = state().walk?.after;
		expect(cursor).toMatch(/^v\d{4}$/);
		sim.tasks.delete(String(cursor));
		for (let i = 0; i < 20 && !state().initialized; i++) expect(await t.poll()).toBeNull();
		expect(state().initialized).toBe(true);
		sim.options.latencyMs = 0;
		sim.setStatus('v0450', 'completed');
		sim.addTask({ id: 'w1', createdAt: 1_800_000_000, forced: 'completed' });
		const seen: unknown[] = [];
		for (let i = 0; i < 5; i++) seen.push(...fired(await t.poll()).map(([id]) => id));
		expect(seen.sort()).toEqual(['v0450', 'w1']);
	}, 60_000);

	it('static data stays within its bounds: 2,000 handled tasks, and forgotten ones never fire again on a full walk', async () => {
		sim.setGateway({ listOrder: 'asc' });
		seed(2600, 0);
		const t = await trigger('voidai', { watch: 'all', options: { retries: 0, pollTimeBudget: 60 } });
		expect(await activate(t)).toBeNull();
		for (const id of sim.tasks.keys()) sim.setStatus(id, 'completed');
		expect((await t.poll())?.[0]).toHaveLength(2600);
		const state = rememberedBy(t) as { done: object; pending: object; horizon: number };
		expect(Object.keys(state.done)).toHaveLength(2000);
		expect(Object.keys(state.pending)).toHaveLength(0);
		expect(state.horizon).toBe((1_700_000_000 + 599) * 1000);
		expect(await t.poll()).toBeNull();
	}, 60_000);
});
