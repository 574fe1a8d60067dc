/**
 * Child processes that never outlive us: each runs in its own process group, and every group is
 * killed when we exit, pass or fail, or are interrupted.
 */
import type { ChildProcess, SpawnOptions } from 'child_process';
import { spawn } from 'child_process';
import { createServer } from 'net';

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// Already gone.
	}
}

let hooked = false;
function hookExit(): void {
	if (hooked) return;
	hooked = true;
	process.on('exit', () => {
		for (const child of running) killGroup(child, 'SIGKILL');
	});
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.on(signal, () => {
			void stopAll().finally(() => process.exit(130));
		});
	}
}

/**
 * Even a SIGKILL of this process must not leave a child running: a tiny shell watches both, and kills the
 * child's whole group once this process is gone (it ends by itself when the child exits first).
 */
function reapIfOrphaned(child: ChildProcess): void {
	if (child.pid === undefined) return;
	const watch = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -0 ${process.pid} 2>/dev/null || kill -KILL -- -${child.pid} 2>/dev/null`;
	spawn('sh', ['-c', watch], { detached: true, stdio: 'ignore' }).unref();
}

/** Starts a command in its own process group and tracks it. */
export function start(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
	hookExit();
	const child = spawn(command, args, { ...options, detached: true });
	running.add(child);
	child.once('exit', () => running.delete(child));
	reapIfOrphaned(child);
	return child;
}

/** `signal` (SIGTERM unless told), then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stop(child: ChildProcess, graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killGroup(child, signal);
	const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
	// Whatever the group left behind (n8n's task runners) goes too.
	killGroup(child, 'SIGKILL');
}

export async function stopAll(): Promise<void> {
	await Promise.all([...running].map(async (child) => await stop(child)));
}

export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a command to completion, collecting its output. */
export async function run(
	command: string,
	args: string[],
	options: SpawnOptions & { timeoutMs?: number; onStart?: (pid: number) => void } = {},
): Promise<RunResult> {
	const child = start(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
	if (child.pid !== undefined) options.onStart?.(child.pid);
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const timer = options.timeoutMs ? setTimeout(() => void stop(child, 2000), options.timeoutMs) : undefined;
	const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
	if (timer) clearTimeout(timer);
	return { code, stdout, stderr };
}

/** Waits until `check` returns a value, polling every `intervalMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number, intervalMs = 500): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check().catch(() => undefined);
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}
