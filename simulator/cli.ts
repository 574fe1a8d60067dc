/**
 * Runs the provider simulator as a process: `node .build/simulator/cli.js [--port N] [--key K] [--create-ms MS]`
 * (`--create-ms`: how long a created task takes from create to completed; `--queued-ms`: how long of that it is queued).
 * Seeds the same tasks in every dialect and prints one JSON line with its URL when ready.
 */
import { ProviderSimulator } from './simulator';

export function seedDemoTasks(sim: ProviderSimulator): void {
	const now = Date.now() / 1000;
	sim.addTask({ id: 'video_done', createdAt: now - 600, startsAt: now - 590, finishesAt: now - 500, contentBytes: 1_048_576 + 123 });
	sim.addTask({ id: 'video_failed', createdAt: now - 400, startsAt: now - 390, finishesAt: now - 300, outcome: 'failed', failReason: 'The prompt was blocked by moderation' });
	sim.addTask({ id: 'video_expired', createdAt: now - 86_400 * 2, startsAt: now - 86_400 * 2, finishesAt: now - 86_400 * 2 + 60, expiresAt: now - 86_400 });
	sim.addTask({ id: 'video_running', createdAt: now - 10, startsAt: now - 5, finishesAt: now + 3600 });
	// Finishes a little after start-up, so a trigger can be seen firing.
	sim.addTask({ id: 'video_soon', createdAt: now - 5, startsAt: now, finishesAt: now + 20, contentBytes: 2_000_000 });
}

function argument(name: string, fallback: string): string {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

async function main(): Promise<void> {
	const sim = new ProviderSimulator({
		apiKey: argument('key', 'sk-sim-demo-key'),
		frontendToken: argument('token', 'sim-frontend-jwt'),
		latencyMs: Number(argument('latency', '0')),
	});
	seedDemoTasks(sim);
	const createMs = Number(argument('create-ms', String(sim.createSettings.durationMs)));
	sim.setCreateSettings({ durationMs: createMs, queuedMs: Number(argument('queued-ms', String(Math.min(sim.createSettings.queuedMs, createMs / 4)))) });
	const url = await sim.start(Number(argument('port', '0')));
	process.stdout.write(`${JSON.stringify({ ready: true, url, pid: process.pid })}\n`);
	const stop = () => {
		void sim.stop().then(() => process.exit(0));
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

if (require.main === module) void main();
