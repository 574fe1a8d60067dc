/**
 * Extend, Edit, Create Character and Get Character in n8n's real engine against the simulator: what each sends
 * (JSON, or multipart with the video streamed from n8n's binary store, byte for byte), what it outputs, that a
 * request that may have reached the provider is never sent again, that a gateway without the route gets a clear
 * error, that named providers are refused before any request, and the usage figures a gateway adds to a task.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Dialect } from '../simulator/simulator';
import { ProviderSimulator } from '../simulator/simulator';
import { sha256 } from './harness/bytes';
import type { EngineRunResult } from './harness/engine';
import { createPoller, runNode, storeBinary, useBinaryMode } from './harness/engine';
import { fakeMp4 } from './harness/server';
import { KEY } from './harness/sora';

let sim: ProviderSimulator;

beforeAll(async () => {
	await useBinaryMode('filesystem');
});

beforeEach(async () => {
	sim = new ProviderSimulator({ apiKey: KEY });
	await sim.start();
});

afterEach(async () => {
	await sim.stop();
});

async function run(parameters: INodeParameters, options: { items?: INodeExecutionData[]; dialect?: Dialect; provider?: string; continueOnFail?: boolean } = {}): Promise<EngineRunResult> {
	const provider = options.provider ?? 'openAiCompatible';
	const credentialName = provider === 'openAiCompatible' ? 'openAiCompatibleVideoApi' : `${provider}Api`;
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider, ...parameters, options: { retryDelay: 1, ...(parameters.options as object | undefined) } },
		credentials: { [credentialName]: { apiKey: KEY, baseUrl: sim.baseUrl(options.dialect ?? 'openai'), headerName: 'Authorization', headerPrefix: 'Bearer ' } },
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
}

const description = (error: Error | undefined) => (error as { description?: string } | undefined)?.description ?? '';

/** An item whose binary field holds a video in n8n's store, as an upstream node leaves it. */
async function itemWithVideo(bytes: Buffer, field = 'data', mimeType = 'video/mp4', fileName = 'source.mp4'): Promise<INodeExecutionData> {
	return { json: {}, binary: { [field]: await storeBinary(bytes, fileName, mimeType) } };
}

describe('Extend', () => {
	it('sends {prompt, seconds, video: {id}} as JSON once, and outputs the new task (the stitched length)', async () => {
		sim.addTask({ id: 'video_done', seconds: '8' });
		const result = await run({ operation: 'extend', taskId: 'video_done', prompt: 'the camera flies on over the ridge', seconds: '4' });
		expect(result.error).toBeUndefined();
		expect(sim.createJournal).toHaveLength(1);
		expect(sim.createJournal[0]).toMatchObject({
			kind: 'extend',
			path: '/openai/v1/videos/extensions',
			bodyType: 'json',
			fields: { prompt: 'the camera flies on over the ridge', seconds: '4', video: { id: 'video_done' } },
			sourceId: 'video_done',
			outcome: 'created',
		});
		expect(result.items[0].json).toMatchObject({ id: sim.createJournal[0].taskId, status: 'queued', seconds: '12', extendedFromVideoId: 'video_done', provider: 'openAiCompatible' });
	});

	it('a lost answer is not sent again: the error says a task may exist and names the source', async () => {
		sim.addTask({ id: 'video_done' });
		sim.faultNextCreates('reset');
		const result = await run({ operation: 'extend', taskId: 'video_done', prompt: 'more', seconds: '8', options: { retries: 3 } });
		expect(result.error?.message).toMatch(/may have created a task: the extension request was sent/);
		expect(sim.createJournal).toHaveLength(1);
	});

	it.each<[string, INodeParameters, RegExp]>([
		['an empty prompt', { prompt: '  ' }, /^The prompt is empty$/],
		['no seconds (an expression that found nothing)', { seconds: '={{ "" }}' }, /^Seconds is empty$/],
		['an impossible task ID', { taskId: 'video/../x' }, /is not a valid Task ID/],
	])('%s is refused before any request', async (_name, extra, message) => {
		const result = await run({ operation: 'extend', taskId: 'video_done', prompt: 'more', seconds: '4', ...extra });
		expect(result.error?.message).toMatch(message);
		expect(sim.requests).toHaveLength(0);
	});
});

describe('Edit', () => {
	it('by task ID: JSON {prompt, video: {id}}', async () => {
		sim.addTask({ id: 'video_done' });
		const result = await run({ operation: 'edit', videoSource: 'taskId', taskId: 'video_done', prompt: 'make it snow' });
		expect(result.error).toBeUndefined();
		expect(sim.createJournal[0]).toMatchObject({ kind: 'edit', bodyType: 'json', fields: { prompt: 'make it snow', video: { id: 'video_done' } }, sourceId: 'video_done' });
		expect(result.items[0].json).toMatchObject({ id: sim.createJournal[0].taskId, editedFromVideoId: 'video_done' });
	});

	it('from a binary field: multipart, the video streamed byte for byte with its type and name', async () => {
		const video = fakeMp4(700_000);
		const result = await run({ operation: 'edit', videoSource: 'binaryField', videoField: 'clip', prompt: 'make it snow' }, { items: [await itemWithVideo(video, 'clip', 'video/mp4', 'my clip.mp4')] });
		expect(result.error).toBeUndefined();
		const [record] = sim.createJournal;
		expect(record).toMatchObject({ kind: 'edit', bodyType: 'multipart', fields: { prompt: 'make it snow' }, outcome: 'created' });
		expect(record.files).toEqual([{ field: 'video', filename: 'my clip.mp4', contentType: 'video/mp4', bytes: video.length, sha256: sha256(video), head: video.subarray(0, 16).toString('hex') }]);
		expect(result.items[0].json.id).toBe(record.taskId);
	});

	it('a file stored as application/octet-stream is sent as the video its bytes are; anything else is refused before any request', async () => {
		const video = fakeMp4(4096);
		const typed = await run({ operation: 'edit', videoSource: 'binaryField', videoField: 'data', prompt: 'x' }, { items: [await itemWithVideo(video, 'data', 'application/octet-stream', 'clip.bin')] });
		expect(typed.error).toBeUndefined();
		expect(sim.createJournal[0].files[0]).toMatchObject({ contentType: 'video/mp4', sha256: sha256(video) });
		const text = await run({ operation: 'edit', videoSource: 'binaryField', videoField: 'data', prompt: 'x' }, { items: [await itemWithVideo(Buffer.from('not a video at all'), 'data', 'text/plain', 'notes.txt')] });
		expect(text.error?.message).toBe('The file in binary field "data" is text/plain, not a video');
		expect(description(text.error)).toMatch(/Nothing was sent to the provider/);
		expect(sim.createJournal).toHaveLength(1);
	});
});

describe('Create Character and Get Character', () => {
	it('creates from a video (multipart: name and the streamed file), then reads it back', async () => {
		const video = fakeMp4(300_000);
		const created = await run({ operation: 'createCharacter', videoField: 'data', characterName: 'Mia' }, { items: [await itemWithVideo(video)] });
		expect(created.error).toBeUndefined();
		const [record] = sim.createJournal;
		expect(record).toMatchObject({ kind: 'character', bodyType: 'multipart', fields: { name: 'Mia' }, outcome: 'created' });
		expect(record.files).toEqual([expect.objectContaining({ field: 'video', filename: 'source.mp4', contentType: 'video/mp4', bytes: video.length, sha256: sha256(video) })]);
		const character = created.items[0].json;
		expect(character).toEqual({ id: expect.stringMatching(/^char_[0-9a-f]{24}$/), name: 'Mia', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), provider: 'openAiCompatible' });

		const read = await run({ operation: 'getCharacter', characterId: character.id as string });
		expect(read.error).toBeUndefined();
		expect(read.items[0].json).toEqual(character);
	});

	it('a lost answer is not sent again', async () => {
		sim.faultNextCreates('reset');
		const result = await run({ operation: 'createCharacter', videoField: 'data', characterName: 'Mia', options: { retries: 3 } }, { items: [await itemWithVideo(fakeMp4(2048))] });
		expect(result.error?.message).toMatch(/the character create request was sent/);
		expect(sim.createJournal).toHaveLength(1);
	});

	it.each<[string, INodeParameters, RegExp]>([
		['an empty name', { characterName: ' ' }, /^The character name is empty$/],
		['a name over 80 characters', { characterName: 'x'.repeat(81) }, /^The character name has 81 characters; at most 80 are allowed$/],
		['a missing binary field', { videoField: 'nothere' }, /nothere/],
	])('%s is refused before any request', async (_name, extra, message) => {
		const result = await run({ operation: 'createCharacter', videoField: 'data', characterName: 'Mia', ...extra }, { items: [await itemWithVideo(fakeMp4(2048))] });
		expect(result.error?.message).toMatch(message);
		expect(sim.requests).toHaveLength(0);
	});

	it.each<[string, string, RegExp]>([
		['that an expression left empty', '={{ "" }}', /^The Character ID is empty$/],
		['with a slash', 'char_1/../x', /^"char_1\/..\/x" is not a valid Character ID: it contains "\/"$/],
	])('Get Character with an ID %s is refused before any request', async (_name, characterId, message) => {
		const result = await run({ operation: 'getCharacter', characterId });
		expect(result.error?.message).toMatch(message);
		expect(sim.requests).toHaveLength(0);
	});

	it('an unknown character is the provider\'s not-found answer', async () => {
		const result = await run({ operation: 'getCharacter', characterId: 'char_missing' });
		expect(result.error?.message).toMatch(/not found|404/i);
	});
});

describe('where the routes are not served', () => {
	it.each<[string, INodeParameters, string]>([
		['Extend', { operation: 'extend', taskId: 'video_done', prompt: 'more', seconds: '4' }, 'extends videos (HTTP 404 for POST /videos/extensions)'],
		['Edit', { operation: 'edit', videoSource: 'taskId', taskId: 'video_done', prompt: 'snow' }, 'edits videos (HTTP 404 for POST /videos/edits)'],
		['Get Character', { operation: 'getCharacter', characterId: 'char_1' }, 'reads characters (HTTP 404 for GET /videos/characters/{id})'],
	])('%s on a gateway without the route: a clear error naming it (new-api)', async (_name, parameters, says) => {
		const result = await run(parameters, { dialect: 'newapi' });
		expect(result.error?.message).toBe(`OpenAI-Compatible Gateway has no endpoint that ${says}`);
	});

	it('Create Character on a gateway without the route, once', async () => {
		const result = await run({ operation: 'createCharacter', videoField: 'data', characterName: 'Mia' }, { dialect: 'newapi', items: [await itemWithVideo(fakeMp4(2048))] });
		expect(result.error?.message).toBe('OpenAI-Compatible Gateway has no endpoint that creates characters (HTTP 404 for POST /videos/characters)');
		expect(sim.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
	});

	it.each(['voidAi', 'opeAi', 'wisdomGate', 'ezModel'])('%s (no documentation of these routes) is refused before any request, naming who offers them', async (provider) => {
		const result = await run({ operation: 'extend', taskId: 'video_done', prompt: 'more', seconds: '4' }, { provider, dialect: 'voidai' });
		expect(result.error?.message).toMatch(/has no endpoint that extends videos$/);
		expect(description(result.error)).toMatch(/OpenAI-Compatible Gateway/);
		expect(sim.requests).toHaveLength(0);
	});
});

describe('usage', () => {
	it.each<[Dialect, string]>([
		['openai', 'openAiCompatible'],
		['newapi', 'openAiCompatible'],
	])('Get Status outputs the usage figures the %s dialect adds to a task', async (dialect, provider) => {
		sim.addTask({ id: 'task_used', usage: { completion_tokens: 5000, total_tokens: 5000 } });
		sim.addTask({ id: 'task_plain' });
		const items = [{ json: { id: 'task_used' } }, { json: { id: 'task_plain' } }];
		const result = await run({ operation: 'getStatus', taskId: '={{ $json.id }}' }, { dialect, provider, items });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.usage).toEqual({ completion_tokens: 5000, total_tokens: 5000 });
		expect(result.items[1].json).not.toHaveProperty('usage');
		expect(result.items[0].json.resultUrl).toBe(dialect === 'newapi' ? `${sim.url}/newapi/v1/videos/task_used/content` : null);
	});

	it.each<Dialect>(['openai', 'newapi'])('the trigger outputs them too (%s dialect, watching task IDs)', async (dialect) => {
		const now = Date.now() / 1000;
		sim.addTask({ id: 'task_used', startsAt: now - 1, finishesAt: now + 600, usage: { completion_tokens: 42, total_tokens: 42 } });
		const trigger = await createPoller({
			nodeType: 'soraVideoTrigger',
			parameters: { provider: 'openAiCompatible', watch: 'taskIds', taskIds: 'task_used', events: ['completed'], options: { retries: 0, retryDelay: 1 } },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: sim.baseUrl(dialect), headerName: 'Authorization', headerPrefix: 'Bearer ' } },
		});
		expect(await trigger.poll()).toBeNull();
		sim.setStatus('task_used', 'completed');
		const fired = await trigger.poll();
		expect(fired?.[0].map((item) => [item.json.id, item.json.usage])).toEqual([['task_used', { completion_tokens: 42, total_tokens: 42 }]]);
	});
});
