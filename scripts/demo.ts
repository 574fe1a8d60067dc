/**
 * `npm run demo`: the whole product working on a fresh machine, without any provider account.
 * It starts from a prompt: Sora Video "Create" makes a task at the local simulator, and the Sora Video Trigger
 * fires when it is ready and stores the file. `npm run demo -- --once` stops there (for CI).
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';

import { seedDemoTasks } from '../simulator/cli';
import { contentBytes, ProviderSimulator } from '../simulator/simulator';
import type { N8nInstance, NodeRun } from './harness/n8n';
import { freePort, stopAll, waitFor } from './harness/processes';
import { ensureRuntime, REPO_ROOT } from './harness/runtime';
import { EXAMPLE_CREDENTIAL, EXAMPLE_GATEWAY_CREDENTIAL, EXAMPLES, loadExample, ourPartOf, prepareInstance, simulatorCredential } from './harness/scenario';

const once = process.argv.includes('--once');
const EDITOR_PORT = 5678;
const OWNER = { email: 'demo@example.com', password: 'SoraDemo-2026' };
const DEMO_WORKFLOW = { id: 'soraDemoArchive1', name: 'Demo: archive finished videos (simulator)' };
const started = Date.now();
let stepNumber = 0;
const STEPS = 5;

function elapsed(): string {
	return `${((Date.now() - started) / 1000).toFixed(1)}s`;
}

function step(text: string): void {
	stepNumber++;
	process.stdout.write(`\n[demo +${elapsed()}] ${stepNumber}/${STEPS} ${text}\n`);
}

function say(text: string): void {
	process.stdout.write(`    ${text}\n`);
}

async function portIsFree(port: number): Promise<boolean> {
	const server = createServer();
	return await new Promise<boolean>((resolve) => {
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function clock(ms: number): string {
	return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
}

/** The trigger's polls: each one lists the account's tasks ("All Tasks" mode). */
function listRequests(sim: ProviderSimulator): number {
	return sim.requests.filter((request) => request.method === 'GET' && request.path === '/voidai/v1/videos').length;
}

/**
 * Prints each execution of the demo workflow as it appears (n8n's database, every 5 s), so the terminal
 * shows the trigger firing while the editor is open.
 */
function reportExecutions(n8n: N8nInstance, workflowId: string): NodeJS.Timeout {
	let seen = 0;
	let busy = false;
	return setInterval(() => {
		if (busy) return;
		busy = true;
		void n8n
			.executions(workflowId)
			.then((executions) => {
				for (const execution of executions.slice(seen)) {
					const items = Object.values(execution.nodes)[0]?.items ?? [];
					const tasks = items.map((item) => `${String(item.json.id)} ${String(item.json.event ?? item.json.status)}${item.binary ? ' (video attached)' : ''}`);
					process.stdout.write(`[demo +${elapsed()}] ${clock(Date.now())} the trigger fired (execution ${execution.id}, ${execution.status}): ${tasks.join(', ') || 'no items'}\n`);
				}
				seen = executions.length;
			})
			.catch(() => undefined)
			.finally(() => (busy = false));
	}, 5_000);
}

/** New tasks keep finishing while the editor is open, so the trigger has something to fire. */
function keepCreatingTasks(sim: ProviderSimulator): NodeJS.Timeout {
	let counter = 0;
	return setInterval(() => {
		const now = Date.now() / 1000;
		counter++;
		sim.addTask({ id: `video_demo_${counter}`, createdAt: now, startsAt: now + 5, finishesAt: now + 40, contentBytes: 3_000_000 + counter, outcome: counter % 4 === 0 ? 'failed' : 'completed' });
	}, 45_000);
}

const DEMO_PROMPT = 'A paper boat drifting down a rain-soaked street at dusk, cinematic, shallow depth of field';
const CREATE_WORKFLOW = { id: 'soraDemoCreate01', name: 'Demo: create a video from a prompt (simulator)' };
const WATCH_WORKFLOW = { id: 'soraDemoWatch001', name: 'Demo: store the video when it is ready (simulator)' };

const credential = { [EXAMPLE_CREDENTIAL.type]: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } };

/** Manual start, then Sora Video "Create" with a prompt. */
function createWorkflow(prompt: string): object {
	return {
		...CREATE_WORKFLOW,
		nodes: [
			{ id: 'd1a0c0de-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'd1a0c0de-0000-4000-8000-000000000002',
				name: 'Create Video',
				type: 'n8n-nodes-sora-video.soraVideo',
				typeVersion: 1,
				position: [240, 0],
				parameters: { provider: 'voidAi', operation: 'create', model: { __rl: true, mode: 'list', value: 'sora-2', cachedResultName: 'sora-2' }, prompt, size: '1280x720', seconds: '8', options: {} },
				credentials: credential,
			},
		],
		connections: { Start: { main: [[{ node: 'Create Video', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** The archive example's trigger, watching one task ID, with the file attached. */
function watchWorkflow(taskId: string): object {
	const workflow = ourPartOf(loadExample('archive-to-google-drive'), WATCH_WORKFLOW.id, WATCH_WORKFLOW.name);
	for (const node of workflow.nodes) node.parameters = { ...node.parameters, watch: 'taskIds', taskIds: taskId, events: ['completed', 'failed'] };
	return workflow;
}

function failuresOf(nodes: Record<string, NodeRun>): string {
	return Object.entries(nodes)
		.filter(([, run]) => run.error)
		.map(([name, run]) => `${name}: ${run.error?.message}`)
		.join('; ');
}

async function main(): Promise<void> {
	if (!once && !(await portIsFree(EDITOR_PORT))) {
		throw new Error(`Port ${EDITOR_PORT} is in use (another n8n?). Stop it and run the demo again.`);
	}

	step('Getting Node 24 and n8n 2.41.1 into .cache/runtime (the first run downloads ~2.7 GB and takes about 8-15 minutes; later runs reuse it)');
	const runtime = await ensureRuntime((line) => say(line));

	step('Building and packing n8n-nodes-sora-video, and installing it into a fresh n8n user folder, as n8n installs community packages');
	const userFolder = join(REPO_ROOT, '.cache', 'demo', 'n8n-user');
	// --once runs n8n's server too (for the trigger) but shows it to nobody: any free port will do.
	const port = once && !(await portIsFree(EDITOR_PORT)) ? await freePort() : EDITOR_PORT;
	const n8n: N8nInstance = await prepareInstance(runtime, userFolder, port);
	say(`installed into ${join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-sora-video')}`);

	step('Starting the provider simulator on 127.0.0.1; importing a credential for it and the example workflows');
	const sim = new ProviderSimulator({ apiKey: 'sk-demo-simulator-key' });
	seedDemoTasks(sim);
	// A created video takes 20 s here (minutes at a real provider).
	sim.setCreateSettings({ durationMs: 20_000, queuedMs: 4_000, contentBytes: 2_500_000 + 17 });
	await sim.start();
	say(`simulator: ${sim.baseUrl('voidai')} (speaks the OpeAI, Wisdom Gate, EzModel, VoidAI and new-api dialects)`);
	await n8n.importCredentials([
		simulatorCredential(sim, 'voidai', EXAMPLE_CREDENTIAL.type, EXAMPLE_CREDENTIAL.id, EXAMPLE_CREDENTIAL.name),
		simulatorCredential(sim, 'openai', EXAMPLE_GATEWAY_CREDENTIAL.type, EXAMPLE_GATEWAY_CREDENTIAL.id, EXAMPLE_GATEWAY_CREDENTIAL.name, { headerName: 'Authorization', headerPrefix: 'Bearer ' }),
	]);
	for (const name of EXAMPLES) {
		await n8n.importWorkflow(loadExample(name));
		say(`imported examples/${name}.json`);
	}

	step('Creating a video from a prompt: Sora Video "Create" with `n8n execute`');
	await n8n.importWorkflow(createWorkflow(DEMO_PROMPT));
	const created = await n8n.execute(CREATE_WORKFLOW.id);
	const task = created.nodes['Create Video']?.items[0]?.json;
	if (created.status !== 'success' || typeof task?.id !== 'string') throw new Error(`Creating the video did not succeed (status ${created.status}). ${failuresOf(created.nodes)}`);
	const request = sim.createJournal[sim.createJournal.length - 1];
	say(`the simulator received: ${request.method} ${request.path} (${String(request.contentType).split(';')[0]}) ${JSON.stringify(request.fields)}`);
	say('the node answered with the new task:');
	for (const line of JSON.stringify(task, null, 2).split('\n')) say(`  ${line}`);

	step(`Starting n8n with a Sora Video Trigger watching ${task.id}: it fires once the video is ready, with the file attached`);
	say(`the simulator finishes the video ${sim.createSettings.durationMs / 1000} s after it was created; the trigger polls when it is activated, then every minute`);
	await n8n.importWorkflow(watchWorkflow(task.id));
	await n8n.publish(WATCH_WORKFLOW.id);
	if (!once) {
		await n8n.importWorkflow(ourPartOf(loadExample('archive-to-google-drive'), DEMO_WORKFLOW.id, DEMO_WORKFLOW.name));
		await n8n.publish(DEMO_WORKFLOW.id);
	}
	await n8n.startServer();
	const finished = async () => (await n8n.executions(WATCH_WORKFLOW.id)).find((run) => run.status !== 'new' && run.status !== 'running');
	const execution = await waitFor(finished, 'the Sora Video Trigger to fire', 180_000, 2000);
	const fired = execution.nodes['Sora Video Trigger']?.items[0];
	const binary = fired?.binary?.data;
	if (execution.status !== 'success' || !binary?.id) throw new Error(`The trigger's execution did not succeed (status ${execution.status}). ${failuresOf(execution.nodes)}`);
	const stored = readFileSync(n8n.binaryPath(binary.id));
	const served = contentBytes(task.id, 'video', sim.tasks.get(task.id)?.contentBytes ?? 0);
	say(`fired: task ${String(fired.json.id)}, event "${String(fired.json.event)}", status ${String(fired.json.status)}`);
	say(`stored file: ${binary.fileName}`);
	say(`MIME type:   ${binary.mimeType}`);
	say(`size:        ${stored.length} bytes`);
	say(`sha256:      ${createHash('sha256').update(stored).digest('hex')} (${stored.equals(served) ? 'the same bytes the simulator served' : 'DIFFERENT from what the simulator served'})`);
	say(`stored at:   ${n8n.binaryPath(binary.id)}`);
	if (!stored.equals(served)) throw new Error('The stored file is not the file the simulator served.');

	if (once) {
		await n8n.stopServer();
		await sim.stop();
		process.stdout.write(`\n[demo +${elapsed()}] done (--once).\n`);
		return;
	}

	const owner = await n8n.setupOwner(OWNER.email, OWNER.password);
	// n8n polls once when it activates the workflow: the trigger only notes which tasks exist then (a task that
	// had already finished never fires). Then it polls once a minute, n8n's shortest interval, at a second of
	// the minute it picks at random. So the first video finishes just after that first poll, and its event
	// comes with the next poll: within a minute.
	// The archive workflow was activated when n8n started above: its first poll lists the simulator's tasks.
	const sawActivationPoll = await waitFor(async () => (listRequests(sim) > 0 ? true : undefined), "the trigger's first poll", 90_000).catch(() => false);
	const firstFinish = Date.now() + 5_000;
	sim.addTask({ id: 'video_demo_first', createdAt: Date.now() / 1000, startsAt: Date.now() / 1000, finishesAt: firstFinish / 1000, contentBytes: 3_000_000 });
	const firstEventBy = firstFinish + 65_000;
	const ticker = keepCreatingTasks(sim);
	const reporter = reportExecutions(n8n, DEMO_WORKFLOW.id);
	process.stdout.write(`
    n8n is running: http://127.0.0.1:${EDITOR_PORT}
    ${owner ? `Log in with ${OWNER.email} / ${OWNER.password}` : 'Create the owner account n8n asks for (it stays on this machine).'}
    What to look at:
      - "${CREATE_WORKFLOW.name}": the Sora Video node's Create operation; change the prompt and run it again.
      - "${WATCH_WORKFLOW.name}" fired once for ${task.id}; its Executions tab shows the video (Binary tab).
      - Workflow "${DEMO_WORKFLOW.name}" is active: its Sora Video Trigger polls the
        simulator once a minute (n8n's shortest interval).
        ${
					sawActivationPoll
						? `The first simulated video finishes at ${clock(firstFinish)}, so its event arrives by ${clock(firstEventBy)};
        then a new video finishes about every 45 s.`
						: `Its first poll did not come within 90 s: check in the editor that the workflow is active.
        A new simulated video finishes about every 45 s.`
				}
        Open the workflow's Executions tab to see each one fire once, with the video attached (Binary tab);
        this terminal prints them too. Every fourth one fails and is skipped (Events: Completed).
      - "Sora Video: check status, wait, download": click "Execute workflow" to run it in the editor.
      - "Sora Video: generate videos from prompts, ...": Generate (create, wait, download) for rows of prompts.
      - The other examples show the trigger feeding Google Drive and Slack (add your own credentials to use them).
    Press Ctrl+C to stop n8n and the simulator.
`);
	// Runs until Ctrl+C: scripts/harness/processes stops n8n (its whole process group) and exits; the simulator ends with us.
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			clearInterval(ticker);
			clearInterval(reporter);
			process.stdout.write('\nStopping n8n and the simulator...\n');
		});
	}
	await new Promise<never>(() => undefined);
}

main()
	.then(async () => {
		await stopAll();
		process.exit(0);
	})
	.catch(async (error: Error) => {
		process.stderr.write(`\n[demo +${elapsed()}] failed: ${error.message}\n`);
		await stopAll();
		process.exit(1);
	});
