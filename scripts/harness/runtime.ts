/** Node 24 + n8n 2.41.1 in .cache/runtime, installed by scripts/runtime.sh (reused on later runs). */
import { existsSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';

import { start } from './processes';

/** The repository root, whether this runs from source (jest) or compiled into .build/. */
function findRepoRoot(start: string): string {
	for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
		const manifest = join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'n8n-nodes-sora-video') return dir;
	}
	throw new Error(`Cannot find the n8n-nodes-sora-video repository above ${start}`);
}

export const REPO_ROOT = findRepoRoot(__dirname);

export interface Runtime {
	nodeBin: string;
	node: string;
	n8n: string;
	n8nModules: string;
}

/** Installs what is missing, printing its progress on stderr, and returns where things are. */
export async function ensureRuntime(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<Runtime> {
	// Progress lines are passed on as they come: the first install takes minutes.
	const child = start('bash', [join(REPO_ROOT, 'scripts', 'runtime.sh')], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	let pending = '';
	child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr = (stderr + chunk.toString()).slice(-20_000);
		pending += chunk.toString();
		const lines = pending.split('\n');
		pending = lines.pop() ?? '';
		for (const line of lines) if (line.startsWith('[runtime')) log(line);
	});
	const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
	if (code !== 0) throw new Error(`Installing the n8n runtime failed:\n${stderr.slice(-4000)}`);
	const values = Object.fromEntries(
		stdout
			.split('\n')
			.filter((line) => line.includes('='))
			.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
	);
	const nodeBin = values.NODE24_BIN;
	const n8n = values.N8N_BIN;
	return { nodeBin, node: join(nodeBin, 'node'), n8n, n8nModules: resolve(n8n, '..', '..') };
}
