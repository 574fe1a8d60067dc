/**
 * `npm run bench`: the figures of issue 5, measured side by side in one run and printed with their ratios.
 *
 * Downloads: the real n8n 2.41.1 CLI (`n8n execute`), filesystem binary mode, loopback, against the provider
 * simulator: Sora Video's Download Content vs `curl -o` vs a bare Node 24 `http.get` piped to a file vs n8n's own
 * floor (its binary store writing the bytes from a local stream in a loaded n8n process) vs n8n's HTTP Request
 * node (Response Format: File), and a baseline build when SORA_BENCH_BASELINE names its packed tarball; wall time and the n8n process's peak RSS (VmHWM). Then a CPU profile
 * of the same download (`--cpu-prof` on the n8n process), and the in-memory (`default`) mode.
 * Queue mode: PostgreSQL, Redis, a main and workers (scripts/harness/queue.ts), throughput with one and two workers.
 * Trigger: n8n-core's real poll context in this process (the engine the CLI runs), simulator with added latency.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { cpus, totalmem } from 'os';
import { join } from 'path';

import { ProviderSimulator } from '../simulator/simulator';
import { N8nInstance } from './harness/n8n';
import { installIntoUserFolder } from './harness/pack';
import { run, stopAll } from './harness/processes';
import type { ProfileSummary } from './harness/profile';
import { summarizeProfile } from './harness/profile';
import { downloadProblems, loadPlan, loadTable, mib, QueueCluster, runLoad, webhookDownloadWorkflow } from './harness/queue';
import type { LoadFigures } from './harness/queue';
import type { Runtime } from './harness/runtime';
import { ensureRuntime, REPO_ROOT } from './harness/runtime';
import { prepareInstance, simulatorCredential } from './harness/scenario';

const KEY = 'sk-bench-key';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const BIG = Number(process.env.SORA_BENCH_BYTES ?? GiB);
const SMALL = MiB;
const DEFAULT_MODE_BYTES = 100 * MiB;
const RUNS = Number(process.env.SORA_BENCH_RUNS ?? 2);
const BENCH_DIR = join(REPO_ROOT, '.cache', 'bench');
/** A packed earlier build (`npm pack` of it): measured beside this one in the same run, for before/after figures. */
const BASELINE = process.env.SORA_BENCH_BASELINE;
/** n8n's floor may be at most this much faster than our download (issue 16). */
const FLOOR_TARGET = 1.3;

const lines: string[] = [];
function out(line = ''): void {
	lines.push(line);
	process.stdout.write(`${line}\n`);
}

/** Peak resident memory of a process, sampled from /proc until it exits (VmHWM is the kernel's own peak). */
function sampleHighWater(pid: number): () => number {
	let peak = 0;
	const timer = setInterval(() => {
		try {
			const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (match) peak = Math.max(peak, Number(match[1]) * 1024);
		} catch {
			clearInterval(timer);
		}
	}, 20);
	return () => {
		clearInterval(timer);
		return peak;
	};
}

interface Measured {
	ms: number;
	peakRss: number;
	bytes: number;
}

function soraWorkflow(id: string, taskId: string): object {
	return {
		id,
		name: `bench ${taskId} (Sora Video)`,
		nodes: [
			{ id: 's', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'd',
				name: 'Download',
				type: 'n8n-nodes-sora-video.soraVideo',
				typeVersion: 1,
				position: [200, 0],
				parameters: { provider: 'voidAi', operation: 'downloadContent', taskId, variant: 'video', binaryPropertyName: 'data', options: {} },
				credentials: { voidAiApi: { id: 'benchCredential1', name: 'bench' } },
			},
		],
		connections: { Start: { main: [[{ node: 'Download', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

function httpRequestWorkflow(id: string, url: string): object {
	return {
		id,
		name: `bench ${url} (HTTP Request)`,
		nodes: [
			{ id: 's', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'd',
				name: 'Download',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [200, 0],
				parameters: {
					method: 'GET',
					url,
					sendHeaders: true,
					headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${KEY}` }] },
					options: { response: { response: { responseFormat: 'file' } } },
				},
			},
		],
		connections: { Start: { main: [[{ node: 'Download', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * n8n's floors inside the very `n8n execute` run a node's download happens in (all node types loaded, the database
 * open): a bench-only node that hands `prepareBinaryData` either a local stream of fresh 64 KiB chunks (the store
 * alone) or the stream of n8n's own `httpRequest` helper (`encoding: 'stream'`), with nothing in between: the least
 * any node's download can cost in n8n. Written into the bench's n8n user folder as a community package; never shipped.
 */
const FLOOR_PACKAGE = 'n8n-nodes-sora-bench-floor';
const FLOOR_NODE = `
const { Readable } = require('stream');
class SoraBenchFloor {
	constructor() {
		this.description = {
			displayName: 'Sora Bench Floor', name: 'soraBenchFloor', group: ['transform'], version: 1,
			description: 'Bench only', defaults: { name: 'Floor' }, inputs: ['main'], outputs: ['main'],
			properties: [
				{ displayName: 'Source', name: 'source', type: 'string', default: 'local' },
				{ displayName: 'Bytes', name: 'bytes', type: 'number', default: 0 },
				{ displayName: 'URL', name: 'url', type: 'string', default: '' },
				{ displayName: 'Key', name: 'key', type: 'string', default: '' },
			],
		};
	}
	async execute() {
		const source = this.getNodeParameter('source', 0);
		let body;
		if (source === 'local') {
			const bytes = this.getNodeParameter('bytes', 0);
			const CHUNK = 64 * 1024;
			const pattern = Buffer.alloc(CHUNK);
			for (let i = 0; i < CHUNK; i++) pattern[i] = (i * 31 + 7) & 0xff;
			body = Readable.from((function* () {
				for (let sent = 0; sent < bytes; sent += CHUNK) {
					const chunk = Buffer.allocUnsafe(Math.min(CHUNK, bytes - sent));
					pattern.copy(chunk, 0, 0, chunk.length);
					yield chunk;
				}
			})());
		} else {
			const response = await this.helpers.httpRequest({
				method: 'GET', url: this.getNodeParameter('url', 0), encoding: 'stream', returnFullResponse: true,
				headers: { Authorization: 'Bearer ' + this.getNodeParameter('key', 0) },
			});
			body = response.body;
		}
		const binary = await this.helpers.prepareBinaryData(body, 'floor.mp4', 'video/mp4');
		return [[{ json: {}, binary: { data: binary } }]];
	}
}
module.exports = { SoraBenchFloor };
`;

function installFloorPackage(userFolder: string): void {
	const dir = join(userFolder, '.n8n', 'nodes', 'node_modules', FLOOR_PACKAGE);
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: FLOOR_PACKAGE, version: '0.0.1', keywords: ['n8n-community-node-package'], n8n: { n8nNodesApiVersion: 1, nodes: ['SoraBenchFloor.node.js'] } }));
	writeFileSync(join(dir, 'SoraBenchFloor.node.js'), FLOOR_NODE);
}

function floorWorkflow(id: string, parameters: Record<string, unknown>): object {
	return {
		id,
		name: `bench floor ${id}`,
		nodes: [
			{ id: 's', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'd', name: 'Download', type: `${FLOOR_PACKAGE}.soraBenchFloor`, typeVersion: 1, position: [200, 0], parameters },
		],
		connections: { Start: { main: [[{ node: 'Download', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

async function measureN8n(n8n: N8nInstance, workflowId: string, env: NodeJS.ProcessEnv = {}, onStart?: (pid: number) => void): Promise<Measured> {
	let stop: (() => number) | undefined;
	const { nodes, status } = await n8n.execute(workflowId, {
		env,
		onStart: (pid) => {
			stop = sampleHighWater(pid);
			onStart?.(pid);
		},
	});
	const peakRss = stop ? stop() : 0;
	const node = nodes.Download;
	if (status !== 'success' || !node?.items[0]) throw new Error(`${workflowId} failed: ${node?.error?.message ?? status}`);
	const binary = node.items[0].binary?.data;
	const bytes = binary?.bytes ?? (binary?.id ? statSync(n8n.binaryPath(binary.id)).size : 0);
	return { ms: node.executionTime ?? 0, peakRss, bytes };
}

async function measureCurl(url: string): Promise<Measured> {
	const target = join(BENCH_DIR, 'curl.out');
	const started = process.hrtime.bigint();
	const result = await run('curl', ['-sS', '-o', target, '-H', `Authorization: Bearer ${KEY}`, url]);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	if (result.code !== 0) throw new Error(`curl failed: ${result.stderr}`);
	const bytes = statSync(target).size;
	rmSync(target);
	return { ms, peakRss: 0, bytes };
}

/** Node's own floor: a bare Node 24 process, `http.get` piped to a file (timed inside, like n8n's own timing). */
async function measureNodeFloor(runtime: Runtime, url: string): Promise<Measured> {
	const target = join(BENCH_DIR, 'node.out');
	const script = `
const http = require('http');
const fs = require('fs');
const started = process.hrtime.bigint();
http.get(process.argv[1], { headers: { Authorization: 'Bearer ' + process.argv[3] } }, (res) => {
	res.pipe(fs.createWriteStream(process.argv[2])).on('finish', () => process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6)));
});`;
	const result = await run(runtime.node, ['-e', script, url, target, KEY]);
	if (result.code !== 0) throw new Error(`node http.get failed: ${result.stderr}`);
	const bytes = statSync(target).size;
	rmSync(target);
	return { ms: Number(result.stdout), peakRss: 0, bytes };
}

/**
 * n8n's own floor: n8n's binary store (filesystem mode) writing the same number of bytes from a local stream of
 * 64 KiB chunks, inside a Node 24 process that has loaded n8n as `n8n execute` does. No network: what is left is
 * what any node's download costs in n8n (loading n8n alone makes the same write several times slower than in a
 * bare Node process).
 */
const N8N_FLOOR_SCRIPT = `
const [modules, bytesText, dir] = process.argv.slice(1);
const bytes = Number(bytesText);
const path = require('path');
require(path.join(modules, 'n8n/dist/commands/execute.js'));
const { Container } = require(path.join(modules, '@n8n/di'));
const core = require(path.join(modules, 'n8n-core'));
const { Readable } = require('stream');
(async () => {
	const config = Container.get(core.BinaryDataConfig);
	config.mode = 'filesystem';
	config.localStoragePath = dir;
	const service = Container.get(core.BinaryDataService);
	await service.init();
	const CHUNK = 64 * 1024;
	const pattern = Buffer.alloc(CHUNK);
	for (let i = 0; i < CHUNK; i++) pattern[i] = (i * 31 + 7) & 0xff;
	// A fresh buffer per chunk, as a socket delivers them.
	function* chunks() {
		for (let sent = 0; sent < bytes; sent += CHUNK) {
			const chunk = Buffer.allocUnsafe(Math.min(CHUNK, bytes - sent));
			pattern.copy(chunk, 0, 0, chunk.length);
			yield chunk;
		}
	}
	const started = process.hrtime.bigint();
	const stored = await service.store({ type: 'execution', workflowId: 'floor', executionId: '1' }, Readable.from(chunks()), { fileName: 'floor.mp4', mimeType: 'video/mp4', data: '' });
	process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - started) / 1e6, bytes: stored.bytes }));
	process.exit(0);
})().catch((error) => { process.stderr.write(String(error && error.stack)); process.exit(1); });`;

async function measureN8nFloor(runtime: Runtime): Promise<Measured> {
	const dir = join(BENCH_DIR, 'n8n-floor');
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(join(dir, 'user'), { recursive: true });
	const result = await run(runtime.node, ['-e', N8N_FLOOR_SCRIPT, runtime.n8nModules, String(BIG), join(dir, 'store')], {
		env: { ...process.env, N8N_USER_FOLDER: join(dir, 'user'), N8N_ENCRYPTION_KEY: 'bench', N8N_LOG_LEVEL: 'silent' },
	});
	if (result.code !== 0) throw new Error(`n8n's floor failed: ${result.stderr}`);
	const measured = JSON.parse(result.stdout.trim()) as { ms: number; bytes: number };
	rmSync(dir, { recursive: true, force: true });
	return { ms: measured.ms, peakRss: 0, bytes: measured.bytes };
}

/** `n8n execute` under V8's CPU profiler (NODE_OPTIONS=--cpu-prof), then where the download's time went. */
async function profileDownload(n8n: N8nInstance, workflowId: string): Promise<{ measured: Measured; summary: ProfileSummary; file: string }> {
	const dir = join(BENCH_DIR, `profile-${workflowId}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	let pid = 0;
	const measured = await measureN8n(n8n, workflowId, { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` }, (started) => (pid = started));
	const name = readdirSync(dir).find((entry) => entry.includes(`.${pid}.`));
	if (!name) throw new Error(`no CPU profile of process ${pid} in ${dir}`);
	return { measured, summary: summarizeProfile(join(dir, name)), file: join(dir, name) };
}

/** A second n8n user folder with the baseline build installed (a packed tarball), on its own port. */
async function prepareBaseline(tarball: string): Promise<N8nInstance> {
	const userFolder = join(BENCH_DIR, 'n8n-baseline-user');
	rmSync(userFolder, { recursive: true, force: true });
	await installIntoUserFolder(tarball, userFolder);
	const runtime = await ensureRuntime(() => undefined);
	return new N8nInstance(runtime, userFolder, 5801);
}

/** Sora Video and the HTTP Request node profiled the same way, side by side. */
async function profiles(n8n: N8nInstance): Promise<void> {
	const runs = [
		{ label: 'Sora Video', ...(await profileDownload(n8n, 'benchSoraBig0001')) },
		{ label: 'HTTP Request', ...(await profileDownload(n8n, 'benchHttpBig0001')) },
		{ label: "n8n's HTTP floor", ...(await profileDownload(n8n, 'benchFloorHttp01')) },
	];
	out(`### Where the time of a ${mib(runs[0].measured.bytes)} download goes (CPU profile of the n8n process: \`n8n execute\` with \`--cpu-prof\`, filesystem mode)`);
	out();
	out(`Self time between the first and the last sample with streaming code on the stack, idle time left out (${runs.map((run) => `${run.label}: ${run.measured.ms.toFixed(0)} ms under the profiler, ${run.summary.busyMs.toFixed(0)} ms busy`).join('; ')}).`);
	out();
	const owners = [...new Set(runs.flatMap((run) => run.summary.owners.slice(0, 6).map((owner) => owner.name)))];
	out(`| whose code ran | ${runs.map((run) => run.label).join(' | ')} |`);
	out(`|---|${runs.map(() => '---').join('|')}|`);
	for (const owner of owners) {
		const cells = runs.map((run) => {
			const cost = run.summary.owners.find((entry) => entry.name === owner);
			return cost ? `${cost.ms.toFixed(0)} ms (${(cost.share * 100).toFixed(1)}%)` : '-';
		});
		out(`| ${owner} | ${cells.join(' | ')} |`);
	}
	out();
	const ours = runs[0].summary.drivers.find((entry) => entry.name.startsWith('ours'));
	out(`Top functions of the Sora Video download. Ours, counting what our code made Node.js do (the nearest package on the stack): ${ours ? `${ours.ms.toFixed(0)} ms, ${(ours.share * 100).toFixed(1)}%` : 'nothing sampled'} of the busy time.`);
	out();
	out('| function | owner | self time | share |');
	out('|---|---|---|---|');
	for (const fn of runs[0].summary.functions.slice(0, 12)) out(`| \`${fn.name}\` | ${fn.owner} | ${fn.ms.toFixed(0)} ms | ${(fn.share * 100).toFixed(1)}% |`);
	out();
	out(`(profiles: ${runs.map((run) => run.file).join(', ')}; open one in Chrome DevTools > Performance for the call tree)`);
	out();
}

function best(runs: Measured[]): Measured {
	return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

async function repeat(times: number, measure: () => Promise<Measured>): Promise<Measured[]> {
	const results: Measured[] = [];
	for (let i = 0; i < times; i++) results.push(await measure());
	return results;
}

async function downloads(runtime: Runtime): Promise<void> {
	const n8n = await prepareInstance(runtime, join(BENCH_DIR, 'n8n-user'), 5800);
	const sim = new ProviderSimulator({ apiKey: KEY });
	sim.addTask({ id: 'bench_big', forced: 'completed', contentBytes: BIG });
	sim.addTask({ id: 'bench_small', forced: 'completed', contentBytes: SMALL });
	sim.addTask({ id: 'bench_mid', forced: 'completed', contentBytes: DEFAULT_MODE_BYTES });
	await sim.start();
	try {
		const url = (taskId: string) => `${sim.baseUrl('voidai')}/videos/${taskId}/content?variant=video`;
		await n8n.importCredentials([simulatorCredential(sim, 'voidai', 'voidAiApi', 'benchCredential1', 'bench')]);
		const workflows: Array<[string, object]> = [
			['benchSoraBig0001', soraWorkflow('benchSoraBig0001', 'bench_big')],
			['benchSoraSmall01', soraWorkflow('benchSoraSmall01', 'bench_small')],
			['benchSoraMid0001', soraWorkflow('benchSoraMid0001', 'bench_mid')],
			['benchHttpBig0001', httpRequestWorkflow('benchHttpBig0001', url('bench_big'))],
			['benchHttpSmall01', httpRequestWorkflow('benchHttpSmall01', url('bench_small'))],
			['benchHttpMid0001', httpRequestWorkflow('benchHttpMid0001', url('bench_mid'))],
		];
		installFloorPackage(n8n.userFolder);
		workflows.push(
			['benchFloorLocal1', floorWorkflow('benchFloorLocal1', { source: 'local', bytes: BIG })],
			['benchFloorHttp01', floorWorkflow('benchFloorHttp01', { source: 'http', url: url('bench_big'), key: KEY })],
		);
		for (const [, workflow] of workflows) await n8n.importWorkflow(workflow);
		if (process.argv.includes('--profile-only')) {
			// Where the time goes, alone: quick to repeat when comparing two versions of the code.
			await profiles(n8n);
			return;
		}

		const baseline = BASELINE ? await prepareBaseline(BASELINE) : undefined;
		if (baseline) {
			await baseline.importCredentials([simulatorCredential(sim, 'voidai', 'voidAiApi', 'benchCredential1', 'bench')]);
			for (const [, workflow] of workflows) await baseline.importWorkflow(workflow);
		}

		process.stderr.write(`measuring ${mib(BIG)} downloads, ${RUNS} runs each...\n`);
		const curl = await repeat(RUNS, async () => await measureCurl(url('bench_big')));
		const nodeFloor = await repeat(RUNS, async () => await measureNodeFloor(runtime, url('bench_big')));
		const n8nFloor = await repeat(RUNS, async () => await measureN8nFloor(runtime));
		const runFloor = await repeat(RUNS, async () => await measureN8n(n8n, 'benchFloorLocal1'));
		const httpFloor = await repeat(RUNS, async () => await measureN8n(n8n, 'benchFloorHttp01'));
		const oursSmall = await repeat(1, async () => await measureN8n(n8n, 'benchSoraSmall01'));
		const ours = await repeat(RUNS, async () => await measureN8n(n8n, 'benchSoraBig0001'));
		const beforeSmall = baseline ? await repeat(1, async () => await measureN8n(baseline, 'benchSoraSmall01')) : [];
		const before = baseline ? await repeat(RUNS, async () => await measureN8n(baseline, 'benchSoraBig0001')) : [];
		const httpSmall = await repeat(1, async () => await measureN8n(n8n, 'benchHttpSmall01'));
		const http = await repeat(RUNS, async () => await measureN8n(n8n, 'benchHttpBig0001'));
		for (const result of [...ours, ...before, ...http, ...curl, ...nodeFloor, ...n8nFloor, ...runFloor, ...httpFloor]) if (result.bytes !== BIG) throw new Error(`a download stored ${result.bytes} bytes, not ${BIG}`);

		const c = best(curl);
		const f = best(nodeFloor);
		const floor = best(n8nFloor);
		const inRun = best(runFloor);
		const hFloor = best(httpFloor);
		const o = best(ours);
		const h = best(http);
		const oPeak = Math.max(...ours.map((r) => r.peakRss));
		const hPeak = Math.max(...http.map((r) => r.peakRss));
		const vs = (m: Measured) => `${(m.ms / c.ms).toFixed(2)}x | ${(m.ms / floor.ms).toFixed(2)}x | ${(m.ms / inRun.ms).toFixed(2)}x | ${(m.ms / hFloor.ms).toFixed(2)}x`;
		out(`### Download of ${mib(BIG)}, n8n CLI, filesystem binary mode (best of ${RUNS}; peak RSS = highest of the runs)`);
		out();
		out("| | wall time | vs curl | vs n8n's floor | vs the floor in the same `n8n execute` | vs n8n's HTTP floor | n8n peak RSS | RSS above the same node downloading 1 MiB |");
		out('|---|---|---|---|---|---|---|---|');
		out(`| curl -o | ${c.ms.toFixed(0)} ms | ${vs(c)} | - | - |`);
		out(`| bare Node 24: \`http.get\` piped to a file | ${f.ms.toFixed(0)} ms | ${vs(f)} | - | - |`);
		out(`| n8n's floor: n8n's binary store writing the bytes from a local stream, in a loaded n8n process | ${floor.ms.toFixed(0)} ms | ${vs(floor)} | - | - |`);
		out(`| the same floor in the same \`n8n execute\` run as the downloads (a bench node; all node types loaded) | ${inRun.ms.toFixed(0)} ms | ${vs(inRun)} | - | - |`);
		out(`| n8n's HTTP floor: n8n's \`httpRequest\` helper's stream handed straight to \`prepareBinaryData\` (a bench node) | ${hFloor.ms.toFixed(0)} ms | ${vs(hFloor)} | - | - |`);
		out(`| Sora Video, Download Content | ${o.ms.toFixed(0)} ms | ${vs(o)} | ${mib(oPeak)} | ${mib(oPeak - oursSmall[0].peakRss)} |`);
		if (baseline) {
			const b = best(before);
			const bPeak = Math.max(...before.map((r) => r.peakRss));
			out(`| Sora Video, baseline build (SORA_BENCH_BASELINE) | ${b.ms.toFixed(0)} ms | ${vs(b)} | ${mib(bPeak)} | ${mib(bPeak - beforeSmall[0].peakRss)} |`);
		}
		out(`| HTTP Request node, Response Format: File | ${h.ms.toFixed(0)} ms | ${vs(h)} | ${mib(hPeak)} | ${mib(hPeak - httpSmall[0].peakRss)} |`);
		out();
		const growth = oPeak - oursSmall[0].peakRss;
		const httpGrowth = hPeak - httpSmall[0].peakRss;
		out(`Targets: time <= ${FLOOR_TARGET}x n8n's floor: ${o.ms / floor.ms <= FLOOR_TARGET ? 'met' : 'NOT met'} (${(o.ms / floor.ms).toFixed(2)}x; ` +
			`${(o.ms / inRun.ms).toFixed(2)}x the floor in the same \`n8n execute\`, ${(o.ms / hFloor.ms).toFixed(2)}x n8n's HTTP floor, which is itself ${(hFloor.ms / floor.ms).toFixed(2)}x n8n's floor); ` +
			`memory growth no worse than HTTP Request's: ${growth <= httpGrowth ? 'met' : 'NOT met'} (${mib(growth)} vs ${mib(httpGrowth)}); ` +
			`no slower than HTTP Request: ${o.ms <= h.ms ? 'met' : 'NOT met'} (${(o.ms / h.ms).toFixed(2)}x its time).`);
		out();

		await profiles(n8n);

		const defaultEnv = { N8N_DEFAULT_BINARY_DATA_MODE: 'default' };
		const dSmall = await measureN8n(n8n, 'benchSoraSmall01', defaultEnv);
		const dOurs = await measureN8n(n8n, 'benchSoraMid0001', defaultEnv);
		const dHttp = await measureN8n(n8n, 'benchHttpMid0001', defaultEnv);
		out(`### In-memory (\`default\`) binary mode, ${mib(DEFAULT_MODE_BYTES)} file`);
		out();
		out('| | wall time | n8n peak RSS | RSS above the same node downloading 1 MiB | per MiB of file |');
		out('|---|---|---|---|---|');
		out(`| Sora Video, Download Content | ${dOurs.ms.toFixed(0)} ms | ${mib(dOurs.peakRss)} | ${mib(dOurs.peakRss - dSmall.peakRss)} | ${((dOurs.peakRss - dSmall.peakRss) / DEFAULT_MODE_BYTES).toFixed(2)} MiB |`);
		out(`| HTTP Request node | ${dHttp.ms.toFixed(0)} ms | ${mib(dHttp.peakRss)} | - | - |`);
		out();
	} finally {
		await sim.stop();
	}
}

/** Queue mode: the load of `npm run test:queue`, with one worker and then two. */
async function queue(runtime: Runtime): Promise<void> {
	const files = Number(process.env.SORA_QUEUE_FILES ?? 200);
	const big = Number(process.env.SORA_QUEUE_BIG_FILES ?? 4);
	const concurrency = 5;
	const sim = new ProviderSimulator({ apiKey: KEY });
	await sim.start();
	const cluster = await QueueCluster.create(runtime, join(BENCH_DIR, 'queue-user'));
	try {
		await cluster.n8n.importCredentials([simulatorCredential(sim, 'voidai', 'voidAiApi', 'benchCredential1', 'bench')]);
		const source = { provider: 'voidAi', credentialType: 'voidAiApi', credential: { id: 'benchCredential1', name: 'bench' } };
		const workflows = [webhookDownloadWorkflow('benchQueueOne001', 'bench-one', source), webhookDownloadWorkflow('benchQueueTwo001', 'bench-two', source)];
		await cluster.n8n.importWorkflow(workflows);
		await cluster.storeBinariesUncompressed();
		await cluster.startMain();
		await cluster.startWorker('worker-1', { concurrency });
		const runs: LoadFigures[] = [];
		process.stderr.write(`queue mode: ${files} downloads with one worker...\n`);
		await cluster.activate('benchQueueOne001');
		const measure = async (workflowId: string, path: string, prefix: string) => {
			const plan = loadPlan(prefix, files, big);
			const { figures, outcomes } = await runLoad(cluster, sim, workflowId, path, plan, concurrency, 1_800_000);
			const problems = downloadProblems(outcomes, plan);
			if (problems.length > 0) throw new Error(`queue mode lost or damaged downloads:\n${problems.slice(0, 10).join('\n')}`);
			runs.push(figures);
		};
		await measure('benchQueueOne001', 'bench-one', 'b1');
		await cluster.startWorker('worker-2', { concurrency });
		process.stderr.write(`queue mode: ${files} downloads with two workers...\n`);
		await cluster.activate('benchQueueTwo001');
		await measure('benchQueueTwo001', 'bench-two', 'b2');
		out(`### Queue mode: ${files} downloads enqueued at once through a webhook (${big} of 256 MiB, the rest 2-6 MiB), binary data mode \`database\``);
		out();
		out(`PostgreSQL ${cluster.postgres.version}, Redis ${cluster.redis.version}, one main and the workers on this machine; time from the first execution created to the last one finished.`);
		out();
		for (const line of loadTable(runs)) out(line);
		out();
	} finally {
		await cluster.stop();
		await sim.stop();
	}
}

async function trigger(): Promise<void> {
	// n8n-core reads its user folder once, at import: give it a throwaway one first.
	const userFolder = join(BENCH_DIR, 'engine-user');
	mkdirSync(userFolder, { recursive: true });
	process.env.N8N_USER_FOLDER = userFolder;
	process.env.N8N_ENCRYPTION_KEY = 'bench';
	process.env.N8N_LOG_LEVEL = 'silent';
	const { createPoller } = await import('../test/harness/engine');
	const latencyMs = 20;
	const sim = new ProviderSimulator({ apiKey: KEY, latencyMs });
	await sim.start();
	try {
		const statusRequests = () => sim.requests.filter((request) => /\/videos\/[^/]+$/.test(request.path)).length;
		const listRequests = () => sim.requests.filter((request) => request.path.endsWith('/videos')).length;
		const credentials = { voidAiApi: { apiKey: KEY, baseUrl: sim.baseUrl('voidai') } };

		const ids = Array.from({ length: 1000 }, (_, i) => `watched_${i}`);
		for (const id of ids) sim.addTask({ id, forced: 'in_progress' });
		const watcher = await createPoller({
			nodeType: 'soraVideoTrigger',
			parameters: { provider: 'voidAi', watch: 'taskIds', taskIds: ids.join('\n'), events: ['completed'], options: {} },
			credentials,
		});
		const timed = async () => {
			sim.requests.length = 0;
			const started = process.hrtime.bigint();
			const fired = (await watcher.poll())?.[0].length ?? 0;
			return { ms: Number(process.hrtime.bigint() - started) / 1e6, requests: statusRequests(), fired };
		};
		const first = await timed();
		for (const id of ids.slice(0, 400)) sim.setStatus(id, 'completed');
		const second = await timed();
		const third = await timed();
		out(`### Trigger, 1,000 watched task IDs, ${latencyMs} ms added per request (default Max Concurrent Requests)`);
		out();
		out('| poll | wall time | status requests | fired |');
		out('|---|---|---|---|');
		out(`| 1: all running | ${first.ms.toFixed(0)} ms | ${first.requests} | ${first.fired} |`);
		out(`| 2: 400 completed meanwhile | ${second.ms.toFixed(0)} ms | ${second.requests} | ${second.fired} |`);
		out(`| 3: nothing new | ${third.ms.toFixed(0)} ms | ${third.requests} | ${third.fired} |`);
		out();
		out(`Target: one poll within 3 s: ${Math.max(first.ms, second.ms) <= 3000 ? 'met' : 'NOT met'}; at most one request per running task: ${first.requests <= 1000 && second.requests <= 1000 && third.requests <= 600 ? 'met' : 'NOT met'}.`);
		out();
		const watchedState = JSON.stringify(watcher.staticData);

		// `all` mode over 10,000 listed tasks, 50 of them still running deep in the list.
		sim.tasks.clear();
		for (let i = 0; i < 10_000; i++) sim.addTask({ id: `listed_${String(i).padStart(5, '0')}`, createdAt: 1_700_000_000 + i, forced: i % 200 === 0 ? 'in_progress' : 'completed' });
		const lister = await createPoller({ nodeType: 'soraVideoTrigger', parameters: { provider: 'voidAi', watch: 'all', events: ['completed'], options: {} }, credentials });
		const listPoll = async () => {
			sim.requests.length = 0;
			const started = process.hrtime.bigint();
			const fired = (await lister.poll())?.[0].length ?? 0;
			return { ms: Number(process.hrtime.bigint() - started) / 1e6, list: listRequests(), status: statusRequests(), fired };
		};
		const baseline = await listPoll();
		const steady = await listPoll();
		for (let i = 0; i < 10; i++) sim.addTask({ id: `new_${i}`, createdAt: 1_800_000_000 + i, forced: 'completed' });
		sim.setStatus('listed_00200', 'completed');
		const withNews = await listPoll();
		out('### Trigger, `all` mode, 10,000 listed tasks (50 still running), page size 100');
		out();
		out('| poll | wall time | list pages | status requests | fired |');
		out('|---|---|---|---|---|');
		out(`| 1: activation (baseline) | ${baseline.ms.toFixed(0)} ms | ${baseline.list} | ${baseline.status} | ${baseline.fired} |`);
		out(`| 2: steady state, nothing new | ${steady.ms.toFixed(0)} ms | ${steady.list} | ${steady.status} | ${steady.fired} |`);
		out(`| 3: 10 new tasks + 1 old one finished | ${withNews.ms.toFixed(0)} ms | ${withNews.list} | ${withNews.status} | ${withNews.fired} |`);
		out();

		// Static data after 10,000 fired tasks, in both modes.
		sim.tasks.clear();
		const many = Array.from({ length: 10_000 }, (_, i) => `fired_${i}`);
		for (const [i, id] of many.entries()) sim.addTask({ id, createdAt: 1_700_000_000 + i, forced: 'in_progress' });
		const allMode = await createPoller({ nodeType: 'soraVideoTrigger', parameters: { provider: 'voidAi', watch: 'all', events: ['completed'], options: {} }, credentials });
		await allMode.poll();
		for (const id of many) sim.setStatus(id, 'completed');
		const firedAll = (await allMode.poll())?.[0].length ?? 0;
		const allSize = JSON.stringify(allMode.staticData).length;
		out('### Static data the trigger keeps');
		out();
		out(`- \`all\` mode after ${firedAll} fired tasks: ${(allSize / 1024).toFixed(1)} KiB (bounded: at most 2,000 handled + 10,000 running task IDs).`);
		out(`- Task IDs mode watching 1,000 tasks, 400 fired: ${(watchedState.length / 1024).toFixed(1)} KiB (bounded by the watch list).`);
		out();
	} finally {
		await sim.stop();
	}
}

async function main(): Promise<void> {
	mkdirSync(BENCH_DIR, { recursive: true });
	out(`## Benchmark results (${new Date().toISOString().slice(0, 10)})`);
	out();
	out(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / GiB).toFixed(0)} GiB RAM; n8n 2.41.1 on Node 24.21.0; orchestration on Node ${process.versions.node}.`);
	out();
	const only = process.argv.includes('--profile-only') ? '--downloads-only' : ['--downloads-only', '--queue-only', '--trigger-only'].find((flag) => process.argv.includes(flag));
	const runtime = only === '--trigger-only' ? undefined : await ensureRuntime((line) => process.stderr.write(`${line}\n`));
	if (runtime && (!only || only === '--downloads-only')) await downloads(runtime);
	if (runtime && (!only || only === '--queue-only')) await queue(runtime);
	if (!only || only === '--trigger-only') await trigger();
	const file = join(BENCH_DIR, 'results.md');
	writeFileSync(file, `${lines.join('\n')}\n`);
	process.stderr.write(`(written to ${file}${existsSync(file) ? '' : ''})\n`);
}

main()
	.then(async () => {
		await stopAll();
		process.exit(0);
	})
	.catch(async (error: Error) => {
		process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
		await stopAll();
		process.exit(1);
	});
