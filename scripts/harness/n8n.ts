/** A real n8n 2.41.1 instance in its own user folder: CLI commands, the server, and its database. */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import type { ChildProcess } from 'child_process';
import type { RunResult } from './processes';
import { run, start, stop, waitFor } from './processes';
import type { Runtime } from './runtime';
import type { PostgresConnection } from './services';

export interface ExecutedItem {
	json: Record<string, unknown>;
	binary?: Record<string, { id?: string; fileName?: string; mimeType?: string; bytes?: number; data?: string }>;
}

export interface NodeRun {
	items: ExecutedItem[];
	/** How long the node ran, as n8n measured it (ms). */
	executionTime?: number;
	error?: { message: string; description?: string };
}

export interface Execution {
	id: string;
	status: string;
	mode: string;
	nodes: Record<string, NodeRun>;
	/** The execution's own error, when it has one (a crashed or abandoned run has no node error). */
	error?: string;
}

/** The part of `pg`'s client used here (the package comes with the n8n runtime). */
interface PgClient {
	connect(): Promise<void>;
	query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
	end(): Promise<void>;
}

interface RunDataLike {
	resultData: {
		error?: { message?: string };
		runData: Record<string, Array<{ data?: { main?: ExecutedItem[][] }; error?: { message: string; description?: string }; executionTime?: number }>>;
	};
}

export function nodesOf(data: RunDataLike): Record<string, NodeRun> {
	const nodes: Record<string, NodeRun> = {};
	for (const [name, runs] of Object.entries(data.resultData.runData)) {
		const last = runs[runs.length - 1];
		nodes[name] = {
			items: last?.data?.main?.[0] ?? [],
			executionTime: last?.executionTime,
			error: last?.error ? { message: last.error.message, description: last.error.description } : undefined,
		};
	}
	return nodes;
}

/** A long-running n8n command (`start`, `worker`) with its output kept, and its peak memory. */
export class N8nProcess {
	private output = '';

	constructor(
		readonly name: string,
		readonly child: ChildProcess,
	) {
		const collect = (chunk: Buffer) => {
			this.output = (this.output + chunk.toString()).slice(-2_000_000);
		};
		child.stdout?.on('data', collect);
		child.stderr?.on('data', collect);
	}

	get pid(): number {
		return this.child.pid ?? -1;
	}

	get log(): string {
		return this.output;
	}

	get exited(): boolean {
		return this.child.exitCode !== null || this.child.signalCode !== null;
	}

	/** Waits until `url` answers 2xx; fails early, with the log, if the process exits. */
	async waitReady(url: string, timeoutMs = 120_000): Promise<void> {
		await waitFor(
			async () => {
				if (this.exited) throw new Error(`n8n ${this.name} exited:\n${this.output.slice(-3000)}`);
				const response = await fetch(url);
				return response.ok ? true : undefined;
			},
			`n8n ${this.name} to be ready`,
			timeoutMs,
		).catch((error: Error) => {
			throw new Error(`${error.message}\n--- n8n ${this.name} log ---\n${this.output.slice(-3000)}`);
		});
	}

	private status(field: 'VmHWM' | 'VmRSS'): number {
		try {
			const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
			return match ? Number(match[1]) * 1024 : 0;
		} catch {
			return 0;
		}
	}

	/** The kernel's own peak resident memory of the process (VmHWM) since it started or `resetPeak`, in bytes. */
	peakRss(): number {
		return this.status('VmHWM');
	}

	/** Resident memory now (VmRSS), in bytes. */
	rss(): number {
		return this.status('VmRSS');
	}

	/** Starts a new peak measurement: the kernel resets VmHWM to the current RSS (`clear_refs` 5). */
	resetPeak(): void {
		writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
	}

	/** Graceful stop (SIGTERM to the process group, SIGKILL after `graceMs`). */
	async stop(graceMs = 15_000): Promise<void> {
		await stop(this.child, graceMs);
	}

	/** SIGKILL to the whole process group at once (n8n and its task runner): a crash, not a shutdown. */
	async kill(): Promise<void> {
		await stop(this.child, 0, 'SIGKILL');
	}
}

export class N8nInstance {
	private server: N8nProcess | undefined;
	/** Settings every command of this instance gets (database, queue mode, binary data mode). */
	settings: NodeJS.ProcessEnv = {};
	/** Set when the instance keeps its data in PostgreSQL instead of SQLite. */
	database: PostgresConnection | undefined;
	private pgClient: PgClient | undefined;

	constructor(
		readonly runtime: Runtime,
		readonly userFolder: string,
		readonly port: number,
	) {
		mkdirSync(userFolder, { recursive: true });
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** The environment that keeps n8n on loopback, offline and quiet. */
	env(): NodeJS.ProcessEnv {
		return {
			PATH: `${this.runtime.nodeBin}:${process.env.PATH ?? ''}`,
			HOME: process.env.HOME,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: 'n8n-nodes-sora-video-local-key',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_DISABLED_MODULES: 'mcp-registry',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PORT: String(this.port),
			N8N_RUNNERS_BROKER_PORT: String(this.port + 1),
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_LOG_LEVEL: process.env.SORA_N8N_LOG_LEVEL ?? 'warn',
			...this.settings,
		};
	}

	/** Starts a long-running n8n command (`start`, `worker`) with this instance's environment plus `extraEnv`. */
	spawn(name: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): N8nProcess {
		const child = start(this.runtime.node, [this.runtime.n8n, ...args], { env: { ...this.env(), ...extraEnv }, cwd: this.userFolder, stdio: ['ignore', 'pipe', 'pipe'] });
		return new N8nProcess(name, child);
	}

	async cli(args: string[], timeoutMs = 180_000, extraEnv: NodeJS.ProcessEnv = {}, onStart?: (pid: number) => void): Promise<RunResult> {
		return await run(this.runtime.node, [this.runtime.n8n, ...args], { env: { ...this.env(), ...extraEnv }, cwd: this.userFolder, timeoutMs, onStart });
	}

	private async importFile(kind: 'credentials' | 'workflow', content: unknown): Promise<void> {
		const file = join(this.userFolder, `import-${kind}-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(content, null, 2));
		const result = await this.cli([`import:${kind}`, `--input=${file}`]);
		if (result.code !== 0) throw new Error(`n8n import:${kind} failed:\n${result.stdout}${result.stderr}`);
	}

	async importCredentials(credentials: object[]): Promise<void> {
		await this.importFile('credentials', credentials);
	}

	async importWorkflow(workflow: object): Promise<void> {
		await this.importFile('workflow', workflow);
	}

	async publish(workflowId: string): Promise<void> {
		const result = await this.cli(['publish:workflow', `--id=${workflowId}`]);
		if (result.code !== 0) throw new Error(`n8n publish:workflow failed:\n${result.stdout}${result.stderr}`);
	}

	/**
	 * `n8n execute --id=<id>`, then the run as n8n stored it (node by node, errors included):
	 * on a failed run the CLI prints only the error, while the database has everything.
	 */
	async execute(
		workflowId: string,
		options: { env?: NodeJS.ProcessEnv; onStart?: (pid: number) => void } = {},
	): Promise<{ status: string; nodes: Record<string, NodeRun>; raw: RunResult }> {
		const before = (await this.executions(workflowId)).length;
		const raw = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], 600_000, options.env, options.onStart);
		const executions = await this.executions(workflowId);
		if (executions.length <= before) {
			throw new Error(`n8n execute stored no execution of ${workflowId} (exit ${raw.code}):\n${raw.stdout.slice(-3000)}\n${raw.stderr.slice(-3000)}`);
		}
		const latest = executions[executions.length - 1];
		return { status: latest.status, nodes: latest.nodes, raw };
	}

	/** Where n8n's filesystem binary mode stored a binary, from its id. */
	binaryPath(binaryId: string): string {
		return join(this.userFolder, '.n8n', 'storage', binaryId.replace(/^filesystem(-v2)?:/, ''));
	}

	/** `n8n start`, ready when its readiness endpoint says so (which waits for migrations on a new database). */
	async startServer(extraEnv: NodeJS.ProcessEnv = {}): Promise<N8nProcess> {
		this.server = this.spawn('main', ['start'], extraEnv);
		await this.server.waitReady(`${this.baseUrl}/healthz/readiness`, 180_000);
		return this.server;
	}

	get log(): string {
		return this.server?.log ?? '';
	}

	async stopServer(): Promise<void> {
		await this.server?.stop();
		this.server = undefined;
	}

	/**
	 * Reads n8n's SQLite database with the runtime's own Node and sqlite3 (built for Node 24),
	 * decoding execution data with n8n's `flatted`.
	 */
	async executions(workflowId: string): Promise<Execution[]> {
		if (this.database) {
			const { parse } = require(join(this.runtime.n8nModules, 'flatted')) as { parse: (text: string) => RunDataLike };
			const { rows } = await this.query<{ id: number; status: string; mode: string; data: string | null }>(
				'SELECT e.id, e.status, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = $1 ORDER BY e.id',
				[workflowId],
			);
			return rows.map((row) => {
				const data = row.data ? parse(row.data) : null;
				return { id: String(row.id), status: row.status, mode: row.mode, nodes: data ? nodesOf(data) : {}, error: data?.resultData.error?.message };
			});
		}
		const script = `
const sqlite3 = require(${JSON.stringify(join(this.runtime.n8nModules, 'sqlite3'))});
const { parse } = require(${JSON.stringify(join(this.runtime.n8nModules, 'flatted'))});
const db = new sqlite3.Database(${JSON.stringify(join(this.userFolder, '.n8n', 'database.sqlite'))}, sqlite3.OPEN_READONLY);
db.all("SELECT e.id, e.status, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id", [process.argv[1]], (error, rows) => {
	if (error) { console.error(error.message); process.exit(1); }
	process.stdout.write(JSON.stringify(rows.map((row) => ({ id: String(row.id), status: row.status, mode: row.mode, data: row.data ? parse(row.data) : null }))));
	db.close();
});`;
		const result = await run(this.runtime.node, ['-e', script, workflowId], { env: this.env() });
		if (result.code !== 0) throw new Error(`reading executions failed: ${result.stderr}`);
		const rows = JSON.parse(result.stdout) as Array<{ id: string; status: string; mode: string; data: RunDataLike | null }>;
		return rows.map((row) => ({ id: row.id, status: row.status, mode: row.mode, nodes: row.data ? nodesOf(row.data) : {} }));
	}

	/** Rows of a read-only SQL query on n8n's SQLite database. */
	async sqliteQuery(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
		const script = `
const sqlite3 = require(${JSON.stringify(join(this.runtime.n8nModules, 'sqlite3'))});
const db = new sqlite3.Database(${JSON.stringify(join(this.userFolder, '.n8n', 'database.sqlite'))}, sqlite3.OPEN_READONLY);
db.all(process.argv[1], JSON.parse(process.argv[2]), (error, rows) => {
	if (error) { console.error(error.message); process.exit(1); }
	process.stdout.write(JSON.stringify(rows));
	db.close();
});`;
		const result = await run(this.runtime.node, ['-e', script, sql, JSON.stringify(params)], { env: this.env() });
		if (result.code !== 0) throw new Error(`query failed: ${result.stderr}`);
		return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
	}

	/** A query on the instance's PostgreSQL database, with the `pg` client n8n itself ships. */
	async query<R>(text: string, values: unknown[] = []): Promise<{ rows: R[] }> {
		if (!this.database) throw new Error('this n8n instance does not use PostgreSQL');
		if (!this.pgClient) {
			const { Client } = require(join(this.runtime.n8nModules, 'pg')) as { Client: new (config: object) => PgClient };
			const client = new Client({ ...this.database });
			await client.connect();
			this.pgClient = client;
		}
		return await this.pgClient.query<R>(text, values);
	}

	/** Closes the database connection `query` opened. */
	async close(): Promise<void> {
		await this.pgClient?.end();
		this.pgClient = undefined;
	}

	/** Creates the owner account through n8n's REST API, so a person can log in to the editor. */
	async setupOwner(email: string, password: string): Promise<boolean> {
		return (await this.ownerSetupResponse(email, password)).ok;
	}

	/** Creates the owner account and returns its session cookie, for REST calls as the owner. */
	async ownerSession(email: string, password: string): Promise<string> {
		const response = await this.ownerSetupResponse(email, password);
		const cookie = response.headers.getSetCookie().map((value) => value.split(';')[0]).find((value) => value.startsWith('n8n-auth='));
		if (!response.ok || !cookie) throw new Error(`n8n owner setup failed: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
		return cookie;
	}

	private async ownerSetupResponse(email: string, password: string): Promise<Response> {
		return await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ email, firstName: 'Demo', lastName: 'User', password }),
		});
	}
}
