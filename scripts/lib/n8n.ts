/** A real n8n 2.41.1 instance in its own user folder: CLI commands, the server, and its database. */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

import type { ChildProcess } from 'child_process';
import type { RunResult } from './processes';
import { run, start, stop, waitFor } from './processes';
import type { Runtime } from './runtime';

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
}

interface RunDataLike {
	resultData: {
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

export class N8nInstance {
	private server: ChildProcess | undefined;
	private serverLog = '';

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
		};
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

	/** `n8n start`; `extraEnv` adds settings (e.g. the durable scheduler's N8N_SCHEDULER_* variables). */
	async startServer(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
		this.serverLog = '';
		this.server = start(this.runtime.node, [this.runtime.n8n, 'start'], { env: { ...this.env(), ...extraEnv }, cwd: this.userFolder, stdio: ['ignore', 'pipe', 'pipe'] });
		const collect = (chunk: Buffer) => {
			this.serverLog = (this.serverLog + chunk.toString()).slice(-200_000);
		};
		this.server.stdout?.on('data', collect);
		this.server.stderr?.on('data', collect);
		await waitFor(
			async () => {
				if (this.server?.exitCode !== null) throw new Error(`n8n exited:\n${this.serverLog.slice(-3000)}`);
				const response = await fetch(`${this.baseUrl}/healthz/readiness`);
				return response.ok ? true : undefined;
			},
			'n8n to be ready',
			120_000,
		).catch((error: Error) => {
			throw new Error(`${error.message}\n--- n8n log ---\n${this.serverLog.slice(-3000)}`);
		});
	}

	get log(): string {
		return this.serverLog;
	}

	async stopServer(): Promise<void> {
		if (this.server) await stop(this.server, 15_000);
		this.server = undefined;
	}

	/**
	 * Reads n8n's SQLite database with the runtime's own Node and sqlite3 (built for Node 24),
	 * decoding execution data with n8n's `flatted`.
	 */
	async executions(workflowId: string): Promise<Execution[]> {
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
	async query(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
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

	/** Creates the owner account through n8n's REST API, so a person can log in to the editor. */
	async setupOwner(email: string, password: string): Promise<boolean> {
		const response = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ email, firstName: 'Demo', lastName: 'User', password }),
		});
		return response.ok;
	}
}
