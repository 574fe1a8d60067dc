/**
 * n8n's queue mode with real components: a throwaway PostgreSQL and Redis, one main (`n8n start`,
 * EXECUTIONS_MODE=queue) and workers (`n8n worker`), all on 127.0.0.1, sharing one user folder with this
 * package installed from its `npm pack` tarball, binary data in the `database` mode n8n uses in queue mode.
 */
import { createHash } from 'crypto';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';

import type { ProviderSimulator } from '../../simulator/simulator';
import { contentBytes } from '../../simulator/simulator';

import type { N8nInstance, N8nProcess } from './n8n';
import { freePort, waitFor } from './processes';
import type { Runtime } from './runtime';
import { prepareInstance } from './scenario';
import { Postgres, Redis, scratchDir } from './services';

const MiB = 1024 * 1024;
/** `info` names every job (`Enqueued execution N`, `Worker started execution N`); SORA_N8N_LOG_LEVEL=debug says more. */
const LOG_LEVEL = process.env.SORA_N8N_LOG_LEVEL === 'debug' ? 'debug' : 'info';

export interface WorkerOptions {
	/** Jobs a worker runs at once (`n8n worker --concurrency`). */
	concurrency: number;
	env?: NodeJS.ProcessEnv;
}

/** A stored file as n8n's `database` binary mode keeps it (table binary_data), hashed by PostgreSQL itself. */
export interface StoredFile {
	fileId: string;
	executionId: string;
	fileSize: number;
	length: number;
	sha256: string;
}

export class QueueCluster {
	main: N8nProcess | undefined;
	readonly workers = new Map<string, N8nProcess>();
	/** Every process started, stopped or killed ones included: their logs say which worker ran what. */
	readonly history: N8nProcess[] = [];
	private cookie = '';

	private constructor(
		readonly n8n: N8nInstance,
		readonly postgres: Postgres,
		readonly redis: Redis,
		/** Where PostgreSQL and Redis keep their throwaway data; removed by `stop`. */
		private readonly scratch: string,
	) {}

	/**
	 * Packs and installs the package into a fresh user folder, starts PostgreSQL and Redis on free ports,
	 * and points every n8n command of the instance at them.
	 */
	static async create(runtime: Runtime, userFolder: string): Promise<QueueCluster> {
		const n8n = await prepareInstance(runtime, userFolder, await freePort());
		const scratch = scratchDir('cluster');
		const postgres = new Postgres(join(scratch, 'pg'), await freePort());
		const redis = new Redis(join(scratch, 'redis'), await freePort());
		const cluster = new QueueCluster(n8n, postgres, redis, scratch);
		await postgres.start();
		await redis.start();
		const db = postgres.connection;
		n8n.database = db;
		n8n.settings = QueueCluster.settings(db.host, db.port, db.database, db.user, db.password, redis.port);
		return cluster;
	}

	/** What main and workers share: README's "Running at scale" lists the same variables. */
	static settings(host: string, port: number, database: string, user: string, password: string, redisPort: number): NodeJS.ProcessEnv {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: host,
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: user,
			DB_POSTGRESDB_PASSWORD: password,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			// A killed worker's jobs are given up on after the lock expires (n8n sets maxStalledCount 0):
			// shorter than the defaults (60 s lock, 30 s check) so the fault tests need not wait minutes.
			QUEUE_WORKER_LOCK_DURATION: '15000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
			QUEUE_WORKER_STALLED_INTERVAL: '5000',
			// n8n exits when Redis stays unreachable longer than this (10 s by default): a restart of Redis
			// must fit in it. A minute leaves room for a restart; a supervisor should restart n8n beyond that.
			QUEUE_BULL_REDIS_TIMEOUT_THRESHOLD: '60000',
		};
	}

	/** `n8n start` in queue mode; the owner account is created once so the REST API can be used. */
	async startMain(env: NodeJS.ProcessEnv = {}): Promise<N8nProcess> {
		this.main = await this.n8n.startServer({ N8N_LOG_LEVEL: LOG_LEVEL, ...env });
		this.history.push(this.main);
		if (!this.cookie) this.cookie = await this.n8n.ownerSession('queue@example.com', 'SoraQueue-2026');
		return this.main;
	}

	async stopMain(): Promise<void> {
		await this.n8n.stopServer();
		this.main = undefined;
	}

	/** `n8n worker` with its own task-runner broker and health ports; ready when its readiness check passes. */
	async startWorker(name: string, options: WorkerOptions): Promise<N8nProcess> {
		const healthPort = await freePort();
		const worker = this.n8n.spawn(name, ['worker', `--concurrency=${options.concurrency}`], {
			N8N_LOG_LEVEL: LOG_LEVEL,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			...options.env,
		});
		this.workers.set(name, worker);
		this.history.push(worker);
		await worker.waitReady(`http://127.0.0.1:${healthPort}/healthz/readiness`, 120_000);
		return worker;
	}

	async stopWorker(name: string): Promise<void> {
		await this.workers.get(name)?.stop();
		this.workers.delete(name);
	}

	/** SIGKILL: the worker and its task runner vanish mid-job, as in a crash or an OOM kill. */
	async killWorker(name: string): Promise<void> {
		await this.workers.get(name)?.kill();
		this.workers.delete(name);
	}

	/** Which worker ran each execution, from the workers' own log lines (`Worker started execution N`). */
	workerOf(): Map<string, string> {
		const ran = new Map<string, string>();
		for (const proc of this.history) {
			for (const match of proc.log.matchAll(/Worker started execution (\d+) \(job/g)) ran.set(match[1], proc.name);
		}
		return ran;
	}

	/** The executions the main enqueued (`Enqueued execution N`). */
	enqueued(): Set<string> {
		const ids = new Set<string>();
		for (const proc of this.history) for (const match of proc.log.matchAll(/Enqueued execution (\d+) \(job/g)) ids.add(match[1]);
		return ids;
	}

	/** A REST call as the owner. */
	async rest(method: string, path: string, body?: unknown): Promise<unknown> {
		const response = await fetch(`${this.n8n.baseUrl}/rest${path}`, {
			method,
			headers: { 'Content-Type': 'application/json', Cookie: this.cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
		return (JSON.parse(text) as { data?: unknown }).data;
	}

	/**
	 * Publishes (activates) a workflow on the running main. n8n 2.41 applies a publication through an outbox
	 * in the database, a moment later: this waits until its webhooks and triggers are really live.
	 */
	async activate(workflowId: string): Promise<void> {
		const workflow = (await this.rest('GET', `/workflows/${workflowId}`)) as { versionId: string };
		await this.rest('POST', `/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
		const outcome = await waitFor(
			async () => {
				const { rows } = await this.n8n.query<{ status: string; errorMessage: string | null }>(
					'SELECT status, "errorMessage" FROM workflow_publication_outbox WHERE "workflowId" = $1 ORDER BY id DESC LIMIT 1',
					[workflowId],
				);
				return rows[0] && !['pending', 'in_progress'].includes(rows[0].status) ? rows[0] : undefined;
			},
			`the publication of ${workflowId} to be applied`,
			60_000,
			250,
		);
		if (outcome.status !== 'completed') throw new Error(`publishing ${workflowId} ended ${outcome.status}: ${outcome.errorMessage ?? ''}`);
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.rest('POST', `/workflows/${workflowId}/deactivate`, {});
	}

	/** Executions of a workflow by status, straight from PostgreSQL. */
	async statusCounts(workflowId: string): Promise<Record<string, number>> {
		const { rows } = await this.n8n.query<{ status: string; count: string }>(
			'SELECT status, count(*) AS count FROM execution_entity WHERE "workflowId" = $1 GROUP BY status',
			[workflowId],
		);
		return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
	}

	/** Waits until a workflow has `count` executions that are no longer new, queued or running. */
	async waitForFinished(workflowId: string, count: number, timeoutMs: number): Promise<Record<string, number>> {
		return await waitFor(
			async () => {
				const counts = await this.statusCounts(workflowId);
				const unfinished = (counts.new ?? 0) + (counts.running ?? 0) + (counts.waiting ?? 0);
				const total = Object.values(counts).reduce((a, b) => a + b, 0);
				return total >= count && unfinished === 0 ? counts : undefined;
			},
			`${count} finished executions of ${workflowId}`,
			timeoutMs,
			1000,
		);
	}

	/** Files n8n stored for these executions (or with these file IDs), with their length and sha256 as PostgreSQL computes them. */
	async storedFiles(executionIds: string[], fileIds: string[] = []): Promise<StoredFile[]> {
		if (executionIds.length === 0 && fileIds.length === 0) return [];
		const { rows } = await this.n8n.query<{ fileId: string; sourceId: string; fileSize: number; length: number; sha256: string }>(
			`SELECT "fileId", "sourceId", "fileSize", octet_length(data) AS length, encode(sha256(data), 'hex') AS sha256
			 FROM binary_data WHERE ("sourceType" = 'execution' AND "sourceId" = ANY($1)) OR "fileId"::text = ANY($2)`,
			[executionIds, fileIds],
		);
		return rows.map((row) => ({ fileId: row.fileId, executionId: row.sourceId, fileSize: Number(row.fileSize), length: Number(row.length), sha256: row.sha256 }));
	}

	/**
	 * Real videos do not compress; the simulator's repeating bytes would shrink 100:1 in PostgreSQL's TOAST
	 * and make the database look far cheaper than it is. Stored uncompressed, as a video effectively is.
	 */
	async storeBinariesUncompressed(): Promise<void> {
		await this.n8n.query('ALTER TABLE binary_data ALTER COLUMN data SET STORAGE EXTERNAL');
	}

	/** Size of n8n's database on disk. */
	async databaseBytes(): Promise<number> {
		const { rows } = await this.n8n.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
		return Number(rows[0].size);
	}

	/** Stops everything, in the order that lets each part finish cleanly; every n8n process's log is kept in `logDir`. */
	async stop(logDir?: string): Promise<void> {
		for (const name of [...this.workers.keys()]) await this.stopWorker(name).catch(() => undefined);
		await this.stopMain().catch(() => undefined);
		if (logDir) {
			rmSync(logDir, { recursive: true, force: true });
			mkdirSync(logDir, { recursive: true });
			this.history.forEach((proc, index) => writeFileSync(join(logDir, `${String(index).padStart(2, '0')}-${proc.name}.log`), proc.log));
		}
		await this.n8n.close().catch(() => undefined);
		await this.redis.stop();
		await this.postgres.stop();
		rmSync(this.scratch, { recursive: true, force: true });
	}
}

export function mib(bytes: number): string {
	return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** A workflow as `n8n import:workflow` reads it. */
export interface WorkflowJson {
	id: string;
	name: string;
	[key: string]: unknown;
}

/** A provider and credential for the Download node, as `simulatorCredential` imported it. */
export interface DownloadSource {
	provider: string;
	credentialType: string;
	credential: { id: string; name: string };
}

/**
 * Webhook (POST /webhook/<path>, body `{"taskId": ...}`) -> Sora Video, Download Content. Activated on a
 * queue-mode main, every call is one execution that a worker runs: the way to enqueue many at once.
 */
export function webhookDownloadWorkflow(id: string, path: string, source: DownloadSource): WorkflowJson {
	return {
		id,
		name: `queue: download via webhook ${path}`,
		active: false,
		nodes: [
			{ id: `${id}-hook`, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: `${id}-hook`, position: [0, 0], parameters: { httpMethod: 'POST', path, options: {} } },
			{
				id: `${id}-download`,
				name: 'Download',
				type: 'n8n-nodes-sora-video.soraVideo',
				typeVersion: 1,
				position: [240, 0],
				parameters: { provider: source.provider, operation: 'downloadContent', taskId: '={{ $json.body.taskId }}', variant: 'video', binaryPropertyName: 'data', options: {} },
				credentials: { [source.credentialType]: source.credential },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Download', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Calls a production webhook once per task ID, all at once; resolves when n8n has accepted every call. */
export async function enqueueDownloads(cluster: QueueCluster, path: string, taskIds: string[]): Promise<void> {
	const answers = await Promise.all(
		taskIds.map(async (taskId) => {
			const response = await fetch(`${cluster.n8n.baseUrl}/webhook/${path}`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ taskId }),
			});
			await response.arrayBuffer();
			return response.status;
		}),
	);
	const refused = answers.filter((status) => status !== 200);
	if (refused.length > 0) throw new Error(`${refused.length} of ${taskIds.length} webhook calls were refused (HTTP ${[...new Set(refused)].join(', ')})`);
}

/** One Download Content execution as PostgreSQL holds it, with the file it stored (if any). */
export interface DownloadOutcome {
	executionId: string;
	status: string;
	taskId: string | undefined;
	/** The Download node's error message, when it failed. */
	error: string | undefined;
	/** The execution's own error (a crashed or abandoned execution has no node error). */
	executionError: string | undefined;
	file: StoredFile | undefined;
	worker: string | undefined;
}

/** Every execution of a webhook download workflow, its task, its stored file and the worker that ran it. */
export async function downloadOutcomes(cluster: QueueCluster, workflowId: string): Promise<DownloadOutcome[]> {
	const executions = await cluster.n8n.executions(workflowId);
	const files = await cluster.storedFiles(executions.map((execution) => execution.id));
	const byFileId = new Map(files.map((file) => [file.fileId, file]));
	const workers = cluster.workerOf();
	return executions.map((execution) => {
		const run = execution.nodes.Download;
		const item = run?.items[0];
		const files = item?.json.soraVideoFiles as Record<string, { taskId?: string }> | undefined;
		const binaryId = item?.binary?.data?.id;
		return {
			executionId: execution.id,
			status: execution.status,
			taskId: files?.data?.taskId ?? (execution.nodes.Webhook?.items[0]?.json.body as { taskId?: string } | undefined)?.taskId,
			error: run?.error?.message,
			executionError: execution.error,
			file: binaryId ? byFileId.get(binaryId.split(':').pop() ?? '') : undefined,
			worker: workers.get(execution.id),
		};
	});
}

/** The sha256 of the bytes the simulator serves for a task's video. */
export function expectedSha256(taskId: string, bytes: number): string {
	return createHash('sha256').update(contentBytes(taskId, 'video', bytes)).digest('hex');
}

/**
 * What is wrong with a set of download executions, given the files that were asked for: an execution
 * that did not succeed, a file never downloaded or downloaded twice, a file stored short or with other bytes.
 */
export function downloadProblems(outcomes: DownloadOutcome[], asked: Array<{ taskId: string; bytes: number }>): string[] {
	const problems: string[] = [];
	const wanted = new Map(asked.map((file) => [file.taskId, file.bytes]));
	const seen = new Map<string, number>();
	for (const outcome of outcomes) {
		const label = `execution ${outcome.executionId} (${outcome.taskId ?? 'no task'})`;
		if (outcome.status !== 'success') problems.push(`${label} ended ${outcome.status}: ${outcome.error ?? outcome.executionError ?? ''}`);
		if (!outcome.taskId || !wanted.has(outcome.taskId)) {
			problems.push(`${label} downloaded a task nobody asked for`);
			continue;
		}
		seen.set(outcome.taskId, (seen.get(outcome.taskId) ?? 0) + 1);
		const bytes = wanted.get(outcome.taskId) ?? 0;
		if (outcome.status === 'success' && !outcome.file) problems.push(`${label} succeeded without a stored file`);
		if (outcome.file && (outcome.file.length !== bytes || outcome.file.fileSize !== bytes)) problems.push(`${label} stored ${outcome.file.length} bytes, not ${bytes}`);
		else if (outcome.file && outcome.file.sha256 !== expectedSha256(outcome.taskId, bytes)) problems.push(`${label} stored other bytes than the simulator served`);
	}
	for (const [taskId] of wanted) {
		const count = seen.get(taskId) ?? 0;
		if (count !== 1) problems.push(`task ${taskId} was downloaded ${count} times`);
	}
	return problems;
}

/** 200 files by default: mostly a few MiB, with a handful of big ones spread through the batch. */
export function loadPlan(prefix: string, count = 200, big = 4, bigBytes = 256 * MiB): Array<{ taskId: string; bytes: number }> {
	const every = Math.floor(count / Math.max(1, big));
	return Array.from({ length: count }, (_, i) => ({
		taskId: `${prefix}_${String(i).padStart(3, '0')}`,
		bytes: big > 0 && i % every === Math.floor(every / 2) && i / every < big ? bigBytes : (2 + (i % 5)) * MiB + i,
	}));
}

export interface LoadFigures {
	files: number;
	bytes: number;
	/** From the first execution created to the last one finished, as PostgreSQL recorded them. */
	seconds: number;
	filesPerMinute: number;
	mibPerSecond: number;
	workers: Array<{ name: string; concurrency: number; executions: number; idleRss: number; peakRss: number }>;
}

/**
 * Enqueues one webhook download per file, all at once, waits for every execution to finish, and measures:
 * throughput from PostgreSQL's timestamps, each worker's peak RSS (the kernel's high-water mark, reset first).
 */
export async function runLoad(
	cluster: QueueCluster,
	sim: ProviderSimulator,
	workflowId: string,
	path: string,
	plan: Array<{ taskId: string; bytes: number }>,
	concurrency: number,
	timeoutMs: number,
): Promise<{ figures: LoadFigures; outcomes: DownloadOutcome[] }> {
	for (const file of plan) sim.addTask({ id: file.taskId, forced: 'completed', contentBytes: file.bytes });
	const idle = new Map([...cluster.workers].map(([name, worker]) => [name, worker.rss()]));
	for (const worker of cluster.workers.values()) worker.resetPeak();
	await enqueueDownloads(cluster, path, plan.map((file) => file.taskId));
	await cluster.waitForFinished(workflowId, plan.length, timeoutMs);
	const peaks = new Map([...cluster.workers].map(([name, worker]) => [name, worker.peakRss()]));
	const outcomes = await downloadOutcomes(cluster, workflowId);
	const { rows } = await cluster.n8n.query<{ seconds: string }>(
		'SELECT extract(epoch FROM max("stoppedAt") - min("createdAt")) AS seconds FROM execution_entity WHERE "workflowId" = $1',
		[workflowId],
	);
	const seconds = Number(rows[0].seconds);
	const bytes = plan.reduce((sum, file) => sum + file.bytes, 0);
	return {
		outcomes,
		figures: {
			files: plan.length,
			bytes,
			seconds,
			filesPerMinute: (plan.length / seconds) * 60,
			mibPerSecond: bytes / MiB / seconds,
			workers: [...cluster.workers.keys()].map((name) => ({
				name,
				concurrency,
				executions: outcomes.filter((outcome) => outcome.worker === name).length,
				idleRss: idle.get(name) ?? 0,
				peakRss: peaks.get(name) ?? 0,
			})),
		},
	};
}

/** The figures as Markdown table rows (README's Performance and `npm run bench` print the same). */
export function loadTable(runs: LoadFigures[]): string[] {
	const lines = ['| workers | files | data | time | files/min | MiB/s | per worker: executions, idle RSS -> peak RSS |', '|---|---|---|---|---|---|---|'];
	for (const run of runs) {
		const workers = run.workers.map((worker) => `${worker.name}: ${worker.executions}, ${mib(worker.idleRss)} -> ${mib(worker.peakRss)}`).join('; ');
		lines.push(
			`| ${run.workers.length} (concurrency ${run.workers[0]?.concurrency ?? '-'}) | ${run.files} | ${mib(run.bytes)} | ${run.seconds.toFixed(1)} s | ${run.filesPerMinute.toFixed(0)} | ${run.mibPerSecond.toFixed(1)} | ${workers} |`,
		);
	}
	return lines;
}
