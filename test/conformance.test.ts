/**
 * Proof against OpenAI's published API, not against ourselves: every request the node sends, driven in n8n's real
 * engine, and every answer the simulator gives on the `/videos*` routes, validated against OpenAI's OpenAPI
 * document (test/fixtures/openai-videos.openapi.json; source and licence in test/fixtures/SOURCE.md).
 * Where a named gateway's dialect differs from the document, the difference is pinned here and listed in
 * docs/dialects-vs-openapi.md.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Dialect } from '../simulator/simulator';
import { ProviderSimulator } from '../simulator/simulator';
import { png } from './harness/bytes';
import type { EngineRunResult } from './harness/engine';
import { createPoller, runNode, storeBinary, useBinaryMode } from './harness/engine';
import type { Verdict } from './harness/openapi';
import { documentedOperations, parseMultipart, validateRequest, validateResponse } from './harness/openapi';
import type { Exchange, RecordingProxy } from './harness/recorder';
import { startRecordingProxy } from './harness/recorder';
import { fakeMp4 } from './harness/server';
import { KEY } from './harness/sora';

const json = { 'content-type': 'application/json' };
const form = (boundary = 'XyZ') => ({ 'content-type': `multipart/form-data; boundary=${boundary}` });

/** A multipart body as a careful client writes it; `files` are [name, fileName, type, bytes]. */
function multipart(fields: Array<[string, string]>, files: Array<[string, string, string, Buffer]> = [], boundary = 'XyZ'): Buffer {
	const parts: Buffer[] = fields.map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
	for (const [name, fileName, type, bytes] of files) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`), bytes, Buffer.from('\r\n'));
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return Buffer.concat(parts);
}

const completedVideo = {
	id: 'video_1',
	object: 'video',
	model: 'sora-2',
	status: 'completed',
	progress: 100,
	created_at: 1762499410,
	completed_at: 1762499500,
	expires_at: null,
	prompt: 'clouds',
	size: '1280x720',
	seconds: '8',
	remixed_from_video_id: null,
	error: null,
};

describe('the validator holds requests and answers to the document', () => {
	it('knows the document: nine operations on eight /videos paths', () => {
		expect(documentedOperations().map(({ method, template }) => `${method} ${template}`).sort()).toEqual([
			'DELETE /videos/{video_id}',
			'GET /videos',
			'GET /videos/characters/{character_id}',
			'GET /videos/{video_id}',
			'GET /videos/{video_id}/content',
			'POST /videos',
			'POST /videos/characters',
			'POST /videos/edits',
			'POST /videos/extensions',
			'POST /videos/{video_id}/remix',
		]);
	});

	it.each<[string, string, string, Record<string, string>, Buffer | string | undefined, string]>([
		['create, JSON', 'POST', '/videos', json, JSON.stringify({ model: 'sora-2', prompt: 'clouds', seconds: '8', size: '1280x720', input_reference: { image_url: 'https://example.com/a.png' } }), 'createVideo'],
		['create, multipart with a file', 'POST', '/videos', form(), multipart([['model', 'sora-2'], ['prompt', 'clouds']], [['input_reference', 'a.png', 'image/png', png(2, 2, () => 1)]]), 'createVideo'],
		['status', 'GET', '/videos/video_1', {}, undefined, 'GetVideo'],
		['content, thumbnail', 'GET', '/videos/video_1/content?variant=thumbnail', {}, undefined, 'RetrieveVideoContent'],
		['list, every query', 'GET', '/videos?limit=100&order=asc&after=video_9', {}, undefined, 'ListVideos'],
		['remix', 'POST', '/videos/video_1/remix', json, '{"prompt":"at night"}', 'CreateVideoRemix'],
		['delete', 'DELETE', '/videos/video_1', {}, undefined, 'DeleteVideo'],
		['extend, JSON', 'POST', '/videos/extensions', json, JSON.stringify({ prompt: 'more', seconds: '4', video: { id: 'video_1' } }), 'CreateVideoExtend'],
		['edit, multipart with the video as a file', 'POST', '/videos/edits', form(), multipart([['prompt', 'greener']], [['video', 'v.mp4', 'video/mp4', Buffer.alloc(32, 1)]]), 'CreateVideoEdit'],
		['edit, multipart with the video by ID (JSON in a field)', 'POST', '/videos/edits', form(), multipart([['prompt', 'greener'], ['video', '{"id":"video_1"}']]), 'CreateVideoEdit'],
		['create character', 'POST', '/videos/characters', form(), multipart([['name', 'Mia']], [['video', 'mia.mp4', 'video/mp4', Buffer.alloc(32, 1)]]), 'CreateVideoCharacter'],
		['get character', 'GET', '/videos/characters/char_1', {}, undefined, 'GetVideoCharacter'],
	])('accepts a well-formed request: %s', (_name, method, path, headers, body, operationId) => {
		expect(validateRequest(method, path, headers, body)).toEqual({ operationId, errors: [], valid: true });
	});

	it.each<[string, string, string, Record<string, string>, Buffer | string | undefined, RegExp]>([
		['a path the document does not have', 'GET', '/video/video_1', {}, undefined, /no path of the document matches \/video\/video_1/],
		['a method the path does not take', 'DELETE', '/videos/characters/char_1', {}, undefined, /DELETE \/videos\/characters\/\{character_id\} is not in the document/],
		['a create without its prompt', 'POST', '/videos', json, '{"model":"sora-2"}', /body must have required property 'prompt'/],
		['an empty prompt', 'POST', '/videos', json, '{"prompt":""}', /body\/prompt must NOT have fewer than 1 characters/],
		['seconds as a number', 'POST', '/videos', json, '{"prompt":"x","seconds":8}', /body\/seconds must be string/],
		['seconds outside the list', 'POST', '/videos', json, '{"prompt":"x","seconds":"10"}', /body\/seconds must be equal to one of the allowed values \("4", "8", "12"\)/],
		['a size outside the list', 'POST', '/videos', json, '{"prompt":"x","size":"1920x1080"}', /body\/size must be equal to one of the allowed values/],
		['an image URL that is no URI', 'POST', '/videos', json, '{"prompt":"x","input_reference":{"image_url":"not a url"}}', /body\/input_reference\/image_url must match format "uri"/],
		['a file reference in a JSON create', 'POST', '/videos', json, '{"prompt":"x","input_reference":"a.png"}', /body\/input_reference must be object/],
		['a body type the operation does not take', 'POST', '/videos', { 'content-type': 'application/x-www-form-urlencoded' }, 'prompt=x', /Content-Type "application\/x-www-form-urlencoded" is not one of the document's/],
		['a JSON body that does not parse', 'POST', '/videos', json, '{"prompt":', /the JSON body does not parse/],
		['a body on a GET', 'GET', '/videos/video_1', json, '{}', /GET \/videos\/\{video_id\} takes no body/],
		['a variant the document does not list', 'GET', '/videos/video_1/content?variant=poster', {}, undefined, /query parameter variant must be equal to one of the allowed values \("video", "thumbnail", "spritesheet"\)/],
		['a query parameter the document does not have', 'GET', '/videos/video_1/content?format=mp4', {}, undefined, /query parameter format is not in the document/],
		['a list limit over 100', 'GET', '/videos?limit=101', {}, undefined, /query parameter limit must be <= 100/],
		['a list order the document does not list', 'GET', '/videos?order=newest', {}, undefined, /query parameter order must be equal to one of the allowed values/],
		['a query parameter sent twice', 'GET', '/videos?after=a&after=b', {}, undefined, /query parameter after is sent 2 times/],
		['a remix without its prompt', 'POST', '/videos/video_1/remix', json, '{}', /body must have required property 'prompt'/],
		['an extension without seconds', 'POST', '/videos/extensions', json, '{"prompt":"x","video":{"id":"video_1"}}', /body must have required property 'seconds'/],
		['an extension naming its video without an ID', 'POST', '/videos/extensions', json, '{"prompt":"x","seconds":"4","video":{}}', /body\/video must have required property 'id'/],
		['a multipart body without its closing delimiter', 'POST', '/videos', form(), multipart([['prompt', 'x']]).subarray(0, -8), /the multipart body is malformed: a part is not closed by the boundary/],
		['a multipart body under another boundary', 'POST', '/videos', form('Other'), multipart([['prompt', 'x']]), /the multipart body is malformed: the body does not start with the boundary/],
		['a multipart part without a name', 'POST', '/videos', form(), Buffer.from('--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--\r\n'), /a part has no name/],
		['a prompt sent as a file', 'POST', '/videos', form(), multipart([], [['prompt', 'p.txt', 'text/plain', Buffer.from('clouds')]]), /multipart field prompt is sent as a file, but the document has it as text/],
		['a character video sent as text', 'POST', '/videos/characters', form(), multipart([['name', 'Mia'], ['video', 'video_1']]), /multipart field video is sent as text, but the document has it as a file/],
		['a character without its name', 'POST', '/videos/characters', form(), multipart([], [['video', 'v.mp4', 'video/mp4', Buffer.alloc(8)]]), /body must have required property 'name'/],
		['a field sent twice', 'POST', '/videos', form(), multipart([['prompt', 'a'], ['prompt', 'b']]), /body\/prompt must be string/],
	])('refuses %s', (_name, method, path, headers, body, reason) => {
		const verdict = validateRequest(method, path, headers, body);
		expect(verdict.valid).toBe(false);
		expect(verdict.errors.join('\n')).toMatch(reason);
	});

	it('accepts a documented answer, and names what breaks one', () => {
		expect(validateResponse('GET', '/videos/video_1', 200, completedVideo).errors).toEqual([]);
		expect(validateResponse('GET', '/videos/video_1/content', 200, Buffer.alloc(16), 'video/mp4').errors).toEqual([]);
		expect(validateResponse('DELETE', '/videos/video_1', 200, { id: 'video_1', object: 'video.deleted', deleted: true }).errors).toEqual([]);
		const { progress: _progress, ...withoutProgress } = completedVideo;
		expect(validateResponse('GET', '/videos/video_1', 200, withoutProgress).errors).toEqual(["body must have required property 'progress'"]);
		expect(validateResponse('GET', '/videos/video_1', 200, { ...completedVideo, status: 'SUCCESS' }).errors).toEqual([
			'body/status must be equal to one of the allowed values ("queued", "in_progress", "completed", "failed")',
		]);
		expect(validateResponse('GET', '/videos/video_1', 200, { ...completedVideo, created_at: 1.5 }).errors).toEqual(['body/created_at must be integer', 'body/created_at must match format "unixtime"']);
		expect(validateResponse('GET', '/videos/video_1', 404, { error: { message: 'Video not found' } }).errors).toEqual(['status 404 is not documented (200)']);
		expect(validateResponse('GET', '/videos/video_1/content', 200, Buffer.alloc(16), 'binary/octet-stream').errors).toEqual([
			'Content-Type "binary/octet-stream" is not one of the document\'s (video/mp4, image/webp, application/json)',
		]);
	});

	it('reads a multipart body strictly, parts and files as sent', () => {
		const image = png(2, 2, () => 9);
		const parts = parseMultipart(multipart([['prompt', 'clouds']], [['input_reference', 'a.png', 'image/png', image]]), 'multipart/form-data; boundary=XyZ');
		expect(parts.map(({ name, fileName, contentType }) => ({ name, fileName, contentType }))).toEqual([
			{ name: 'prompt', fileName: null, contentType: null },
			{ name: 'input_reference', fileName: 'a.png', contentType: 'image/png' },
		]);
		expect(parts[1].data.equals(image)).toBe(true);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// The node, in n8n's real engine, against the simulator's OpenAI dialect through a recording proxy.

let sim: ProviderSimulator;
let proxy: RecordingProxy;
/** Every exchange of the whole file, for the coverage check at the end. */
const everyExchange: Exchange[] = [];

beforeAll(async () => {
	await useBinaryMode('filesystem');
});

beforeEach(async () => {
	sim = new ProviderSimulator({ apiKey: KEY });
	await sim.start();
	sim.setCreateSettings({ durationMs: 300, queuedMs: 100 });
	proxy = await startRecordingProxy(sim.url);
});

afterEach(async () => {
	everyExchange.push(...proxy.exchanges);
	await proxy.close();
	await sim.stop();
});

const ROOT = '/openai/v1';

function relative(url: string): string {
	if (!url.startsWith(ROOT)) throw new Error(`not under the API root: ${url}`);
	return url.slice(ROOT.length);
}

async function runOperation(parameters: INodeParameters, items?: INodeExecutionData[]): Promise<EngineRunResult> {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', ...parameters },
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: `${proxy.origin}${ROOT}`, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
		items,
	});
}

/**
 * A gap in the document, not a fault of ours: it lists video/mp4, image/webp and JSON for the content route, while
 * OpenAI's own guide saves the spritesheet as a JPEG (`--output spritesheet.jpg`), which the simulator serves.
 */
const SPRITESHEET_JPEG = 'Content-Type "image/jpeg" is not one of the document\'s (video/mp4, image/webp, application/json)';

interface Checked {
	request: string;
	operationId: string | null;
	requestErrors: string[];
	responseErrors: string[];
}

/** Each exchange of the run, its request and its (2xx) answer held to the document. */
function checkExchanges(exchanges: Exchange[]): Checked[] {
	return exchanges.map((exchange) => {
		const path = relative(exchange.url);
		const request: Verdict = validateRequest(exchange.method, path, exchange.headers, exchange.body);
		const response = exchange.response;
		const answer: Verdict | null =
			response && response.status >= 200 && response.status < 300
				? validateResponse(exchange.method, path, response.status, response.body.length > 0 ? response.body : Buffer.alloc(response.bytes), response.contentType)
				: null;
		const spritesheet = new URL(path, 'http://api.test').searchParams.get('variant') === 'spritesheet';
		const responseErrors = (answer?.errors ?? []).filter((error) => !(spritesheet && error === SPRITESHEET_JPEG));
		return { request: `${exchange.method} ${path}`, operationId: request.operationId, requestErrors: request.errors, responseErrors };
	});
}

function expectConforming(result: EngineRunResult, operationIds: string[]): Checked[] {
	expect(result.error).toBeUndefined();
	const checked = checkExchanges(proxy.exchanges);
	expect(checked.filter((entry) => entry.requestErrors.length > 0 || entry.responseErrors.length > 0)).toEqual([]);
	expect([...new Set(checked.map((entry) => entry.operationId))].sort()).toEqual([...operationIds].sort());
	return checked;
}

const model = { __rl: true, mode: 'id', value: 'sora-2' };
const fast = { retryDelay: 1 };

async function itemWithImage(): Promise<INodeExecutionData> {
	const image = png(16, 16, (i, y) => (i * 7 + y) & 0xff);
	return { json: {}, binary: { image: await storeBinary(image, 'first-frame.png', 'image/png') } };
}

function completedTask(id = 'video_done'): string {
	sim.addTask({ id, prompt: 'a lighthouse at dusk', size: '1280x720', seconds: '8' });
	return id;
}

describe('every request the node sends conforms to the document (and so does the simulator\'s OpenAI dialect)', () => {
	it.each<[string, INodeParameters]>([
		['model and prompt only (multipart)', {}],
		['with seconds and size', { seconds: '12', size: '1792x1024' }],
		['with Extra Fields', { options: { ...fast, extraFields: '{"metadata": {"duration": 6}, "user": "n8n"}' } }],
		['with a reference image URL (JSON)', { options: { ...fast, referenceImageUrl: 'https://example.com/first-frame.png' } }],
		['with a reference image URL (JSON), seconds and size', { seconds: '4', size: '720x1280', options: { ...fast, referenceImageUrl: 'https://example.com/first-frame.png' } }],
	])('Create %s', async (_name, extra) => {
		const result = await runOperation({ operation: 'create', model, prompt: 'clouds over the sea', options: fast, ...extra });
		const [create] = expectConforming(result, ['createVideo']);
		expect(create.request).toBe('POST /videos');
	});

	it('Create with a reference image from a binary field (multipart, streamed file part)', async () => {
		const result = await runOperation({ operation: 'create', model, prompt: 'clouds', seconds: '8', size: '1280x720', options: { ...fast, referenceImageField: 'image' } }, [await itemWithImage()]);
		expectConforming(result, ['createVideo']);
		const [exchange] = proxy.exchanges;
		const parts = parseMultipart(exchange.body, String(exchange.headers['content-type']));
		expect(parts.find((part) => part.name === 'input_reference')).toMatchObject({ fileName: 'first-frame.png', contentType: 'image/png' });
	});

	it.each(['video', 'thumbnail', 'spritesheet'])('Generate, downloading the %s variant: create, status polls, content', async (variant) => {
		const result = await runOperation(
			{ operation: 'generate', model, prompt: 'clouds', variant, binaryPropertyName: 'data', options: { ...fast, pollInterval: 1 } },
			[await itemWithImage()],
		);
		const checked = expectConforming(result, ['createVideo', 'GetVideo', 'RetrieveVideoContent']);
		expect(checked.filter((entry) => entry.operationId === 'RetrieveVideoContent').map((entry) => entry.request)).toEqual([
			expect.stringMatching(new RegExp(`^GET /videos/video_[0-9a-f]+/content\\?variant=${variant}$`)),
		]);
	});

	it('Generate with a reference image and Also Download', async () => {
		const result = await runOperation(
			{ operation: 'generate', model, prompt: 'clouds', variant: 'video', binaryPropertyName: 'data', options: { ...fast, pollInterval: 1, referenceImageField: 'image', alsoDownload: ['thumbnail', 'spritesheet'] } },
			[await itemWithImage()],
		);
		const checked = expectConforming(result, ['createVideo', 'GetVideo', 'RetrieveVideoContent']);
		expect(checked.filter((entry) => entry.operationId === 'RetrieveVideoContent')).toHaveLength(3);
	});

	it('Remix', async () => {
		const result = await runOperation({ operation: 'remix', taskId: completedTask(), prompt: 'the same, at night', options: fast });
		expect(expectConforming(result, ['CreateVideoRemix']).map((entry) => entry.request)).toEqual(['POST /videos/video_done/remix']);
	});

	it('Get Status: queued, in progress, completed and failed tasks', async () => {
		const now = Date.now() / 1000;
		sim.addTask({ id: 'video_q', startsAt: now + 60, finishesAt: now + 120 });
		sim.addTask({ id: 'video_r', startsAt: now - 1, finishesAt: now + 120 });
		sim.addTask({ id: 'video_c', expiresAt: Math.floor(now) + 3600 });
		sim.addTask({ id: 'video_f', outcome: 'failed' });
		const items = ['video_q', 'video_r', 'video_c', 'video_f'].map((taskId) => ({ json: { taskId } }));
		const result = await runOperation({ operation: 'getStatus', taskId: '={{ $json.taskId }}', options: fast }, items);
		expect(expectConforming(result, ['GetVideo'])).toHaveLength(4);
		expect(result.items.map((item) => item.json.status)).toEqual(['queued', 'in_progress', 'completed', 'failed']);
	});

	it.each(['video', 'thumbnail', 'spritesheet'])('Download Content, the %s variant', async (variant) => {
		const result = await runOperation({ operation: 'downloadContent', taskId: completedTask(), variant, binaryPropertyName: 'data', options: fast });
		expect(expectConforming(result, ['RetrieveVideoContent']).map((entry) => entry.request)).toEqual([`GET /videos/video_done/content?variant=${variant}`]);
	});

	it('Download Content with Wait For Completion and Also Download', async () => {
		const result = await runOperation({
			operation: 'downloadContent',
			taskId: completedTask(),
			variant: 'video',
			binaryPropertyName: 'data',
			options: { ...fast, waitForCompletion: true, pollInterval: 1, alsoDownload: ['thumbnail', 'spritesheet'] },
		});
		expect(expectConforming(result, ['GetVideo', 'RetrieveVideoContent']).map((entry) => entry.request)).toEqual([
			'GET /videos/video_done',
			'GET /videos/video_done/content?variant=video',
			'GET /videos/video_done/content?variant=thumbnail',
			'GET /videos/video_done/content?variant=spritesheet',
		]);
	});

	it.each<[string, INodeParameters]>([
		['a limit', { returnAll: false, limit: 3 }],
		['a limit, oldest first', { returnAll: false, limit: 3, options: { ...fast, order: 'asc' } }],
		['Return All across pages (after)', { returnAll: true }],
		['a limit across pages (after, limit), newest first', { returnAll: false, limit: 130, options: { ...fast, order: 'desc' } }],
	])('List with %s', async (_name, extra) => {
		for (let index = 0; index < 150; index++) sim.addTask({ id: `video_${String(index).padStart(3, '0')}` });
		const result = await runOperation({ operation: 'list', options: fast, ...extra });
		const checked = expectConforming(result, ['ListVideos']);
		if (extra.returnAll || Number(extra.limit) > 100) expect(checked.map((entry) => entry.request)[1]).toMatch(/[?&]after=video_\d{3}/);
	});

	it('Delete', async () => {
		const result = await runOperation({ operation: 'delete', taskId: completedTask(), options: fast });
		expect(expectConforming(result, ['DeleteVideo']).map((entry) => entry.request)).toEqual(['DELETE /videos/video_done']);
	});

	it.each(['4', '8', '12'])('Extend, %s seconds', async (seconds) => {
		const result = await runOperation({ operation: 'extend', taskId: completedTask(), prompt: 'the camera rises', seconds, options: fast });
		expect(expectConforming(result, ['CreateVideoExtend']).map((entry) => entry.request)).toEqual(['POST /videos/extensions']);
	});

	it('Edit by task ID (JSON)', async () => {
		const result = await runOperation({ operation: 'edit', videoSource: 'taskId', taskId: completedTask(), prompt: 'make it snow', options: fast });
		expectConforming(result, ['CreateVideoEdit']);
	});

	it('Edit from a binary field (multipart, the video as a file part)', async () => {
		const item: INodeExecutionData = { json: {}, binary: { clip: await storeBinary(fakeMp4(40_000), 'clip.mp4', 'video/mp4') } };
		const result = await runOperation({ operation: 'edit', videoSource: 'binaryField', videoField: 'clip', prompt: 'make it snow', options: fast }, [item]);
		expectConforming(result, ['CreateVideoEdit']);
		const parts = parseMultipart(proxy.exchanges[0].body, String(proxy.exchanges[0].headers['content-type']));
		expect(parts.map((part) => [part.name, part.fileName])).toEqual([['prompt', null], ['video', 'clip.mp4']]);
	});

	it('Create Character, then Get Character', async () => {
		const item: INodeExecutionData = { json: {}, binary: { data: await storeBinary(fakeMp4(40_000), 'mia.mp4', 'video/mp4') } };
		const created = await runOperation({ operation: 'createCharacter', videoField: 'data', characterName: 'Mia', options: fast }, [item]);
		expectConforming(created, ['CreateVideoCharacter']);
		everyExchange.push(...proxy.exchanges.splice(0));
		const read = await runOperation({ operation: 'getCharacter', characterId: created.items[0].json.id as string, options: fast });
		expectConforming(read, ['GetVideoCharacter']);
	});
});

describe('every request the trigger sends conforms to the document', () => {
	async function trigger(parameters: INodeParameters) {
		return await createPoller({
			nodeType: 'soraVideoTrigger',
			parameters: { provider: 'openAiCompatible', events: ['completed', 'failed'], options: { retries: 0, retryDelay: 1 }, ...parameters },
			credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: `${proxy.origin}${ROOT}`, headerName: 'Authorization', headerPrefix: 'Bearer ' } },
		});
	}

	it('watching task IDs, downloading each variant', async () => {
		const now = Date.now() / 1000;
		sim.addTask({ id: 'video_a', startsAt: now - 1, finishesAt: now + 600 });
		sim.addTask({ id: 'video_b', startsAt: now - 1, finishesAt: now + 600 });
		sim.addTask({ id: 'video_c', startsAt: now - 1, finishesAt: now + 600 });
		const polls = await Promise.all(
			(['video', 'thumbnail', 'spritesheet'] as const).map(async (variant, index) => {
				const t = await trigger({ watch: 'taskIds', taskIds: `video_${'abc'[index]}`, download: true, variant, binaryPropertyName: 'data' });
				expect(await t.poll()).toBeNull();
				return t;
			}),
		);
		for (const id of ['video_a', 'video_b', 'video_c']) sim.setStatus(id, 'completed');
		for (const t of polls) expect((await t.poll())?.[0]).toHaveLength(1);
		const checked = checkExchanges(proxy.exchanges);
		expect(checked.filter((entry) => entry.requestErrors.length > 0 || entry.responseErrors.length > 0)).toEqual([]);
		expect(checked.filter((entry) => entry.operationId === 'RetrieveVideoContent').map((entry) => entry.request).sort()).toEqual([
			'GET /videos/video_a/content?variant=video',
			'GET /videos/video_b/content?variant=thumbnail',
			'GET /videos/video_c/content?variant=spritesheet',
		]);
	});

	it('watching all tasks: list pages (limit, order, after) and status requests', async () => {
		for (let index = 0; index < 250; index++) {
			sim.addTask({ id: `video_${String(index).padStart(4, '0')}`, createdAt: 1_700_000_000 + index, forced: index < 200 ? 'completed' : 'in_progress' });
		}
		const t = await trigger({ watch: 'all' });
		expect(await t.poll()).toBeNull();
		sim.setStatus('video_0210', 'completed');
		expect((await t.poll())?.[0].map((item) => item.json.id)).toEqual(['video_0210']);
		const checked = checkExchanges(proxy.exchanges);
		expect(checked.filter((entry) => entry.requestErrors.length > 0 || entry.responseErrors.length > 0)).toEqual([]);
		expect(checked.map((entry) => entry.request)).toContain('GET /videos?limit=100&after=video_0150&order=desc');
	});
});

describe('values the node offers beyond the document, for gateways that take them', () => {
	// Seconds 5 and 10 and size 1920x1080 are in the node's lists because gateways take them (VoidAI: 10 s, 1920x1080);
	// OpenAI's document lists 4, 8, 12 and four sizes. They are sent only when chosen: pinned here, listed in docs/.
	it('Seconds 5 or 10 and Size 1920x1080 break the document, and nothing else does', async () => {
		const seen: string[] = [];
		for (const extra of [{ seconds: '5' }, { seconds: '10' }, { size: '1920x1080' }]) {
			const result = await runOperation({ operation: 'create', model, prompt: 'clouds', options: fast, ...extra });
			expect(result.error).toBeUndefined();
			seen.push(...checkExchanges(proxy.exchanges.splice(0)).flatMap((entry) => [...entry.requestErrors, ...entry.responseErrors]));
		}
		expect(seen).toEqual([
			'body/seconds must be equal to one of the allowed values ("4", "8", "12")',
			'body/seconds must be equal to one of the allowed values ("4", "8", "12")',
			'body/size must be equal to one of the allowed values ("720x1280", "1280x720", "1024x1792", "1792x1024")',
			// The simulator answers with the size it was asked for: its answer breaks the document the same way.
			'body/size must be equal to one of the allowed values ("720x1280", "1280x720", "1024x1792", "1792x1024")',
		]);
	});

	it("Extend's 16 and 20 seconds (OpenAI's guide and the schema's own text name them; its list does not)", async () => {
		const seen: string[] = [];
		for (const seconds of ['16', '20']) {
			const result = await runOperation({ operation: 'extend', taskId: completedTask(), prompt: 'on and on', seconds, options: fast });
			expect(result.error).toBeUndefined();
			seen.push(...checkExchanges(proxy.exchanges.splice(0)).flatMap((entry) => [...entry.requestErrors, ...entry.responseErrors]));
		}
		expect(seen).toEqual(['body/seconds must be equal to one of the allowed values ("4", "8", "12")', 'body/seconds must be equal to one of the allowed values ("4", "8", "12")']);
	});

	it.each<[string, INodeParameters, string[]]>([
		['multipart, a size by Extra Fields', { extraFields: '{"size": "big"}' }, ['body/size must be equal to one of the allowed values ("720x1280", "1280x720", "1024x1792", "1792x1024")']],
		['JSON, seconds as a number by Extra Fields', { referenceImageUrl: 'https://example.com/a.png', extraFields: '{"seconds": 8}' }, ['body/seconds must be string', 'body/seconds must be equal to one of the allowed values ("4", "8", "12")']],
	])('a request that breaks the document fails the check (a deliberately broken create: %s)', async (_name, options, errors) => {
		sim.setCreateSettings({});
		const result = await runOperation({ operation: 'create', model, prompt: 'clouds', options: { ...fast, ...options } });
		const [create] = checkExchanges(proxy.exchanges);
		expect(create.requestErrors).toEqual(errors);
		expect(() => expectConforming(result, ['createVideo'])).toThrow();
	});
});

// ---------------------------------------------------------------------------------------------------------------
// Every answer the simulator gives on these routes, per dialect: OpenAI's (and the gateways that speak it) must
// match the document; where a named gateway's own words differ, the difference is pinned and documented.

/** One pass over every route the simulator serves, as a client would call them, with each answer checked. */
async function everyAnswer(dialect: Dialect): Promise<Record<string, string[]>> {
	const base = sim.baseUrl(dialect);
	const auth = { Authorization: `Bearer ${KEY}` };
	const out: Record<string, string[]> = {};
	const check = async (name: string, method: string, path: string, init: RequestInit = {}): Promise<Response> => {
		const response = await fetch(`${base}${path}`, { method, ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
		const contentType = response.headers.get('content-type') ?? undefined;
		const body = Buffer.from(await response.arrayBuffer());
		const isJson = /json/i.test(contentType ?? '');
		const verdict = validateResponse(method, path, response.status, isJson ? body.toString('utf8') : body, contentType);
		out[name] = verdict.errors;
		return new Response(isJson ? body : null, { status: response.status });
	};
	const now = Date.now() / 1000;
	sim.addTask({ id: 'video_queued', startsAt: now + 60, finishesAt: now + 120 });
	sim.addTask({ id: 'video_running', startsAt: now - 1, finishesAt: now + 120 });
	sim.addTask({ id: 'video_done', expiresAt: Math.floor(now) + 3600 });
	sim.addTask({ id: 'video_failed', outcome: 'failed' });
	const created = await check('create (multipart)', 'POST', '/videos', { body: (() => {
		const data = new FormData();
		data.append('model', 'sora-2');
		data.append('prompt', 'clouds');
		data.append('seconds', '8');
		data.append('size', '1280x720');
		data.append('input_reference', new Blob([png(4, 4, () => 3)], { type: 'image/png' }), 'a.png');
		return data;
	})() });
	expect(created.status).toBe(200);
	const createdJson = await check('create (JSON)', 'POST', '/videos', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'sora-2', prompt: 'clouds', input_reference: { image_url: 'https://example.com/a.png' } }) });
	expect(createdJson.status).toBe(200);
	for (const id of ['video_queued', 'video_running', 'video_done', 'video_failed']) await check(`status ${id.slice(6)}`, 'GET', `/videos/${id}`);
	for (const variant of ['video', 'thumbnail', 'spritesheet']) {
		const answer = await check(`content ${variant}`, 'GET', `/videos/video_done/content?variant=${variant}`);
		if (answer.status !== 200) out[`content ${variant}`] = [`answered ${answer.status}`];
	}
	const list = await check('list', 'GET', '/videos?limit=2&order=asc');
	if (list.status !== 200) out.list = [`answered ${list.status}`];
	const remix = await check('remix', 'POST', '/videos/video_done/remix', { headers: { 'Content-Type': 'application/json' }, body: '{"prompt":"at night"}' });
	if (remix.status !== 200) out.remix = [`answered ${remix.status}`];
	const removed = await check('delete', 'DELETE', '/videos/video_failed');
	if (removed.status !== 200) out.delete = [`answered ${removed.status}`];
	const extended = await check('extend', 'POST', '/videos/extensions', { headers: { 'Content-Type': 'application/json' }, body: '{"prompt":"more","seconds":"4","video":{"id":"video_done"}}' });
	if (extended.status !== 200) out.extend = [`answered ${extended.status}`];
	const edited = await check('edit', 'POST', '/videos/edits', { body: (() => {
		const data = new FormData();
		data.append('prompt', 'snow');
		data.append('video', new Blob([fakeMp4(2048)], { type: 'video/mp4' }), 'clip.mp4');
		return data;
	})() });
	if (edited.status !== 200) out.edit = [`answered ${edited.status}`];
	const character = await check('create character', 'POST', '/videos/characters', { body: (() => {
		const data = new FormData();
		data.append('name', 'Mia');
		data.append('video', new Blob([fakeMp4(2048)], { type: 'video/mp4' }), 'mia.mp4');
		return data;
	})() });
	if (character.status !== 200) out['create character'] = [`answered ${character.status}`];
	const characterId = character.status === 200 ? String(((await character.json()) as { id: string }).id) : 'char_none';
	const read = await check('get character', 'GET', `/videos/characters/${characterId}`);
	if (read.status !== 200) out['get character'] = [`answered ${read.status}`];
	return out;
}

/** What the OpenAI dialect answers: the document's shapes, but for the spritesheet's JPEG type (see SPRITESHEET_JPEG). */
const OPENAI_ANSWERS = {
	'create (multipart)': [],
	'create (JSON)': [],
	'status queued': [],
	'status running': [],
	'status done': [],
	'status failed': [],
	'content video': [],
	'content thumbnail': [],
	'content spritesheet': [SPRITESHEET_JPEG],
	list: [],
	remix: [],
	delete: [],
	extend: [],
	edit: [],
	'create character': [],
	'get character': [],
};

describe("every answer the simulator gives on the document's routes", () => {
	it("the OpenAI dialect (the default, for the OpenAI-compatible credential) matches the document everywhere", async () => {
		expect(await everyAnswer('openai')).toEqual(OPENAI_ANSWERS);
	});

	it('VoidAI speaks the document too (it has no extensions, edits or characters)', async () => {
		expect(await everyAnswer('voidai')).toEqual({ ...OPENAI_ANSWERS, ...NO_DERIVED });
	});
});

const TASK_ANSWERS = ['create (multipart)', 'create (JSON)', 'status queued', 'status running', 'status done', 'status failed', 'remix'];

/** The OpenAI dialect's answers with a dialect's differences over them: `task` for every answer that is a video job. */
function answersWith(task: string[], differences: Partial<Record<keyof typeof OPENAI_ANSWERS, string[]>>): Record<string, string[]> {
	return { ...OPENAI_ANSWERS, ...Object.fromEntries(TASK_ANSWERS.map((name) => [name, task])), ...differences };
}

/** Routes a gateway does not serve (the node does not offer them for it): an error answer, not a different shape. */
const NO_VARIANTS = { 'content thumbnail': ['answered 400'], 'content spritesheet': ['answered 400'] };
const NO_LIST = { list: ['answered 404'] };
/** Extensions, edits and characters: served by the OpenAI dialect only (OpenAI's document, LiteLLM's proxy). */
const NO_DERIVED = { extend: ['answered 404'], edit: ['answered 404'], 'create character': ['answered 404'], 'get character': ['answered 404'] };

/** OpeAI's job object (seed 002): new-api's raw status words, and no progress, times, seconds, remix source or error. */
const OPEAI_TASK = [
	"body must have required property 'progress'",
	"body must have required property 'completed_at'",
	"body must have required property 'expires_at'",
	"body must have required property 'seconds'",
	"body must have required property 'remixed_from_video_id'",
	"body must have required property 'error'",
	'body/status must be equal to one of the allowed values ("queued", "in_progress", "completed", "failed")',
];

/** new-api's generic task envelope `{code, message, data: {task_id, status, progress: "45%", url, ...}}`: nothing of the job at the top. */
const NEWAPI_TASK = ['id', 'object', 'model', 'status', 'progress', 'created_at', 'completed_at', 'expires_at', 'prompt', 'size', 'seconds', 'remixed_from_video_id', 'error'].map(
	(name) => `body must have required property '${name}'`,
);

describe("where a named gateway's dialect differs from the document (docs/dialects-vs-openapi.md)", () => {
	it.each<[Dialect, Record<string, string[]>]>([
		['opeai', answersWith(OPEAI_TASK, { ...NO_VARIANTS, ...NO_LIST, ...NO_DERIVED })],
		['wisdomgate', answersWith([], { ...NO_VARIANTS, ...NO_LIST, ...NO_DERIVED })],
		['ezmodel', answersWith([], { ...NO_VARIANTS, ...NO_LIST, ...NO_DERIVED })],
		[
			'newapi',
			answersWith(NEWAPI_TASK, {
				...NO_VARIANTS,
				...NO_LIST,
				...NO_DERIVED,
				'content video': ['Content-Type "binary/octet-stream" is not one of the document\'s (video/mp4, image/webp, application/json)'],
				delete: ['answered 404'],
			}),
		],
	])('%s: exactly the listed differences', async (dialect, expected) => {
		expect(await everyAnswer(dialect)).toEqual(expected);
	});
});

describe('coverage', () => {
	// Runs last in this file: every operation of the document the node uses today was sent, and checked, above.
	it("the node's and the trigger's requests above reached every operation of the document", () => {
		const reached = new Set(checkExchangesQuietly(everyExchange));
		expect([...reached].sort()).toEqual(documentedOperations().map((operation) => operation.operationId).sort());
	});
});

function checkExchangesQuietly(exchanges: Exchange[]): string[] {
	return exchanges.map((exchange) => validateRequest(exchange.method, relative(exchange.url), exchange.headers, exchange.body).operationId ?? 'none');
}
