/**
 * `npm run test:queue`: the package in n8n's queue mode, with real components only. A throwaway PostgreSQL and
 * Redis (Debian's packages) on 127.0.0.1, one main (`n8n start`, EXECUTIONS_MODE=queue) and `n8n worker`s sharing
 * them, binary data in the `database` mode, the package installed from its `npm pack` tarball. The provider
 * simulator runs in this process. Everything started here is stopped, pass, fail or Ctrl+C.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

import type { DownloadOutcome, LoadFigures, WorkflowJson } from '../scripts/harness/queue';
import { downloadOutcomes, downloadProblems, enqueueDownloads, expectedSha256, loadPlan, loadTable, mib, QueueCluster, runLoad, webhookDownloadWorkflow } from '../scripts/harness/queue';
import { stopAll, waitFor } from '../scripts/harness/processes';
import { ensureRuntime, REPO_ROOT } from '../scripts/harness/runtime';
import { DIALECT_SETUPS, SIM_FRONTEND_TOKEN, simulatorCredential } from '../scripts/harness/scenario';
import { ProviderSimulator } from '../simulator/simulator';

const KEY = 'sk-queue-simulator-key';
const MiB = 1024 * 1024;
/** Jobs each worker runs at once. */
const CONCURRENCY = 5;
/**
 * n8n's `database` binary mode holds each file whole in the worker while it writes it to PostgreSQL (the stream
 * is collected into one Buffer, then copied into the query): a worker needs about this many times the size of
 * every file it holds at once, on top of its idle memory. The bound asserted below; the measured factor is printed.
 */
const DATABASE_MODE_FACTOR = 4;
const started = Date.now();
const results: string[] = [];

let sim: ProviderSimulator;
let cluster: QueueCluster;

function report(line = ''): void {
	results.push(line);
	process.stdout.write(`${line}\n`);
}

const credentialOf = (index: number) => ({ id: `queueCred${String(index).padStart(7, '0')}`, name: `queue ${DIALECT_SETUPS[index].label}` });
const VOIDAI = DIALECT_SETUPS.findIndex((setup) => setup.label === 'voidai');
const voidAiSource = { provider: 'voidAi', credentialType: 'voidAiApi', credential: credentialOf(VOIDAI) };

/** Six fixed-second crons make a poll every 10 s: n8n refuses a single sub-minute cron, not several minute ones. */
const EVERY_10_SECONDS = { item: [0, 10, 20, 30, 40, 50].map((second) => ({ mode: 'custom', cronExpression: `${second} * * * * *` })) };

function triggerWorkflow(id: string, taskIds: string[], download: boolean): WorkflowJson {
	const workflow: WorkflowJson = {
		id,
		name: `queue: trigger ${id}`,
		active: false,
		nodes: [
			{
				id: `${id}-trigger`,
				name: 'Sora Video Trigger',
				type: 'n8n-nodes-sora-video.soraVideoTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: EVERY_10_SECONDS, provider: 'voidAi', watch: 'taskIds', taskIds: taskIds.join('\n'), events: ['completed'], download, variant: 'video', binaryPropertyName: 'data', options: {} },
				credentials: { voidAiApi: voidAiSource.credential },
			},
		],
		connections: download ? { 'Sora Video Trigger': { main: [[{ node: 'Hash', type: 'main', index: 0 }]] } } : {},
		settings: { executionOrder: 'v1' },
	};
	if (download) {
		// A worker reads the file the trigger stored on the main: n8n's Crypto node hashes it.
		(workflow.nodes as object[]).push({
			id: `${id}-hash`,
			name: 'Hash',
			type: 'n8n-nodes-base.crypto',
			typeVersion: 2,
			position: [240, 0],
			parameters: { action: 'hash', binaryData: true, binaryPropertyName: 'data', type: 'SHA256', dataPropertyName: 'sha256', encoding: 'hex' },
		});
	}
	return workflow;
}

const LOAD_FILES = Number(process.env.SORA_QUEUE_FILES ?? 200);
const LOAD_BIG = Number(process.env.SORA_QUEUE_BIG_FILES ?? 4);
const BIG_BYTES = Number(process.env.SORA_QUEUE_BIG_BYTES ?? 256 * MiB);
const REDIS_TASKS = ['r_1', 'r_2', 'r_3', 'r_4'];
const DURABLE_TASKS = Array.from({ length: 1000 }, (_, i) => `d_${String(i).padStart(4, '0')}`);

const WORKFLOWS = {
	load1: webhookDownloadWorkflow('queueLoadOne0001', 'load-one', voidAiSource),
	load2: webhookDownloadWorkflow('queueLoadTwo0001', 'load-two', voidAiSource),
	fault: webhookDownloadWorkflow('queueFault000001', 'fault', voidAiSource),
	dialects: DIALECT_SETUPS.map((setup, index) =>
		webhookDownloadWorkflow(`queueDialect${String(index).padStart(4, '0')}`, `dialect-${setup.label}`, { provider: setup.provider, credentialType: setup.type, credential: credentialOf(index) }),
	),
	redis: triggerWorkflow('queueRedisTrig01', REDIS_TASKS, true),
	durable: triggerWorkflow('queueDurable0001', DURABLE_TASKS, false),
};

beforeAll(async () => {
	const runtime = await ensureRuntime();
	sim = new ProviderSimulator({ apiKey: KEY, frontendToken: SIM_FRONTEND_TOKEN });
	await sim.start();
	cluster = await QueueCluster.create(runtime, join(REPO_ROOT, '.cache', 'queue', 'n8n-user'));
	report(`## Queue mode (n8n 2.41.1, PostgreSQL ${cluster.postgres.version}, Redis ${cluster.redis.version}, binary data mode \`database\`)`);
	report();
	await cluster.n8n.importCredentials(DIALECT_SETUPS.map((setup, index) => simulatorCredential(sim, setup.dialect, setup.type, credentialOf(index).id, credentialOf(index).name, setup.extra)));
	await cluster.n8n.importWorkflow([WORKFLOWS.load1, WORKFLOWS.load2, WORKFLOWS.fault, ...WORKFLOWS.dialects, WORKFLOWS.redis, WORKFLOWS.durable]);
	await cluster.storeBinariesUncompressed();
	await cluster.startMain();
	await cluster.startWorker('worker-1', { concurrency: CONCURRENCY });
	report(`Setup (pack, PostgreSQL, Redis, imports, main, one worker): ${((Date.now() - started) / 1000).toFixed(0)} s`);
	report();
}, 900_000);

afterAll(async () => {
	await cluster?.stop(join(REPO_ROOT, '.cache', 'queue', 'logs'));
	await stopAll();
	await sim?.stop();
	report(`Total: ${((Date.now() - started) / 1000).toFixed(0)} s`);
	const dir = join(REPO_ROOT, '.cache', 'queue');
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'results.md'), `${results.join('\n')}\n`);
}, 120_000);

/** The bound a worker's memory must stay under: idle + the factor times the files it can hold at once. */
function memoryBound(plan: Array<{ bytes: number }>): number {
	const largest = plan.map((file) => file.bytes).sort((a, b) => b - a).slice(0, CONCURRENCY);
	return DATABASE_MODE_FACTOR * largest.reduce((sum, bytes) => sum + bytes, 0);
}

const loads: LoadFigures[] = [];

async function load(workflow: { id: string }, path: string, prefix: string): Promise<void> {
	await cluster.activate(workflow.id);
	const plan = loadPlan(prefix, LOAD_FILES, LOAD_BIG, BIG_BYTES);
	const { figures, outcomes } = await runLoad(cluster, sim, workflow.id, path, plan, CONCURRENCY, 1_200_000);
	loads.push(figures);
	expect(downloadProblems(outcomes, plan)).toEqual([]);
	expect(outcomes).toHaveLength(plan.length);
	for (const worker of figures.workers) {
		expect(worker.executions).toBeGreaterThan(0);
		const bound = memoryBound(plan);
		report(`- ${worker.name}: peak ${mib(worker.peakRss)} = idle ${mib(worker.idleRss)} + ${mib(worker.peakRss - worker.idleRss)}; bound idle + ${mib(bound)} (${DATABASE_MODE_FACTOR} x its ${CONCURRENCY} largest files)`);
		expect(worker.peakRss - worker.idleRss).toBeLessThanOrEqual(bound);
	}
	report(`- database after this run: ${mib(await cluster.databaseBytes())}`);
	await cluster.deactivate(workflow.id);
}

describe('n8n queue mode: PostgreSQL, Redis, a main and workers', () => {
	it(`load: ${LOAD_FILES} downloads enqueued at once, one worker; all complete with the exact bytes, memory bounded`, async () => {
		report(`### Load: ${LOAD_FILES} webhook-enqueued downloads (${LOAD_BIG} of ${mib(BIG_BYTES)}, the rest 2-6 MiB), worker concurrency ${CONCURRENCY}`);
		report();
		await load(WORKFLOWS.load1, 'load-one', 'l1');
	}, 1_500_000);

	it('every dialect: Download Content runs on the workers and stores the simulator\'s exact bytes', async () => {
		await cluster.startWorker('worker-2', { concurrency: CONCURRENCY });
		const bytes = MiB + 123;
		for (const index of DIALECT_SETUPS.keys()) {
			sim.addTask({ id: `q_dialect_${index}`, forced: 'completed', contentBytes: bytes });
			await cluster.activate(WORKFLOWS.dialects[index].id);
		}
		await Promise.all(DIALECT_SETUPS.map(async (setup, index) => await enqueueDownloads(cluster, `dialect-${setup.label}`, [`q_dialect_${index}`])));
		report();
		report('### Every dialect, one webhook-enqueued download each');
		report();
		for (const [index, setup] of DIALECT_SETUPS.entries()) {
			const workflow = WORKFLOWS.dialects[index];
			await cluster.waitForFinished(workflow.id, 1, 120_000);
			const outcomes = await downloadOutcomes(cluster, workflow.id);
			expect(downloadProblems(outcomes, [{ taskId: `q_dialect_${index}`, bytes }])).toEqual([]);
			const [outcome] = outcomes;
			expect(['worker-1', 'worker-2']).toContain(outcome.worker);
			report(`- ${setup.label}: execution ${outcome.executionId} ran on ${outcome.worker}; stored ${outcome.file?.length} bytes, sha256 ${outcome.file?.sha256.slice(0, 12)}... = the simulator's`);
			await cluster.deactivate(workflow.id);
		}
		const enqueued = cluster.enqueued();
		for (const workflow of WORKFLOWS.dialects) for (const execution of await cluster.n8n.executions(workflow.id)) expect(enqueued.has(execution.id)).toBe(true);
	}, 600_000);

	it(`load: the same with two workers`, async () => {
		await load(WORKFLOWS.load2, 'load-two', 'l2');
		report();
		for (const line of loadTable(loads)) report(line);
		report();
	}, 1_500_000);

	it('a worker killed (SIGKILL) mid-download: no short file stored, its executions end as failed, the other worker goes on', async () => {
		// 16 downloads of 8 MiB at 2 MiB/s: 4 s each, 10 running at once on two workers, 6 waiting.
		const plan = Array.from({ length: 16 }, (_, i) => ({ taskId: `f_${String(i).padStart(2, '0')}`, bytes: 8 * MiB + i }));
		for (const file of plan) sim.addTask({ id: file.taskId, forced: 'completed', contentBytes: file.bytes, faults: [{ type: 'slow', bytesPerSecond: 2 * MiB }] });
		await cluster.activate(WORKFLOWS.fault.id);
		const victim = cluster.workers.get('worker-2');
		if (!victim) throw new Error('worker-2 is not running');
		const before = new Set(cluster.workerOf().keys());
		await enqueueDownloads(cluster, 'fault', plan.map((file) => file.taskId));
		const running = () => {
			const startedIds = [...victim.log.matchAll(/Worker started execution (\d+) /g)].map((match) => match[1]).filter((id) => !before.has(id));
			const finished = new Set([...victim.log.matchAll(/Worker finished execution (\d+) /g)].map((match) => match[1]));
			return startedIds.filter((id) => !finished.has(id));
		};
		await waitFor(async () => (running().length >= 3 ? true : undefined), 'worker-2 to hold 3 downloads', 120_000, 100);
		// Let bytes flow for a moment, so the kill lands in the middle of the bodies.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		await cluster.killWorker('worker-2');
		const killedAt = Date.now();
		// What it had started and not finished when it died (its log outlives it).
		const heldAtKill = running();
		const counts = await cluster.waitForFinished(WORKFLOWS.fault.id, plan.length, 300_000);
		const outcomes = await downloadOutcomes(cluster, WORKFLOWS.fault.id);
		const byId = new Map(outcomes.map((outcome) => [outcome.executionId, outcome]));
		report();
		report('### A worker killed (SIGKILL) in the middle of downloads');
		report();
		report(`- 16 slow downloads (8 MiB at 2 MiB/s) on two workers; worker-2 killed while it held executions ${heldAtKill.join(', ')}; final statuses ${JSON.stringify(counts)}`);
		expect(heldAtKill.length).toBeGreaterThanOrEqual(3);
		const crashed: DownloadOutcome[] = heldAtKill.map((id) => byId.get(id)).filter((outcome): outcome is DownloadOutcome => outcome !== undefined);
		expect(crashed).toHaveLength(heldAtKill.length);
		for (const outcome of crashed) {
			// Never a success, never a file: the worker held the bytes in memory and died with them.
			expect(outcome.status).not.toBe('success');
			expect(outcome.file).toBeUndefined();
		}
		report(`- what n8n reports for them: ${[...new Set(crashed.map((outcome) => `status "${outcome.status}": ${outcome.executionError ?? outcome.error ?? '(no message)'}`))].join(' | ')}`);
		const others = outcomes.filter((outcome) => !heldAtKill.includes(outcome.executionId));
		expect(downloadProblems(others, plan.filter((file) => others.some((outcome) => outcome.taskId === file.taskId)))).toEqual([]);
		expect(others.length + crashed.length).toBe(plan.length);
		const afterKill = others.filter((outcome) => outcome.worker === 'worker-1');
		expect(afterKill.length).toBeGreaterThan(0);
		report(`- the other ${others.length} succeeded with their full bytes (${afterKill.length} on worker-1, which went on); the killed worker's ended ${((Date.now() - killedAt) / 1000).toFixed(0)} s after the kill at the latest (lock ${cluster.n8n.settings.QUEUE_WORKER_LOCK_DURATION} ms)`);
		// No file in the whole store is short.
		const { rows } = await cluster.n8n.query<{ short: string }>('SELECT count(*) AS short FROM binary_data WHERE octet_length(data) <> "fileSize"');
		expect(Number(rows[0].short)).toBe(0);
		await cluster.deactivate(WORKFLOWS.fault.id);
		await cluster.startWorker('worker-3', { concurrency: CONCURRENCY });
	}, 600_000);

	it('Redis restarted: the trigger and workers recover, and tasks completed during the outage fire once afterwards', async () => {
		for (const id of REDIS_TASKS) sim.addTask({ id, forced: 'in_progress', contentBytes: 300_000 + id.length });
		const statusCalls = (id: string) => sim.requests.filter((request) => request.path === `/voidai/v1/videos/${id}`).length;
		await cluster.activate(WORKFLOWS.redis.id);
		await waitFor(async () => (statusCalls('r_4') >= 1 ? true : undefined), 'the first poll', 60_000);
		sim.setStatus('r_1', 'completed');
		await cluster.waitForFinished(WORKFLOWS.redis.id, 1, 120_000);

		await cluster.redis.stop();
		const outageStart = Date.now();
		sim.setStatus('r_2', 'completed');
		sim.setStatus('r_3', 'completed');
		const polls = statusCalls('r_4');
		// Two polls see the outage: the first fires r_2 and r_3 while Redis is down.
		await waitFor(async () => (statusCalls('r_4') >= polls + 2 ? true : undefined), 'two polls during the outage', 60_000);
		await cluster.redis.start();
		const outage = (Date.now() - outageStart) / 1000;
		await cluster.waitForFinished(WORKFLOWS.redis.id, 2, 120_000);
		sim.setStatus('r_4', 'completed');
		await waitFor(
			async () => ((await fired(WORKFLOWS.redis)).flat().includes('r_4') ? true : undefined),
			'r_4 to fire after the restart',
			120_000,
			1000,
		);
		// Two more poll periods, to see that nothing fires again (finished tasks are not asked about, so just wait).
		await new Promise((resolve) => setTimeout(resolve, 22_000));
		await cluster.deactivate(WORKFLOWS.redis.id);
		const executions = await fired(WORKFLOWS.redis);
		const statuses = await cluster.statusCounts(WORKFLOWS.redis.id);
		report();
		report('### Redis restarted (memory only: the queue starts empty)');
		report();
		report(`- outage ${outage.toFixed(0)} s across two polls; executions fired, in order: ${JSON.stringify(executions)}; statuses ${JSON.stringify(statuses)}`);
		expect(executions.flat().sort()).toEqual(REDIS_TASKS);
		expect(statuses).toEqual({ success: executions.length });
		for (const proc of [cluster.main, ...cluster.workers.values()]) expect(proc?.log).toContain('Recovered Redis connection');
		for (const execution of await cluster.n8n.executions(WORKFLOWS.redis.id)) {
			const items = execution.nodes['Sora Video Trigger'].items;
			const hashes = execution.nodes.Hash?.items ?? [];
			expect(hashes).toHaveLength(items.length);
			for (const [index, item] of items.entries()) {
				const taskId = String(item.json.id);
				const expected = expectedSha256(taskId, 300_000 + taskId.length);
				const fileId = String(item.binary?.data?.id).split(':').pop() ?? '';
				expect((await cluster.storedFiles([], [fileId])).map((file) => file.sha256)).toEqual([expected]);
				expect(hashes[index].json.sha256).toBe(expected);
			}
		}
		report(`- every fired task's file was stored whole by the trigger on the main and read back whole on a worker (n8n's Crypto node hashed it); main and workers logged "Recovered Redis connection"`);
	}, 600_000);

	// The restart makes the scheduler run the poll times it missed one right after another or at once, each poll
	// reading the static data from the database, where a write n8n started without waiting may not have landed.
	it('durable scheduler on the main: 1,000 watched tasks completing over time fire exactly once each across a main restart', async () => {
		await cluster.stopMain();
		// SORA_QUEUE_DURABLE_CURSORS=1 also turns on n8n's durable poll cursors (static data committed with each execution).
		const cursors = process.env.SORA_QUEUE_DURABLE_CURSORS === '1' ? { N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'true', N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true' } : {};
		const durable = { N8N_SCHEDULER_ENABLED: 'true', N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true', ...cursors };
		await cluster.startMain(durable);
		const now = Date.now() / 1000;
		// They finish one by one over 90 s, starting 20 s from now.
		for (const [i, id] of DURABLE_TASKS.entries()) sim.addTask({ id, startsAt: now, finishesAt: now + 20 + (i * 90) / DURABLE_TASKS.length, contentBytes: 1000 });
		await cluster.activate(WORKFLOWS.durable.id);
		const finishedByNow = () =>
			DURABLE_TASKS.filter((id) => {
				const task = sim.tasks.get(id);
				return task !== undefined && sim.statusOf(task) === 'completed';
			}).length;
		await waitFor(async () => (finishedByNow() >= 350 ? true : undefined), '350 tasks to complete', 180_000, 1000);
		const firedBeforeRestart = (await fired(WORKFLOWS.durable)).flat().length;
		const restartStart = Date.now();
		await cluster.stopMain();
		// Down for at least 30 s, as in an upgrade: poll times pass while no main runs.
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - restartStart))));
		await cluster.startMain(durable);
		const restart = (Date.now() - restartStart) / 1000;
		await waitFor(async () => (finishedByNow() === DURABLE_TASKS.length ? true : undefined), 'every task to complete', 300_000, 1000);
		const everything = Date.now();
		await waitFor(
			async () => ((await fired(WORKFLOWS.durable)).flat().length >= DURABLE_TASKS.length && Date.now() - everything > 25_000 ? true : undefined),
			'1,000 fired tasks and two more polls',
			300_000,
			2000,
		);
		await cluster.deactivate(WORKFLOWS.durable.id);
		const executions = await fired(WORKFLOWS.durable);
		const ids = executions.flat();
		const counts = new Map<string, number>();
		for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
		const twice = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
		const missing = DURABLE_TASKS.filter((id) => !counts.has(id));
		report();
		report(`### Trigger on the durable scheduler (N8N_SCHEDULER_ENABLED, N8N_SCHEDULER_POLL_TRIGGERS_ENABLED${Object.keys(cursors).length ? ', N8N_POLLER_DURABLE_CURSORS_ENABLED' : ''}), 1,000 watched tasks`);
		report();
		report(`- ${executions.length} executions fired ${ids.length} task events (${firedBeforeRestart} before the main restart of ${restart.toFixed(0)} s); fired twice: ${twice.length}${twice.length ? ` (${twice.slice(0, 5).join(', ')}...)` : ''}; never fired: ${missing.length}`);
		const statuses = await cluster.statusCounts(WORKFLOWS.durable.id);
		expect(statuses).toEqual({ success: executions.length });
		expect(missing).toEqual([]);
		expect(twice).toEqual([]);
		expect(ids).toHaveLength(DURABLE_TASKS.length);
	}, 900_000);
});

/** Task IDs fired per execution of a trigger workflow, counted in PostgreSQL. */
async function fired(workflow: WorkflowJson): Promise<string[][]> {
	const executions = await cluster.n8n.executions(workflow.id);
	return executions.map((execution) => (execution.nodes['Sora Video Trigger']?.items ?? []).map((item) => String(item.json.id)));
}
