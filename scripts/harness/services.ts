/**
 * Throwaway PostgreSQL and Redis servers for queue mode: Debian's own binaries, bound to 127.0.0.1,
 * data in a fresh temporary folder, run as tracked child processes (processes.ts) so they stop with us,
 * pass, fail or Ctrl+C.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, chownSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { ChildProcess } from 'child_process';
import { execFileSync } from 'child_process';
import { run, start, stop, waitFor } from './processes';

const INSTALL_HINT = 'Install them with: apt-get update && apt-get install -y postgresql redis-server';

/** Where throwaway data lives: one folder per orchestrating process, removed when it stops. */
const SCRATCH = join(tmpdir(), 'n8n-nodes-sora-video-queue');

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** A fresh scratch folder for this process; folders left by processes that died (killed, power cut) go. */
export function scratchDir(name: string): string {
	mkdirSync(SCRATCH, { recursive: true, mode: 0o755 });
	for (const entry of readdirSync(SCRATCH)) {
		const owner = Number(/-(\d+)$/.exec(entry)?.[1]);
		if (owner && owner !== process.pid && !processAlive(owner)) rmSync(join(SCRATCH, entry), { recursive: true, force: true });
	}
	const dir = join(SCRATCH, `${name}-${process.pid}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	return dir;
}

/** The newest PostgreSQL server Debian installed (/usr/lib/postgresql/<major>/bin). */
function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root) ? readdirSync(root).filter((entry) => existsSync(join(root, entry, 'bin', 'postgres'))) : [];
	majors.sort((a, b) => Number(b) - Number(a));
	if (!majors[0]) throw new Error(`PostgreSQL is not installed (no ${root}/<version>/bin/postgres). ${INSTALL_HINT}`);
	return join(root, majors[0], 'bin');
}

function redisBin(): string {
	for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(candidate)) return candidate;
	throw new Error(`Redis is not installed (no redis-server). ${INSTALL_HINT}`);
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user Debian's package creates. */
function asPostgres(command: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export interface PostgresConnection {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
}

export class Postgres {
	private server: ChildProcess | undefined;
	private output = '';
	readonly connection: PostgresConnection;
	private readonly bin = postgresBin();

	constructor(
		readonly dataDir: string,
		readonly port: number,
	) {
		this.connection = { host: '127.0.0.1', port, database: 'n8n', user: 'n8n', password: 'n8n-queue-test' };
	}

	get version(): string {
		return this.bin.split('/').slice(-2)[0];
	}

	/** initdb into an empty folder, start the server, and create n8n's role and database. */
	async start(): Promise<void> {
		rmSync(this.dataDir, { recursive: true, force: true });
		mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
		if (process.getuid?.() === 0) {
			const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
			const group = execFileSync('id', ['-g', 'postgres']).toString().trim();
			chownSync(this.dataDir, Number(ids), Number(group));
		}
		const [initdb, initArgs] = asPostgres(join(this.bin, 'initdb'), ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
		const init = await run(initdb, initArgs, { timeoutMs: 120_000 });
		if (init.code !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
		await this.launch();
		await this.sql('postgres', `CREATE ROLE ${this.connection.user} LOGIN PASSWORD '${this.connection.password}'`);
		await this.sql('postgres', `CREATE DATABASE ${this.connection.database} OWNER ${this.connection.user}`);
	}

	private async launch(): Promise<void> {
		// A throwaway database: durability is traded for speed (no fsync), everything else is as shipped.
		const [command, args] = asPostgres(join(this.bin, 'postgres'), [
			'-D', this.dataDir, '-p', String(this.port), '-k', this.dataDir,
			'-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
		]);
		this.output = '';
		this.server = start(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		const collect = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
		this.server.stdout?.on('data', collect);
		this.server.stderr?.on('data', collect);
		await waitFor(
			async () => {
				if (this.server?.exitCode !== null) throw new Error(`PostgreSQL exited:\n${this.output}`);
				const ready = await run(join(this.bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(this.port), '-q']);
				return ready.code === 0 ? true : undefined;
			},
			'PostgreSQL to accept connections',
			60_000,
			200,
		).catch((error: Error) => {
			throw new Error(`${error.message}\n${this.output}`);
		});
	}

	/** Runs one statement with psql over the socket, as the superuser. */
	async sql(database: string, statement: string): Promise<string> {
		const result = await run(join(this.bin, 'psql'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-Atc', statement]);
		if (result.code !== 0) throw new Error(`psql failed (${statement}): ${result.stderr}`);
		return result.stdout.trim();
	}

	/** Fast shutdown (SIGINT: connections are closed, nothing waits for clients), then the data folder goes. */
	async stop(): Promise<void> {
		if (this.server) await stop(this.server, 15_000, 'SIGINT');
		this.server = undefined;
		rmSync(this.dataDir, { recursive: true, force: true });
	}
}

export class Redis {
	private server: ChildProcess | undefined;
	private output = '';
	private readonly bin = redisBin();

	constructor(
		readonly dir: string,
		readonly port: number,
	) {}

	get version(): string {
		return /v=(\S+)/.exec(execFileSync(this.bin, ['--version']).toString())?.[1] ?? 'unknown';
	}

	/** A fresh, memory-only Redis (no snapshots, no append-only file). */
	async start(): Promise<void> {
		mkdirSync(this.dir, { recursive: true });
		this.output = '';
		this.server = start(this.bin, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const collect = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
		this.server.stdout?.on('data', collect);
		this.server.stderr?.on('data', collect);
		await waitFor(
			async () => {
				if (this.server?.exitCode !== null) throw new Error(`redis-server exited:\n${this.output}`);
				return this.output.includes('Ready to accept connections') ? true : undefined;
			},
			'Redis to accept connections',
			30_000,
			100,
		);
	}

	async stop(): Promise<void> {
		if (this.server) await stop(this.server, 10_000);
		this.server = undefined;
	}

	get running(): boolean {
		return this.server !== undefined;
	}
}
