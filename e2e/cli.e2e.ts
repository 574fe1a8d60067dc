/**
 * The package as users get it (npm pack -> ~/.n8n/nodes/node_modules), inside a real n8n 2.41.1 process:
 * `n8n execute` for every provider dialect and the examples, `n8n start` for the trigger (with a restart).
 * The provider simulator runs in this process on 127.0.0.1; n8n runs as child processes that are always stopped.
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';

import type { N8nInstance, NodeRun } from '../scripts/lib/n8n';
import { freePort, stopAll, waitFor } from '../scripts/lib/processes';
import { ensureRuntime, REPO_ROOT } from '../scripts/lib/runtime';
import type { DialectSetup } from '../scripts/lib/scenario';
import { DIALECT_SETUPS as SETUPS, EXAMPLE_CREDENTIAL, EXAMPLES, loadExample, ourPartOf, prepareInstance, SIM_FRONTEND_TOKEN, simulatorCredential } from '../scripts/lib/scenario';
import { seedDemoTasks } from '../simulator/cli';
import { contentBytes, ProviderSimulator } from '../simulator/simulator';

const KEY = 'sk-e2e-simulator-key';
const TOKEN = SIM_FRONTEND_TOKEN;
let sim: ProviderSimulator;
let n8n: N8nInstance;

function sha256(buffer: Buffer): string {
	return createHash('sha256').update(buffer).digest('hex');
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
		await n8n.importCredentials([simulatorCredential(sim, 'voidai', EXAMPLE_CREDENTIAL.type, EXAMPLE_CREDENTIAL.id, EXAMPLE_CREDENTIAL.name)]);
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
