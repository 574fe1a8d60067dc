/** Get Status through n8n's real engine; nock plays each provider. */
import nock from 'nock';

import { useNock } from './harness/nock';

import type { ProviderId } from '../nodes/shared/providers';
import { PROVIDERS } from '../nodes/shared/providers';
import { baseUrlOf, everythingShown, fastRetries, KEY, runSora } from './harness/sora';

useNock();

function api(provider: ProviderId, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) {
	const url = new URL(baseUrlOf(provider));
	return { scope: nock(url.origin, { reqheaders: headers }), path: url.pathname };
}

const flatCompleted = {
	id: 'video_abc',
	object: 'video',
	model: 'sora-2',
	status: 'completed',
	progress: 100,
	created_at: 1762499410,
	completed_at: 1762499500,
	expires_at: 4102444800,
	size: '1280x720',
	seconds: '8',
	error: null,
};

describe('every provider, its own credential and dialect', () => {
	it.each<[ProviderId, unknown, Record<string, unknown>]>([
		['opeAi', { id: 'video_abc', status: 'SUCCESS', model: 'sora-2', created_at: 1762499410, object: 'video', size: '720x1280' }, { status: 'completed', rawStatus: 'SUCCESS', progress: 100, canDownload: true }],
		['wisdomGate', { ...flatCompleted, status: 'in_progress', progress: 45, completed_at: null }, { status: 'in_progress', progress: 45, canDownload: false }],
		['ezModel', { ...flatCompleted, status: 'queued', progress: 0 }, { status: 'queued', progress: 0 }],
		['voidAi', flatCompleted, { status: 'completed', progress: 100, expiresAt: '2100-01-01T00:00:00.000Z', completedAt: '2025-11-07T07:11:40.000Z' }],
		['openAiCompatible', { code: 'success', message: '', data: { task_id: 'video_abc', status: 'processing', progress: '45%' } }, { status: 'in_progress', rawStatus: 'processing', progress: 45 }],
	])('%s', async (provider, body, expected) => {
		const { scope, path } = api(provider);
		scope.get(`${path}/videos/video_abc`).reply(200, body as nock.Body);
		const result = await runSora(provider, { operation: 'getStatus', taskId: 'video_abc' });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ id: 'video_abc', provider, ...expected });
		expect(result.items[0].json).not.toHaveProperty('rawResponse');
		expect(scope.isDone()).toBe(true);
	});
});

describe('credentials', () => {
	it('OpeAI frontend token: token header against <origin>/api/videos', async () => {
		const scope = nock('https://api-platform.ope.ai', { reqheaders: { token: 'jwt.token.value' }, badheaders: ['authorization'] })
			.get('/api/videos/video_abc')
			.reply(200, { id: 'video_abc', status: 'IN_PROGRESS' });
		const result = await runSora('opeAi', { operation: 'getStatus', taskId: 'video_abc' }, { credentials: { apiKey: 'jwt.token.value', authMode: 'frontendToken' } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ status: 'in_progress', rawStatus: 'IN_PROGRESS' });
		expect(scope.isDone()).toBe(true);
	});

	it('OpenAI-compatible with an Azure-style api-key header and a trailing slash on the base URL', async () => {
		const scope = nock('https://my-resource.openai.azure.com', { reqheaders: { 'api-key': KEY }, badheaders: ['authorization'] })
			.get('/openai/v1/videos/video_abc')
			.reply(200, flatCompleted);
		const result = await runSora(
			'openAiCompatible',
			{ operation: 'getStatus', taskId: 'video_abc' },
			{ credentials: { baseUrl: 'https://my-resource.openai.azure.com/openai/v1/', headerName: 'api-key', headerPrefix: '' } },
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.status).toBe('completed');
		expect(scope.isDone()).toBe(true);
	});
});

describe('options', () => {
	it('Include Raw Response adds the untouched body', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc`).reply(200, { ...flatCompleted, prompt: 'clouds' });
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: 'video_abc', options: { includeRawResponse: true } });
		expect(result.items[0].json.rawResponse).toEqual({ ...flatCompleted, prompt: 'clouds' });
	});

	it('one item per input item, pairedItem kept, task IDs from expressions', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/a`).reply(200, { ...flatCompleted, id: 'a' });
		scope.get(`${path}/videos/b`).reply(200, { ...flatCompleted, id: 'b', status: 'failed', error: { code: 'x', message: 'bad' } });
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: '={{ $json.task }}' }, { items: [{ json: { task: 'a' } }, { json: { task: 'b' } }] });
		expect(result.items.map((item) => [item.json.id, item.json.status, item.pairedItem])).toEqual([
			['a', 'completed', { item: 0 }],
			['b', 'failed', { item: 1 }],
		]);
		expect(result.items[1].json.error).toEqual({ code: 'x', message: 'bad' });
	});
});

describe('task IDs', () => {
	it('n8n itself refuses an empty Task ID field before running', async () => {
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: '' });
		expect(result.error?.message).toMatch(/Parameter "Task ID" is required/);
	});

	it.each(['   ', '={{ "" }}', '={{ $json.missing }}'])('a blank task ID (%p) fails before any request', async (taskId) => {
		const { scope, path } = api('voidAi');
		scope.get(new RegExp(`${path}/videos.*`)).reply(200, flatCompleted);
		const result = await runSora('voidAi', { operation: 'getStatus', taskId });
		expect(result.error?.message).toBe('The Task ID is empty');
		expect(scope.isDone()).toBe(false);
	});

	it('is trimmed, and URL-encoded where a provider uses unusual characters', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/task%3Av1%2Bx%40y`).reply(200, { ...flatCompleted, id: 'task:v1+x@y' });
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: '  task:v1+x@y ' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.id).toBe('task:v1+x@y');
		expect(scope.isDone()).toBe(true);
	});

	it.each<[string, string, string]>([
		['dots only', '..', 'is only dots'],
		['a slash', '../x', 'contains "/"'],
		['a backslash', 'video\\1', 'contains "\\"'],
		['a percent sign', 'video%2F1', 'contains "%"'],
		['a query', 'video_1?x=1', 'contains "?"'],
		['a fragment', 'video_1#x', 'contains "#"'],
		['inner white space', 'video 1', 'contains white space'],
		['a tab', 'video\t1', 'contains a control character'],
		['a control character', 'video\u00001', 'contains a control character'],
		['a C1 control character', 'video\u00851', 'contains a control character'],
	])('refuses an ID with %s before any request', async (_name, taskId, reason) => {
		const { scope, path } = api('voidAi');
		scope.get(new RegExp(`${path}/videos.*`)).reply(200, flatCompleted);
		const result = await runSora('voidAi', { operation: 'getStatus', taskId });
		expect(result.error?.message).toBe(`${JSON.stringify(taskId)} is not a valid Task ID: it ${reason}`);
		expect((result.error as { description?: string }).description).toMatch(/Task IDs are single words/);
		expect(scope.isDone()).toBe(false);
	});
});

describe('errors a user can act on', () => {
	it.each<[string, ProviderId, number, unknown, RegExp]>([
		['404 not found', 'opeAi', 404, { error: { message: 'video not found', type: 'NotFound', param: '', code: 'ResourceNotFound' } }, /Task "video_abc" was not found at OpeAI \(HTTP 404\)/],
		['new-api 400 task_not_exist', 'openAiCompatible', 400, { code: 'task_not_exist', message: 'task_not_exist', data: null }, /Task "video_abc" was not found at OpenAI-Compatible Gateway \(HTTP 400\)/],
		['401', 'ezModel', 401, { error: { message: 'Unauthorized', code: 'unauthorized' } }, /EzModel rejected the API key \(HTTP 401\)/],
		['403', 'voidAi', 403, { error: { message: 'no access' } }, /VoidAI refused access \(HTTP 403\)/],
		['Wisdom Gate 200 with error envelope', 'wisdomGate', 200, { message: 'not found', data: { error: { message: 'video not found', type: 'invalid_request_error', code: 'video_not_found' } } }, /Task "video_abc" was not found at Wisdom Gate/],
	])('%s', async (_name, provider, code, body, message) => {
		const { scope, path } = api(provider);
		scope.get(`${path}/videos/video_abc`).reply(code, body as nock.Body);
		const result = await runSora(provider, { operation: 'getStatus', taskId: 'video_abc' });
		expect(result.error?.message).toMatch(message);
	});

	it('unauthorized names the credential to check', async () => {
		const { scope, path } = api('wisdomGate');
		scope.get(`${path}/videos/video_abc`).reply(401, { error: { message: 'bad key' } });
		const result = await runSora('wisdomGate', { operation: 'getStatus', taskId: 'video_abc' });
		expect((result.error as { description?: string }).description).toContain('"Wisdom Gate API" credential');
	});

	it('429 is retried, honouring Retry-After, then succeeds', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc`).reply(429, { error: { message: 'slow down' } }, { 'Retry-After': '1' });
		scope.get(`${path}/videos/video_abc`).reply(200, flatCompleted);
		const started = Date.now();
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: 'video_abc', options: { ...fastRetries } });
		expect(result.error).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(scope.isDone()).toBe(true);
	});

	it('5xx is retried with backoff, then succeeds', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc`).reply(502, { error: { message: 'Upstream service returned status 500', type: 'server_error' } });
		scope.get(`${path}/videos/video_abc`).reply(503, 'Service Unavailable');
		scope.get(`${path}/videos/video_abc`).reply(200, flatCompleted);
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: 'video_abc', options: { ...fastRetries } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.status).toBe('completed');
	});

	it('5xx after the configured retries says so', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc`).times(3).reply(500, { error: { message: 'boom' } });
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: 'video_abc', options: { ...fastRetries } });
		expect(result.error?.message).toBe('VoidAI had a server error during the status check (HTTP 500) after 3 attempts');
		expect(scope.isDone()).toBe(true);
	});

	it('429 after the configured retries says so', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc`).times(2).reply(429, { error: { message: 'Rate limit' } }, { 'Retry-After': '0' });
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: 'video_abc', options: { retries: 1, retryDelay: 1 } });
		expect(result.error?.message).toBe('VoidAI is rate limiting requests (HTTP 429) after 2 attempts');
	});

	it('Continue On Fail: the bad item becomes an error item and the rest go on', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/good`).reply(200, { ...flatCompleted, id: 'good' });
		scope.get(`${path}/videos/missing`).reply(404, { error: { message: 'not found', code: 'video_not_found' } });
		const result = await runSora(
			'voidAi',
			{ operation: 'getStatus', taskId: '={{ $json.id }}' },
			{ continueOnFail: true, items: [{ json: { id: 'missing' } }, { json: { id: '' } }, { json: { id: 'good' } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.error).toMatch(/Task "missing" was not found at VoidAI/);
		expect(result.items[1].json.error).toBe('The Task ID is empty');
		expect(result.items[2].json).toMatchObject({ id: 'good', status: 'completed' });
	});

	it('without Continue On Fail the error names the item', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/good`).reply(200, { ...flatCompleted, id: 'good' });
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: '={{ $json.id }}' }, { items: [{ json: { id: 'good' } }, { json: { id: ' ' } }] });
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});
});

describe('the API key never leaks', () => {
	it('not in a message that echoes it, nor in raw output', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc`).reply(401, { error: { message: `Incorrect API key provided: ${KEY}`, code: 'invalid_api_key' } });
		const failed = await runSora('voidAi', { operation: 'getStatus', taskId: 'video_abc' });
		expect(failed.error).toBeDefined();
		expect(everythingShown(failed)).not.toContain(KEY);
		expect(everythingShown(failed)).toContain('Incorrect API key provided: ***');

		scope.get(`${path}/videos/video_abc`).reply(200, { ...flatCompleted, note: `key ${KEY}` });
		const ok = await runSora('voidAi', { operation: 'getStatus', taskId: 'video_abc', options: { includeRawResponse: true } });
		expect(everythingShown(ok)).not.toContain(KEY);
	});

});

describe('Wait for Completion', () => {
	const waitFast = { waitForCompletion: true, pollInterval: 0.05, maxWait: 0.05, retries: 0 };

	it('polls until completed', async () => {
		const { scope, path } = api('voidAi');
		scope.get(`${path}/videos/video_abc`).reply(200, { ...flatCompleted, status: 'queued', progress: 0 });
		scope.get(`${path}/videos/video_abc`).reply(200, { ...flatCompleted, status: 'in_progress', progress: 50 });
		scope.get(`${path}/videos/video_abc`).reply(200, flatCompleted);
		const result = await runSora('voidAi', { operation: 'getStatus', taskId: 'video_abc', options: { ...waitFast, maxWait: 1 } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.status).toBe('completed');
		expect(scope.isDone()).toBe(true);
	});

	it('a failed task is an error carrying the provider reason', async () => {
		const { scope, path } = api('openAiCompatible');
		scope.get(`${path}/videos/video_abc`).reply(200, { code: 'success', data: { task_id: 'video_abc', status: 'failed', fail_reason: 'content policy violation' } });
		const result = await runSora('openAiCompatible', { operation: 'getStatus', taskId: 'video_abc', options: waitFast });
		expect(result.error?.message).toBe('Task "video_abc" failed at OpenAI-Compatible Gateway: content policy violation');
	});

	it('a timeout says how long it waited and the last status seen', async () => {
		const { scope, path } = api('opeAi');
		scope.get(`${path}/videos/video_abc`).times(100).reply(200, { id: 'video_abc', status: 'IN_PROGRESS' });
		const result = await runSora('opeAi', { operation: 'getStatus', taskId: 'video_abc', options: { ...waitFast, maxWait: 0.01 } });
		expect(result.error?.message).toMatch(/^Task "video_abc" did not finish within \d+ s; last status seen: in_progress \("IN_PROGRESS"\)$/);
	});
});

it('the registry names a credential for every provider', () => {
	expect(Object.values(PROVIDERS).map((provider) => provider.credentialName)).toEqual(['opeAiApi', 'wisdomGateApi', 'ezModelApi', 'voidAiApi', 'openAiCompatibleVideoApi']);
});
