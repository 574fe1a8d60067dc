/**
 * The package as users get it (npm pack -> ~/.n8n/nodes/node_modules), inside a real n8n 2.41.1 process:
 * `n8n execute` for every provider dialect and the examples, `n8n start` for the trigger (with a restart).
 * The provider simulator runs in this process on 127.0.0.1; n8n runs as child processes that are always stopped.
 */
import { readFileSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';

import type { N8nInstance, NodeRun } from '../scripts/harness/n8n';
import { freePort, stopAll, waitFor } from '../scripts/harness/processes';
import { ensureRuntime, REPO_ROOT } from '../scripts/harness/runtime';
import type { DialectSetup } from '../scripts/harness/scenario';
import { DIALECT_SETUPS as SETUPS, EXAMPLE_CREDENTIAL, EXAMPLE_GATEWAY_CREDENTIAL, EXAMPLES, loadExample, ourPartOf, prepareInstance, SIM_FRONTEND_TOKEN, simulatorCredential } from '../scripts/harness/scenario';
import { seedDemoTasks } from '../simulator/cli';
import { contentBytes, ProviderSimulator } from '../simulator/simulator';
import { sha256 } from '../test/harness/bytes';

const KEY = 'sk-e2e-simulator-key';
const TOKEN = SIM_FRONTEND_TOKEN;
let sim: ProviderSimulator;
let n8n: N8nInstance;

/** A free port at least 3 away from `other` (which is not listening yet, so the system may hand it out again). */
async function freePortAwayFrom(other: number): Promise<number> {
	const holders = [createServer(), createServer()];
	try {
		await Promise.all(holders.map(async (server) => await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
		const ports = holders.map((server) => (server.address() as { port: number }).port);
		const port = ports.find((candidate) => Math.abs(candidate - other) > 2);
		if (port === undefined) throw new Error(`no free port away from ${other}`);
		return port;
	} finally {
		await Promise.all(holders.map(async (server) => await new Promise<void>((resolve) => server.close(() => resolve()))));
	}
}


beforeAll(async () => {
	const runtime = await ensureRuntime();
	sim = new ProviderSimulator({ apiKey: KEY, frontendToken: TOKEN });
	seedDemoTasks(sim);
	// Finished before anything starts, so the trigger's baseline sees it as old.
	sim.setStatus('video_soon', 'completed');
	sim.addTask({ id: 'video_redirect', contentBytes: 300_000, faults: [{ type: 'redirectToStorage' }] });
	sim.addTask({ id: 'video_busy', contentBytes: 200_000, faults: [{ type: 'rateLimit', retryAfter: 1, times: 1 }] });
	await sim.start();
	n8n = await prepareInstance(runtime, join(REPO_ROOT, '.cache', 'e2e', 'n8n-user'), await freePort());
}, 900_000);

afterAll(async () => {
	await n8n?.stopServer();
	await stopAll();
	await sim?.stop();
});

function dialectWorkflow(setup: DialectSetup, id: string, good: { id: string; name: string }, bad: { id: string; name: string }): object {
	const nodes: object[] = [{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }];
	const add = (name: string, parameters: Record<string, unknown>, options: { credential?: { id: string; name: string }; continueOnError?: boolean } = {}) => {
		nodes.push({
			id: `n${nodes.length}`,
			name,
			type: 'n8n-nodes-sora-video.soraVideo',
			typeVersion: 1,
			position: [300, nodes.length * 120],
			parameters: { provider: setup.provider, options: { retries: 2, retryDelay: 100 }, ...parameters },
			credentials: { [setup.type]: options.credential ?? good },
			...(options.continueOnError ? { onError: 'continueRegularOutput' } : {}),
		});
	};
	const download = (taskId: string, variant = 'video') => ({ operation: 'downloadContent', taskId, variant, binaryPropertyName: 'data' });
	add('Status done', { operation: 'getStatus', taskId: 'video_done' });
	add('Status running', { operation: 'getStatus', taskId: 'video_running' });
	add('Status failed', { operation: 'getStatus', taskId: 'video_failed' });
	add('Download video', download('video_done'));
	if (setup.variants) {
		add('Download thumbnail', download('video_done', 'thumbnail'));
		add('Download spritesheet', download('video_done', 'spritesheet'));
		add('Download via storage', download('video_redirect'));
		add('Download rate limited', download('video_busy'));
	}
	add('Not ready', download('video_running'), { continueOnError: true });
	add('Not found', { operation: 'getStatus', taskId: 'no_such_task' }, { continueOnError: true });
	add('Expired', download('video_expired'), { continueOnError: true });
	add('Failed download', download('video_failed'), { continueOnError: true });
	add('Bad key', { operation: 'getStatus', taskId: 'video_done' }, { credential: bad, continueOnError: true });
	const targets = nodes.slice(1).map((node) => ({ node: (node as { name: string }).name, type: 'main', index: 0 }));
	return { id, name: `e2e ${setup.label}`, nodes, connections: { Start: { main: [targets] } }, settings: { executionOrder: 'v1' } };
}

function only(run: NodeRun | undefined): Record<string, unknown> {
	expect(run?.error).toBeUndefined();
	expect(run?.items).toHaveLength(1);
	return run?.items[0].json ?? {};
}

/** The download facts Download Content puts beside the item's own fields. */
function downloaded(run: NodeRun | undefined, property = 'data'): Record<string, unknown> {
	const files = only(run).soraVideoFiles as Record<string, Record<string, unknown>> | undefined;
	return files?.[property] ?? {};
}

function storedBytes(run: NodeRun | undefined): Buffer {
	const id = run?.items[0].binary?.data?.id;
	if (!id) throw new Error(`no stored binary in ${JSON.stringify(run)}`);
	expect(id).toMatch(/^filesystem/);
	return readFileSync(n8n.binaryPath(id));
}

describe('every provider dialect through `n8n execute` (filesystem binary mode)', () => {
	beforeAll(async () => {
		const credentials = SETUPS.flatMap((setup, index) => [
			simulatorCredential(sim, setup.dialect, setup.type, `e2eGoodCred${String(index).padStart(5, '0')}`, `${setup.label} good`, setup.extra),
			simulatorCredential(sim, setup.dialect, setup.type, `e2eBadCred0${String(index).padStart(5, '0')}`, `${setup.label} bad`, { ...setup.extra, apiKey: 'sk-wrong-key' }),
		]);
		await n8n.importCredentials(credentials);
	}, 120_000);

	it.each(SETUPS.map((setup, index) => [setup.label, setup, index] as const))('%s', async (_label, setup, index) => {
		const id = `e2eDialect${String(index).padStart(6, '0')}`;
		const good = { id: `e2eGoodCred${String(index).padStart(5, '0')}`, name: `${setup.label} good` };
		const bad = { id: `e2eBadCred0${String(index).padStart(5, '0')}`, name: `${setup.label} bad` };
		await n8n.importWorkflow(dialectWorkflow(setup, id, good, bad));
		const { nodes } = await n8n.execute(id);

		expect(only(nodes['Status done'])).toMatchObject({ id: 'video_done', status: 'completed', progress: 100, canDownload: true, provider: setup.provider });
		expect(only(nodes['Status running'])).toMatchObject({ id: 'video_running', status: 'in_progress', canDownload: false });
		expect(only(nodes['Status failed'])).toMatchObject({ status: 'failed', error: { message: 'The prompt was blocked by moderation' } });

		const video = downloaded(nodes['Download video']);
		expect(video).toMatchObject({ taskId: 'video_done', variant: 'video', mimeType: 'video/mp4', fileSize: 1_048_576 + 123 });
		expect(video.fileName).toBe(setup.dialect === 'ezmodel' ? 'video.mp4' : 'video_done.mp4');
		expect(sha256(storedBytes(nodes['Download video']))).toBe(sha256(contentBytes('video_done', 'video', 1_048_576 + 123)));

		if (setup.variants) {
			expect(downloaded(nodes['Download thumbnail'])).toMatchObject({ mimeType: 'image/webp', fileName: 'video_done_thumbnail.webp' });
			expect(storedBytes(nodes['Download thumbnail']).equals(contentBytes('video_done', 'thumbnail', 2048))).toBe(true);
			expect(downloaded(nodes['Download spritesheet'])).toMatchObject({ mimeType: 'image/jpeg', fileName: 'video_done_spritesheet.jpg' });
			expect(storedBytes(nodes['Download spritesheet']).equals(contentBytes('video_done', 'spritesheet', 2048))).toBe(true);
			expect(storedBytes(nodes['Download via storage']).equals(contentBytes('video_redirect', 'video', 300_000))).toBe(true);
			expect(storedBytes(nodes['Download rate limited']).equals(contentBytes('video_busy', 'video', 200_000))).toBe(true);
		}

		const error = (name: string) => String(nodes[name]?.items[0]?.json.error ?? JSON.stringify(nodes[name]));
		expect(error('Not ready')).toMatch(/^Task "video_running" is not ready yet \(status: in_progress/);
		expect(error('Not found')).toMatch(/^Task "no_such_task" was not found at /);
		expect(error('Expired')).toMatch(setup.expired);
		expect(error('Failed download')).toMatch(/^Task "video_failed" failed at .*: The prompt was blocked by moderation/);
		expect(error('Bad key')).toMatch(/rejected the API key \(HTTP 401\)$/);
		expect(JSON.stringify(nodes)).not.toContain(KEY);
	}, 120_000);

	it('the storage origin a redirect pointed to never received the key', () => {
		expect(sim.storageRequests.length).toBeGreaterThanOrEqual(2);
		for (const request of sim.storageRequests) {
			expect(JSON.stringify(request.headers)).not.toContain(KEY);
			expect(request.headers.authorization).toBeUndefined();
			expect(request.headers['api-key']).toBeUndefined();
		}
	});
});

describe('the examples', () => {
	it('all import cleanly, and "check status, wait, download" runs against the simulator', async () => {
		await n8n.importCredentials([
			simulatorCredential(sim, 'voidai', EXAMPLE_CREDENTIAL.type, EXAMPLE_CREDENTIAL.id, EXAMPLE_CREDENTIAL.name),
			simulatorCredential(sim, 'openai', EXAMPLE_GATEWAY_CREDENTIAL.type, EXAMPLE_GATEWAY_CREDENTIAL.id, EXAMPLE_GATEWAY_CREDENTIAL.name, { headerName: 'Authorization', headerPrefix: 'Bearer ' }),
		]);
		for (const name of EXAMPLES) await n8n.importWorkflow(loadExample(name));
		const { nodes, status } = await n8n.execute(loadExample('check-status-wait-download').id);
		expect(status).toBe('success');
		expect(only(nodes['Get Status'])).toMatchObject({ id: 'video_done', status: 'completed' });
		expect(downloaded(nodes['Download Video'])).toMatchObject({ fileName: 'video_done.mp4', mimeType: 'video/mp4' });
		expect(storedBytes(nodes['Download Video']).equals(contentBytes('video_done', 'video', 1_048_576 + 123))).toBe(true);
	}, 120_000);
});

describe('the trigger under `n8n start`, across a restart', () => {
	const archive = () => ourPartOf(loadExample('archive-to-google-drive'), 'e2eArchive000001', 'e2e archive trigger');
	const slack = () => ourPartOf(loadExample('notify-slack'), 'e2eSlack00000001', 'e2e notify trigger');

	/** Fired task IDs per execution of a workflow, with events and file sizes. */
	async function firedBy(workflowId: string): Promise<Array<Array<[unknown, unknown, unknown]>>> {
		const executions = await n8n.executions(workflowId);
		return executions.map((execution) =>
			(execution.nodes['Sora Video Trigger']?.items ?? []).map((item) => [item.json.id, item.json.event, item.binary?.data?.bytes ?? null]),
		);
	}

	async function waitForExecutions(workflowId: string, count: number): Promise<void> {
		await waitFor(async () => ((await n8n.executions(workflowId)).length >= count ? true : undefined), `${count} execution(s) of ${workflowId}`, 150_000, 2000);
	}

	it('fires once per task and event; nothing twice after a restart; failed tasks fire "failed"', async () => {
		for (const id of ['t_one', 't_two', 't_three']) sim.addTask({ id, forced: 'in_progress', contentBytes: 123_457 });
		await n8n.importCredentials([simulatorCredential(sim, 'voidai', EXAMPLE_CREDENTIAL.type, EXAMPLE_CREDENTIAL.id, EXAMPLE_CREDENTIAL.name)]);
		await n8n.importWorkflow(archive());
		await n8n.importWorkflow(slack());
		await n8n.publish('e2eArchive000001');
		await n8n.publish('e2eSlack00000001');

		await n8n.startServer();
		// Each workflow's activation takes a baseline (one list page here): tasks finished before it
		// (video_done, video_failed, ...) never fire. Both baselines must be taken before t_one finishes.
		const listPolls = () => sim.requests.filter((request) => request.path === '/voidai/v1/videos').length;
		await waitFor(async () => (listPolls() >= 2 ? true : undefined), 'both activation polls', 60_000);
		sim.setStatus('t_one', 'completed');
		await waitForExecutions('e2eArchive000001', 1);
		await waitForExecutions('e2eSlack00000001', 1);
		expect(await firedBy('e2eArchive000001')).toEqual([[['t_one', 'completed', 123_457]]]);
		expect(await firedBy('e2eSlack00000001')).toEqual([[['t_one', 'completed', null]]]);
		const archived = (await n8n.executions('e2eArchive000001'))[0].nodes['Sora Video Trigger'].items[0];
		expect(readFileSync(n8n.binaryPath(String(archived.binary?.data?.id))).equals(contentBytes('t_one', 'video', 123_457))).toBe(true);

		await n8n.stopServer();
		sim.setStatus('t_two', 'completed');
		await n8n.startServer();
		await waitForExecutions('e2eArchive000001', 2);
		await waitForExecutions('e2eSlack00000001', 2);

		sim.setStatus('t_three', 'failed');
		await waitForExecutions('e2eSlack00000001', 3);
		// One more poll, to see that nothing fires again.
		const polls = listPolls();
		await waitFor(async () => (listPolls() >= polls + 2 ? true : undefined), 'another poll', 90_000, 2000);
		await n8n.stopServer();

		expect(await firedBy('e2eArchive000001')).toEqual([[['t_one', 'completed', 123_457]], [['t_two', 'completed', 123_457]]]);
		const notified = await firedBy('e2eSlack00000001');
		expect(notified).toEqual([[['t_one', 'completed', null]], [['t_two', 'completed', null]], [['t_three', 'failed', null]]]);
		const failedItem = (await n8n.executions('e2eSlack00000001'))[2].nodes['Sora Video Trigger'].items[0];
		expect(failedItem.json.error).toEqual({ code: 'video_generation_failed', message: 'The video could not be generated: content policy violation' });
	}, 600_000);
});

describe('the trigger when its polls take longer than the interval, in both of n8n\'s engines at once', () => {
	/** n8n's default engine, and its durable scheduler with a poll timeout above the 1-minute interval (so its polls can overlap too). */
	const ENGINES = [
		{ prefix: 'legacy', env: {} },
		{
			prefix: 'durable',
			env: { N8N_SCHEDULER_ENABLED: 'true', N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true', N8N_SCHEDULER_POLL_TIMEOUT: '150', N8N_SCHEDULER_LEASE_DURATION: '180' },
		},
	] as const;
	const instances: N8nInstance[] = [];

	beforeAll(async () => {
		const runtime = await ensureRuntime();
		// Each instance also uses port + 1 (task runners), so the two must not be neighbours.
		const first = await freePort();
		for (const [index, engine] of ENGINES.entries()) {
			instances.push(await prepareInstance(runtime, join(REPO_ROOT, '.cache', 'e2e', `n8n-${engine.prefix}`), index === 0 ? first : await freePortAwayFrom(first)));
		}
	}, 300_000);

	afterAll(async () => {
		for (const instance of instances) await instance.stopServer();
	});

	const statusCalls = (taskId: string) => sim.requests.filter((request) => request.path === `/voidai/v1/videos/${taskId}`).length;
	const contentCalls = (taskId: string) => sim.requests.filter((request) => request.path === `/voidai/v1/videos/${taskId}/content`).length;

	function triggerWorkflow(id: string, nodeId: string, credential: { id: string; name: string }, taskIds: string, pollTimeBudget: number): object {
		return {
			id,
			name: `e2e ${id}`,
			nodes: [
				{
					id: nodeId,
					name: 'Sora Video Trigger',
					type: 'n8n-nodes-sora-video.soraVideoTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						pollTimes: { item: [{ mode: 'everyMinute' }] },
						provider: 'voidAi',
						watch: 'taskIds',
						taskIds,
						events: ['completed'],
						download: true,
						variant: 'video',
						binaryPropertyName: 'data',
						options: { pollTimeBudget },
					},
					credentials: { voidAiApi: credential },
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		};
	}

	async function firedItems(instance: N8nInstance, workflowId: string): Promise<Array<{ status: string; items: NodeRun['items'] }>> {
		return (await instance.executions(workflowId)).map((execution) => ({ status: execution.status, items: execution.nodes['Sora Video Trigger']?.items ?? [] }));
	}

	/**
	 * A 70 s download (the simulator sends 10 KB/s) with a 150 s Poll Time Budget: the poll that downloads it is still
	 * running when the next one starts. And two 6 s downloads with a 10 s budget: the second does not fit and is carried.
	 */
	async function scenario(instance: N8nInstance, prefix: string, env: NodeJS.ProcessEnv, index: number): Promise<void> {
		const slow = `${prefix}_slow`;
		const parts = [`${prefix}_c1`, `${prefix}_c2`];
		// Never finishes: each poll asks about it, which shows when a poll has run.
		const idle = [`${prefix}_idle1`, `${prefix}_idle2`];
		for (const id of idle) sim.addTask({ id, forced: 'in_progress' });
		sim.addTask({ id: slow, forced: 'in_progress', contentBytes: 700_000, faults: [{ type: 'slow', bytesPerSecond: 10_000 }] });
		for (const id of parts) sim.addTask({ id, forced: 'in_progress', contentBytes: 300_000, faults: [{ type: 'slow', bytesPerSecond: 50_000 }] });
		const credential = { id: `e2eOverrunCred0${index}`, name: `${prefix} VoidAI` };
		const overrunId = `e2eOverrunFlow0${index}`;
		const budgetId = `e2eBudgetFlow00${index}`;
		await instance.importCredentials([simulatorCredential(sim, 'voidai', 'voidAiApi', credential.id, credential.name)]);
		await instance.importWorkflow(triggerWorkflow(overrunId, `5b0d1c2e-0000-4000-8000-00000000010${index}`, credential, `${slow}\n${idle[0]}`, 150));
		await instance.importWorkflow(triggerWorkflow(budgetId, `5b0d1c2e-0000-4000-8000-00000000020${index}`, credential, [...parts, idle[1]].join('\n'), 10));
		await instance.publish(overrunId);
		await instance.publish(budgetId);
		await instance.startServer(env);

		// The activation polls check the tasks (running) and download nothing.
		await waitFor(async () => (statusCalls(slow) >= 1 && statusCalls(parts[0]) >= 1 ? true : undefined), `${prefix}: activation polls`, 120_000, 1000);
		for (const id of [slow, ...parts]) sim.setStatus(id, 'completed');
		const fired = async (workflowId: string) => (await firedItems(instance, workflowId)).flatMap((execution) => execution.items);
		await waitFor(async () => ((await fired(overrunId)).length >= 1 ? true : undefined), `${prefix}: the slow task to fire`, 300_000, 2000);
		await waitFor(async () => ((await fired(budgetId)).length >= 2 ? true : undefined), `${prefix}: both carried tasks to fire`, 300_000, 2000);
		// One more poll of each workflow after the last file arrived: nothing fires again.
		const polled = idle.map(statusCalls);
		await waitFor(async () => (idle.every((id, at) => statusCalls(id) > polled[at]) ? true : undefined), `${prefix}: one more poll`, 120_000, 1000);
		const log = instance.log;
		await instance.stopServer();

		const overrun = await firedItems(instance, overrunId);
		expect(overrun.map((execution) => execution.status)).toEqual(['success']);
		expect(overrun[0].items.map((item) => [item.json.id, item.json.event, item.binary?.data?.bytes])).toEqual([[slow, 'completed', 700_000]]);
		expect(sha256(readFileSync(instance.binaryPath(String(overrun[0].items[0].binary?.data?.id))))).toBe(sha256(contentBytes(slow, 'video', 700_000)));
		expect(contentCalls(slow)).toBe(1);
		// The activation poll, the poll that downloaded it, and at least one poll that started while it downloaded.
		expect(statusCalls(slow)).toBeGreaterThanOrEqual(3);

		const budget = await firedItems(instance, budgetId);
		expect(budget.every((execution) => execution.status === 'success')).toBe(true);
		const items = budget.flatMap((execution) => execution.items);
		expect(items.map((item) => item.json.id).sort()).toEqual(parts);
		for (const item of items) {
			expect(item.json.downloadError).toBeUndefined();
			const id = String(item.json.id);
			expect(readFileSync(instance.binaryPath(String(item.binary?.data?.id))).equals(contentBytes(id, 'video', 300_000))).toBe(true);
		}
		// The budget cut a download short; the next poll downloaded it again, whole, and fired it once.
		expect(contentCalls(parts[0]) + contentCalls(parts[1])).toBeGreaterThanOrEqual(3);

		expect(log).not.toContain('Poll exceeded its timeout');
		if (env.N8N_SCHEDULER_ENABLED) {
			const [{ polls }] = await instance.sqliteQuery("SELECT count(*) AS polls FROM scheduled_task WHERE taskType = 'workflow:poll-trigger' AND status = 'succeeded'");
			expect(Number(polls)).toBeGreaterThanOrEqual(3);
		}
	}

	it('fires each task once and downloads it once; a download that does not fit the budget fires on a later poll', async () => {
		await Promise.all(ENGINES.map(async (engine, index) => await scenario(instances[index], engine.prefix, engine.env, index)));
	}, 900_000);
});
