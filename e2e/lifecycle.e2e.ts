/**
 * The whole video lifecycle in a real n8n 2.41.1 process (the package installed from its `npm pack` tarball):
 * Generate (create, wait, download) with a reference image, Create feeding the next nodes, Remix, Delete, the
 * errors a create gets, creates whose answer is lost (never sent twice), the example "generate videos from
 * prompts", and under `n8n start` a task created by a running workflow that the trigger fires for once.
 * The provider simulator and a small image server run in this process on 127.0.0.1; n8n runs as child processes.
 */
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import type { Server } from 'http';
import { createServer as createHttpServer } from 'http';
import { join } from 'path';

import type { N8nInstance, NodeRun } from '../scripts/harness/n8n';
import { freePort, stopAll, waitFor } from '../scripts/harness/processes';
import { ensureRuntime, REPO_ROOT } from '../scripts/harness/runtime';
import { EXAMPLE_CREDENTIAL, EXAMPLE_GATEWAY_CREDENTIAL, loadExample, ourPartOf, prepareInstance, simulatorCredential } from '../scripts/harness/scenario';
import { seedDemoTasks } from '../simulator/cli';
import { contentBytes, ProviderSimulator } from '../simulator/simulator';
import { png, sha256 } from '../test/harness/bytes';

const KEY = 'sk-e2e-lifecycle-key';
const NEWAPI_CREDENTIAL = { id: 'e2eNewApiCred001', name: 'new-api gateway', type: 'openAiCompatibleVideoApi' };
/** An OpenAI-compatible gateway that serves extensions, edits and characters (the simulator's OpenAI dialect). */
const OPENAI_CREDENTIAL = { id: 'e2eOpenAiCred001', name: 'OpenAI-compatible gateway', type: 'openAiCompatibleVideoApi' };
/** A short source video for Edit and Create Character, served over HTTP and streamed on by the node. */
const SOURCE_VIDEO = contentBytes('source_clip', 'video', 700_003);
const VIDEO_BYTES = 900_001;
let sim: ProviderSimulator;
let n8n: N8nInstance;
let images: Server;
let imageUrl = '';

/** A real, decodable PNG of about 3 MiB (stored deflate), so the upload is streamed in many chunks. */
function referencePng(): Buffer {
	return png(1024, 1024, (i, y) => i * 7 + y * 13 + ((i * y) >> 5));
}

const IMAGE = referencePng();

beforeAll(async () => {
	const runtime = await ensureRuntime();
	sim = new ProviderSimulator({ apiKey: KEY });
	seedDemoTasks(sim);
	sim.setStatus('video_soon', 'completed');
	sim.addTask({ id: 'video_delete_me' });
	sim.setCreateSettings({ durationMs: 1500, queuedMs: 300, contentBytes: VIDEO_BYTES });
	await sim.start();
	images = createHttpServer((req, res) => {
		const file = req.url === '/clip.mp4' ? SOURCE_VIDEO : IMAGE;
		res.writeHead(200, { 'Content-Type': file === IMAGE ? 'image/png' : 'video/mp4', 'Content-Length': String(file.length) });
		res.end(file);
	});
	await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
	imageUrl = `http://127.0.0.1:${(images.address() as { port: number }).port}/reference.png`;
	n8n = await prepareInstance(runtime, join(REPO_ROOT, '.cache', 'e2e', 'n8n-user-lifecycle'), await freePort());
	await n8n.importCredentials([
		simulatorCredential(sim, 'voidai', EXAMPLE_CREDENTIAL.type, EXAMPLE_CREDENTIAL.id, EXAMPLE_CREDENTIAL.name),
		simulatorCredential(sim, 'newapi', NEWAPI_CREDENTIAL.type, NEWAPI_CREDENTIAL.id, NEWAPI_CREDENTIAL.name, { headerName: 'Authorization', headerPrefix: 'Bearer ' }),
		simulatorCredential(sim, 'openai', OPENAI_CREDENTIAL.type, OPENAI_CREDENTIAL.id, OPENAI_CREDENTIAL.name, { headerName: 'Authorization', headerPrefix: 'Bearer ' }),
		simulatorCredential(sim, 'openai', EXAMPLE_GATEWAY_CREDENTIAL.type, EXAMPLE_GATEWAY_CREDENTIAL.id, EXAMPLE_GATEWAY_CREDENTIAL.name, { headerName: 'Authorization', headerPrefix: 'Bearer ' }),
	]);
}, 900_000);

afterAll(async () => {
	await n8n?.stopServer();
	await stopAll();
	await sim?.stop();
	await new Promise<void>((resolve) => (images ? images.close(() => resolve()) : resolve()));
});

beforeEach(() => {
	sim.createJournal.length = 0;
	sim.requests.length = 0;
});

const voidAi = { provider: 'voidAi', credentials: { [EXAMPLE_CREDENTIAL.type]: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } } };
const newApi = { provider: 'openAiCompatible', credentials: { [NEWAPI_CREDENTIAL.type]: { id: NEWAPI_CREDENTIAL.id, name: NEWAPI_CREDENTIAL.name } } };
const openAi = { provider: 'openAiCompatible', credentials: { [OPENAI_CREDENTIAL.type]: { id: OPENAI_CREDENTIAL.id, name: OPENAI_CREDENTIAL.name } } };

interface NodeSpec {
	name: string;
	type?: string;
	parameters: Record<string, unknown>;
	account?: typeof voidAi;
	continueOnError?: boolean;
	extra?: Record<string, unknown>;
}

/** A manual start followed by `specs` in a chain; Sora Video nodes get a provider and credential. */
function chain(id: string, specs: NodeSpec[], start: NodeSpec = { name: 'Start', type: 'n8n-nodes-base.manualTrigger', parameters: {} }): object {
	const all = [start, ...specs];
	const nodes = all.map((spec, index) => {
		const type = spec.type ?? 'n8n-nodes-sora-video.soraVideo';
		const ours = type === 'n8n-nodes-sora-video.soraVideo';
		const account = spec.account ?? voidAi;
		return {
			id: randomUUID(),
			name: spec.name,
			type,
			typeVersion: type === 'n8n-nodes-base.httpRequest' ? 4.2 : type === 'n8n-nodes-base.webhook' ? 2 : 1,
			position: [index * 220, 0],
			parameters: ours ? { provider: account.provider, ...spec.parameters } : spec.parameters,
			...(ours ? { credentials: account.credentials } : {}),
			...(spec.continueOnError ? { onError: 'continueRegularOutput' } : {}),
			...(spec.extra ?? {}),
		};
	});
	const connections = Object.fromEntries(all.slice(0, -1).map((spec, index) => [spec.name, { main: [[{ node: all[index + 1].name, type: 'main', index: 0 }]] }]));
	return { id, name: `e2e lifecycle ${id}`, nodes, connections, settings: { executionOrder: 'v1' } };
}

const sora2 = { __rl: true, mode: 'list', value: 'sora-2', cachedResultName: 'sora-2' };

function only(run: NodeRun | undefined): Record<string, unknown> {
	expect(run?.error).toBeUndefined();
	expect(run?.items).toHaveLength(1);
	return run?.items[0].json ?? {};
}

function storedBytes(run: NodeRun | undefined, index = 0): Buffer {
	const id = run?.items[index]?.binary?.data?.id;
	if (!id) throw new Error(`no stored binary in ${JSON.stringify(run)}`);
	return readFileSync(n8n.binaryPath(id));
}

function errorOf(nodes: Record<string, NodeRun>, name: string): string {
	return String(nodes[name]?.items[0]?.json.error ?? nodes[name]?.error?.message ?? JSON.stringify(nodes[name]));
}

function createRequests(): number {
	return sim.requests.filter((request) => request.method === 'POST' && /\/v1\/videos$/.test(request.path)).length;
}

async function execute(workflow: object): Promise<{ status: string; nodes: Record<string, NodeRun> }> {
	await n8n.importWorkflow(workflow);
	return await n8n.execute((workflow as { id: string }).id);
}

describe('under `n8n execute`', () => {
	it('Generate sends one create with the reference image from the input item, byte for byte, waits, and stores the exact file', async () => {
		const { status, nodes } = await execute(
			chain('e2eLifeGenerate1', [
				{ name: 'Fetch Reference', type: 'n8n-nodes-base.httpRequest', parameters: { method: 'GET', url: imageUrl, options: { response: { response: { responseFormat: 'file', outputPropertyName: 'image' } } } } },
				{
					name: 'Generate',
					parameters: {
						operation: 'generate',
						model: sora2,
						prompt: 'A lighthouse in a storm, waves breaking, cinematic',
						size: '1280x720',
						seconds: '8',
						variant: 'video',
						binaryPropertyName: 'data',
						options: { referenceImageField: 'image', extraFields: '{"metadata": {"duration": 6}}', pollInterval: 1, maxWait: 1 },
					},
				},
			]),
		);
		expect(status).toBe('success');
		expect(sim.createJournal).toHaveLength(1);
		const [record] = sim.createJournal;
		expect(record).toMatchObject({
			kind: 'create',
			path: '/voidai/v1/videos',
			bodyType: 'multipart',
			outcome: 'created',
			fields: { model: 'sora-2', prompt: 'A lighthouse in a storm, waves breaking, cinematic', size: '1280x720', seconds: '8' },
		});
		expect(JSON.parse(String(record.fields.metadata))).toEqual({ duration: 6 });
		expect(record.inputReference).toMatchObject({ field: 'input_reference', filename: 'reference.png', contentType: 'image/png', bytes: IMAGE.length, sha256: sha256(IMAGE) });
		expect(createRequests()).toBe(1);

		const taskId = String(record.taskId);
		expect(only(nodes.Generate)).toMatchObject({ id: taskId, status: 'completed' });
		expect(sha256(storedBytes(nodes.Generate))).toBe(sha256(contentBytes(taskId, 'video', VIDEO_BYTES)));
		expect(JSON.stringify(nodes)).not.toContain(KEY);
	}, 180_000);

	it('Create answers a queued task whose ID the next nodes use; Remix makes a new task from it; Delete removes it', async () => {
		const byId = (expression: string) => ({ taskId: expression });
		const { status, nodes } = await execute(
			chain('e2eLifeCreate001', [
				{ name: 'Create', parameters: { operation: 'create', model: { __rl: true, mode: 'id', value: 'sora-2-pro' }, prompt: 'A paper boat on a rainy street', size: '1792x1024', seconds: '12', options: {} } },
				{ name: 'Get Status', parameters: { operation: 'getStatus', ...byId('={{ $json.id }}'), options: { waitForCompletion: true, pollInterval: 1, maxWait: 1 } } },
				{ name: 'Download', parameters: { operation: 'downloadContent', ...byId('={{ $json.id }}'), variant: 'video', binaryPropertyName: 'data', options: {} } },
				{ name: 'Remix', parameters: { operation: 'remix', ...byId("={{ $('Create').item.json.id }}"), prompt: 'The same street at night, neon reflections', options: {} } },
				{ name: 'Delete', parameters: { operation: 'delete', ...byId("={{ $('Create').item.json.id }}"), options: {} } },
			]),
		);
		expect(status).toBe('success');
		const [create, remix] = sim.createJournal;
		expect(sim.createJournal).toHaveLength(2);
		const createdId = String(create.taskId);
		expect(create).toMatchObject({ kind: 'create', bodyType: 'multipart', inputReference: null, fields: { model: 'sora-2-pro', prompt: 'A paper boat on a rainy street', size: '1792x1024', seconds: '12' } });
		expect(only(nodes.Create)).toMatchObject({ id: createdId, status: 'queued' });
		expect(only(nodes['Get Status'])).toMatchObject({ id: createdId, status: 'completed', canDownload: true });
		expect(storedBytes(nodes.Download).equals(contentBytes(createdId, 'video', VIDEO_BYTES))).toBe(true);

		expect(remix).toMatchObject({ kind: 'remix', sourceId: createdId, fields: { prompt: 'The same street at night, neon reflections' }, outcome: 'created' });
		expect(only(nodes.Remix)).toMatchObject({ id: remix.taskId, status: 'queued', remixedFromVideoId: createdId });
		expect(only(nodes.Delete)).toEqual({ id: createdId, deleted: true });
		expect(sim.tasks.has(createdId)).toBe(false);
		expect(sim.tasks.has(String(remix.taskId))).toBe(true);
	}, 180_000);

	it('Extend continues a finished video and Edit changes the result (by ID); the new tasks run to completion', async () => {
		sim.addTask({ id: 'video_to_extend', seconds: '8' });
		const { status, nodes } = await execute(
			chain('e2eLifeExtend001', [
				{ name: 'Extend', account: openAi, parameters: { operation: 'extend', taskId: 'video_to_extend', prompt: 'The camera rises over the ridge', seconds: '4', options: {} } },
				{ name: 'Wait Extended', account: openAi, parameters: { operation: 'getStatus', taskId: '={{ $json.id }}', options: { waitForCompletion: true, pollInterval: 1, maxWait: 1 } } },
				{ name: 'Edit', account: openAi, parameters: { operation: 'edit', videoSource: 'taskId', taskId: '={{ $json.id }}', prompt: 'Make it snow', options: {} } },
			]),
		);
		expect(status).toBe('success');
		const [extension, edit] = sim.createJournal;
		expect(sim.createJournal).toHaveLength(2);
		expect(extension).toMatchObject({ kind: 'extend', path: '/openai/v1/videos/extensions', bodyType: 'json', fields: { prompt: 'The camera rises over the ridge', seconds: '4', video: { id: 'video_to_extend' } }, outcome: 'created' });
		expect(only(nodes.Extend)).toMatchObject({ id: extension.taskId, status: 'queued', seconds: '12', extendedFromVideoId: 'video_to_extend' });
		expect(only(nodes['Wait Extended'])).toMatchObject({ id: extension.taskId, status: 'completed' });
		expect(edit).toMatchObject({ kind: 'edit', bodyType: 'json', fields: { prompt: 'Make it snow', video: { id: extension.taskId } }, outcome: 'created' });
		expect(only(nodes.Edit)).toMatchObject({ id: edit.taskId, editedFromVideoId: extension.taskId });
	}, 180_000);

	it('Edit and Create Character stream a video from the input item byte for byte; Get Character reads the character back', async () => {
		const fetchClip = { name: 'Fetch Clip', type: 'n8n-nodes-base.httpRequest', parameters: { method: 'GET', url: imageUrl.replace('/reference.png', '/clip.mp4'), options: { response: { response: { responseFormat: 'file', outputPropertyName: 'clip' } } } } };
		const edited = await execute(
			chain('e2eLifeEditFile1', [fetchClip, { name: 'Edit', account: openAi, parameters: { operation: 'edit', videoSource: 'binaryField', videoField: 'clip', prompt: 'Warmer light', options: {} } }]),
		);
		expect(edited.status).toBe('success');
		const characters = await execute(
			chain('e2eLifeCharact01', [
				fetchClip,
				{ name: 'Create Character', account: openAi, parameters: { operation: 'createCharacter', videoField: 'clip', characterName: 'Mia', options: {} } },
				{ name: 'Get Character', account: openAi, parameters: { operation: 'getCharacter', characterId: '={{ $json.id }}', options: {} } },
			]),
		);
		expect(characters.status).toBe('success');
		const [edit, character] = sim.createJournal;
		for (const record of [edit, character]) {
			expect(record.bodyType).toBe('multipart');
			expect(record.files).toEqual([expect.objectContaining({ field: 'video', contentType: 'video/mp4', bytes: SOURCE_VIDEO.length, sha256: sha256(SOURCE_VIDEO) })]);
		}
		expect(edit).toMatchObject({ kind: 'edit', fields: { prompt: 'Warmer light' }, outcome: 'created' });
		expect(only(edited.nodes.Edit)).toMatchObject({ id: edit.taskId, status: 'queued' });
		expect(character).toMatchObject({ kind: 'character', fields: { name: 'Mia' }, outcome: 'created' });
		const made = only(characters.nodes['Create Character']);
		expect(made).toMatchObject({ id: character.taskId, name: 'Mia', provider: 'openAiCompatible' });
		expect(only(characters.nodes['Get Character'])).toEqual(made);
		expect(JSON.stringify([edited.nodes, characters.nodes])).not.toContain(KEY);
	}, 180_000);

	it('the example "extend a finished video" runs: one extension, waited for, the longer file stored exactly', async () => {
		const example = loadExample('extend-a-video');
		await n8n.importWorkflow(example);
		const { status, nodes } = await n8n.execute(example.id);
		expect(status).toBe('success');
		expect(sim.createJournal).toHaveLength(1);
		const [extension] = sim.createJournal;
		expect(extension).toMatchObject({ kind: 'extend', fields: { seconds: '8', video: { id: 'video_done' } }, outcome: 'created' });
		const taskId = String(extension.taskId);
		expect(only(nodes['Wait for the Longer Video'])).toMatchObject({ id: taskId, status: 'completed' });
		expect(storedBytes(nodes['Download Longer Video']).equals(contentBytes(taskId, 'video', VIDEO_BYTES))).toBe(true);
	}, 180_000);

	it('a gateway without the routes (new-api) gets a clear error from Extend, sent once', async () => {
		const { nodes } = await execute(
			chain('e2eLifeExtendNo1', [{ name: 'Extend', account: newApi, continueOnError: true, parameters: { operation: 'extend', taskId: 'video_soon', prompt: 'more', seconds: '4', options: {} } }]),
		);
		expect(errorOf(nodes, 'Extend')).toBe('OpenAI-Compatible Gateway has no endpoint that extends videos (HTTP 404 for POST /videos/extensions)');
		expect(sim.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
	}, 180_000);

	it('new-api: Create reads the wrapped answer; Delete, which new-api does not have, is an error and deletes nothing', async () => {
		const { nodes } = await execute(
			chain('e2eLifeNewApi001', [
				{ name: 'Create', account: newApi, parameters: { operation: 'create', model: { __rl: true, mode: 'id', value: 'veo-3' }, prompt: 'A hummingbird in slow motion', options: { extraFields: '{"metadata": {"resolution": "1080p"}}' } } },
				{ name: 'Delete', account: newApi, continueOnError: true, parameters: { operation: 'delete', taskId: 'video_delete_me', options: {} } },
			]),
		);
		const [record] = sim.createJournal;
		expect(String(record.taskId)).toMatch(/^task_/);
		expect(record.fields).toMatchObject({ model: 'veo-3', prompt: 'A hummingbird in slow motion' });
		expect(JSON.parse(String(record.fields.metadata))).toEqual({ resolution: '1080p' });
		expect(only(nodes.Create)).toMatchObject({ id: record.taskId, status: 'queued' });
		expect(errorOf(nodes, 'Delete')).toMatch(/404/);
		expect(sim.tasks.has('video_delete_me')).toBe(true);
	}, 180_000);

	it("a rejected create is an error with the provider's reason, sent once (no retry, nothing created)", async () => {
		for (const kind of ['moderation', 'quota', 'badSize', 'unknownModel', 'unknownModel', 'quota'] as const) sim.rejectNextCreates(kind);
		const create = (name: string, parameters: Record<string, unknown>, account = voidAi): NodeSpec => ({
			name,
			account,
			continueOnError: true,
			parameters: { operation: 'create', model: sora2, prompt: 'A city at night', options: { retries: 3, retryDelay: 100 }, ...parameters },
		});
		const { nodes } = await execute(
			chain('e2eLifeRejects01', [
				create('Moderation', {}),
				create('Quota', {}),
				create('Bad Size', { size: '999x999' }),
				create('Unknown Model', { model: { __rl: true, mode: 'id', value: 'sora-9' } }),
				create('No Channel (new-api)', { model: { __rl: true, mode: 'id', value: 'sora-9' } }, newApi),
				create('Quota (new-api)', {}, newApi),
			]),
		);
		expect(errorOf(nodes, 'Moderation')).toMatch(/moderation/i);
		expect(errorOf(nodes, 'Quota')).toMatch(/quota|balance/i);
		expect(errorOf(nodes, 'Bad Size')).toMatch(/"size"|999x999/);
		expect(errorOf(nodes, 'Unknown Model')).toMatch(/sora-9/);
		expect(errorOf(nodes, 'No Channel (new-api)')).toMatch(/sora-9/);
		expect(errorOf(nodes, 'Quota (new-api)')).toMatch(/quota|balance/i);
		expect(sim.createJournal.map((record) => [record.outcome, record.rejection])).toEqual([
			['rejected', 'moderation'],
			['rejected', 'quota'],
			['rejected', 'badSize'],
			['rejected', 'unknownModel'],
			['rejected', 'unknownModel'],
			['rejected', 'quota'],
		]);
		expect(createRequests()).toBe(6);
		expect(sim.createJournal.every((record) => record.taskId === null)).toBe(true);
		expect(JSON.stringify(nodes)).not.toContain(KEY);
	}, 180_000);

	it('a create whose answer is lost (connection reset, or silence past the Timeout) is never sent again; the error says a task may exist', async () => {
		sim.faultNextCreates('reset');
		sim.faultNextCreates('hang');
		const started = Date.now();
		const { nodes } = await execute(
			chain('e2eLifeLost00001', [
				{ name: 'Reset', continueOnError: true, parameters: { operation: 'create', model: sora2, prompt: 'Lost answer one', options: { retries: 3, retryDelay: 100 } } },
				{ name: 'Silent', continueOnError: true, parameters: { operation: 'generate', model: sora2, prompt: 'Lost answer two', variant: 'video', binaryPropertyName: 'data', options: { retries: 3, retryDelay: 100, timeout: 3, pollInterval: 1, maxWait: 1 } } },
			]),
		);
		expect(sim.createJournal.map((record) => [record.outcome, record.fault])).toEqual([
			['fault', 'reset'],
			['fault', 'hang'],
		]);
		expect(createRequests()).toBe(2);
		for (const record of sim.createJournal) expect(sim.tasks.has(String(record.taskId))).toBe(true);
		expect(errorOf(nodes, 'Reset')).toMatch(/may have created a task/i);
		expect(errorOf(nodes, 'Silent')).toMatch(/may have created a task/i);
		// The silent one was given up after the 3 s Timeout, not retried for long.
		expect(Date.now() - started).toBeLessThan(120_000);
	}, 180_000);

	it('the example "generate videos from prompts": its Sora Video part runs, one create per row, each file stored exactly', async () => {
		const example = loadExample('generate-to-drive-and-slack');
		await n8n.importWorkflow(example);
		const ours = ourPartOf(example, 'e2eLifeExample01', 'e2e generate example');
		expect(ours.nodes.map((node) => node.name)).toEqual(["When clicking 'Execute workflow'", 'Prompts', 'One Item per Prompt', 'Generate Video']);
		const { status, nodes } = await execute(ours);
		expect(status).toBe('success');
		const rows = (JSON.parse(String(example.nodes.find((node) => node.name === 'Prompts')?.parameters.jsonOutput)) as { rows: Array<Record<string, string>> }).rows;
		expect(sim.createJournal.map((record) => record.fields)).toEqual(rows.map((row) => ({ model: 'sora-2', prompt: row.prompt, size: row.size, seconds: row.seconds })));
		const generated = nodes['Generate Video'];
		expect(generated?.error).toBeUndefined();
		expect(generated?.items).toHaveLength(rows.length);
		sim.createJournal.forEach((record, index) => {
			expect(generated?.items[index].json).toMatchObject({ id: record.taskId, status: 'completed' });
			expect(storedBytes(generated, index).equals(contentBytes(String(record.taskId), 'video', VIDEO_BYTES))).toBe(true);
		});
	}, 300_000);
});

describe('under `n8n start`', () => {
	it('a running workflow creates a task; the Sora Video Trigger (All Tasks) fires once when it completes, with its file', async () => {
		sim.setCreateSettings({ durationMs: 6000, queuedMs: 1000 });
		const webhookPath = 'e2e-create-video';
		await n8n.importWorkflow(
			chain(
				'e2eLifeHook00001',
				[{ name: 'Create', parameters: { operation: 'create', model: sora2, prompt: '={{ $json.body.prompt }}', size: '720x1280', seconds: '4', options: {} } }],
				{ name: 'Webhook', type: 'n8n-nodes-base.webhook', parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', options: {} }, extra: { webhookId: randomUUID() } },
			),
		);
		await n8n.importWorkflow(ourPartOf(loadExample('archive-to-google-drive'), 'e2eLifeWatch0001', 'e2e lifecycle trigger'));
		await n8n.publish('e2eLifeHook00001');
		await n8n.publish('e2eLifeWatch0001');
		await n8n.startServer();
		const listPolls = () => sim.requests.filter((request) => request.method === 'GET' && request.path === '/voidai/v1/videos').length;
		// The activation poll takes the baseline (everything finished so far stays quiet).
		await waitFor(async () => (listPolls() >= 1 ? true : undefined), 'the activation poll', 60_000);

		const response = await fetch(`${n8n.baseUrl}/webhook/${webhookPath}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'A kite over the dunes' }) });
		expect(response.status).toBe(200);
		const created = (await response.json()) as Record<string, unknown>;
		expect(sim.createJournal).toHaveLength(1);
		const taskId = String(sim.createJournal[0].taskId);
		expect(created).toMatchObject({ id: taskId, status: 'queued', prompt: 'A kite over the dunes' });

		const finished = async (count: number) => {
			const runs = (await n8n.executions('e2eLifeWatch0001')).filter((run) => run.status !== 'new' && run.status !== 'running');
			return runs.length >= count ? runs : undefined;
		};
		const [fired] = await waitFor(async () => await finished(1), 'the trigger to fire', 150_000, 2000);
		const item = fired.nodes['Sora Video Trigger'].items;
		expect(item.map((entry) => [entry.json.id, entry.json.event])).toEqual([[taskId, 'completed']]);
		expect(readFileSync(n8n.binaryPath(String(item[0].binary?.data?.id))).equals(contentBytes(taskId, 'video', VIDEO_BYTES))).toBe(true);

		// One more poll after it fired: nothing fires twice.
		const polls = listPolls();
		await waitFor(async () => (listPolls() > polls ? true : undefined), 'another poll', 90_000, 2000);
		await new Promise((resolve) => setTimeout(resolve, 3000));
		await n8n.stopServer();
		expect(await n8n.executions('e2eLifeWatch0001')).toHaveLength(1);
		expect(sim.createJournal).toHaveLength(1);
	}, 600_000);
});
