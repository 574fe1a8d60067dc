import { classifyProblem, mapStatus, normalizeTask, parseListPage, parseProgress, readErrorEnvelope, toIsoTime } from '../nodes/shared/dialect';

describe('status vocabularies (case-insensitive)', () => {
	it.each([
		['queued', 'queued'],
		['pending', 'queued'],
		['NOT_START', 'queued'],
		['SUBMITTED', 'queued'],
		['QUEUED', 'queued'],
		['in_progress', 'in_progress'],
		['processing', 'in_progress'],
		['running', 'in_progress'],
		['IN_PROGRESS', 'in_progress'],
		['completed', 'completed'],
		['succeeded', 'completed'],
		['success', 'completed'],
		['SUCCESS', 'completed'],
		['failed', 'failed'],
		['failure', 'failed'],
		['FAILURE', 'failed'],
		['error', 'failed'],
		['cancelled', 'failed'],
		['UNKNOWN', 'unknown'],
		['unknown', 'unknown'],
		['brand_new_word', 'unknown'],
	])('%s -> %s', (raw, expected) => {
		expect(mapStatus(raw)).toBe(expected);
	});

	it('anything that is not a string is unknown', () => {
		expect(mapStatus(undefined)).toBe('unknown');
		expect(mapStatus(3)).toBe('unknown');
		expect(mapStatus({ status: 'completed' })).toBe('unknown');
	});
});

describe('progress', () => {
	it.each([
		[45, 45],
		['45', 45],
		['45%', 45],
		[' 45.5 % ', 45.5],
		[150, 100],
		[-3, 0],
		['abc', null],
		[null, null],
		[Number.NaN, null],
	])('%p -> %p', (input, expected) => {
		expect(parseProgress(input)).toBe(expected);
	});
});

describe('timestamps', () => {
	it('reads unix seconds, unix milliseconds, numeric strings and ISO strings', () => {
		expect(toIsoTime(1762499410)).toBe('2025-11-07T07:10:10.000Z');
		expect(toIsoTime(1762499410000)).toBe('2025-11-07T07:10:10.000Z');
		expect(toIsoTime('1762499410')).toBe('2025-11-07T07:10:10.000Z');
		expect(toIsoTime('2025-11-07T07:10:10Z')).toBe('2025-11-07T07:10:10.000Z');
	});
	it('gives null when absent or nonsense', () => {
		expect(toIsoTime(null)).toBeNull();
		expect(toIsoTime(undefined)).toBeNull();
		expect(toIsoTime(0)).toBeNull();
		expect(toIsoTime('soon')).toBeNull();
		expect(toIsoTime({})).toBeNull();
	});
});

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('task shapes', () => {
	it('flat OpenAI object', () => {
		const task = normalizeTask(
			{
				id: 'video_123',
				object: 'video',
				model: 'sora-2',
				status: 'in_progress',
				progress: 33,
				created_at: 1762499410,
				completed_at: null,
				expires_at: null,
				size: '1280x720',
				seconds: '8',
				prompt: 'x',
				error: null,
			},
			{ provider: 'voidAi', now: NOW },
		);
		expect(task).toEqual({
			id: 'video_123',
			status: 'in_progress',
			rawStatus: 'in_progress',
			progress: 33,
			model: 'sora-2',
			size: '1280x720',
			seconds: '8',
			createdAt: '2025-11-07T07:10:10.000Z',
			completedAt: null,
			expiresAt: null,
			error: null,
			canDownload: false,
			resultUrl: null,
			prompt: 'x',
			remixedFromVideoId: null,
			provider: 'voidAi',
		});
	});

	it('a remix names the task it was made from', () => {
		const task = normalizeTask({ id: 'video_2', status: 'queued', prompt: 'make it night', remixed_from_video_id: 'video_1' }, { provider: 'voidAi' });
		expect(task).toMatchObject({ id: 'video_2', prompt: 'make it night', remixedFromVideoId: 'video_1' });
	});

	it('flat object with new-api raw statuses and no progress (OpeAI)', () => {
		const task = normalizeTask(
			{ id: 'video_690d', status: 'SUCCESS', model: 'sora-2', created_at: 1762499410, object: 'video', prompt: 'p', size: '720x1280' },
			{ provider: 'opeAi', now: NOW },
		);
		expect(task).toMatchObject({ id: 'video_690d', status: 'completed', rawStatus: 'SUCCESS', progress: 100, canDownload: true, size: '720x1280' });
		expect(normalizeTask({ id: 'a', status: 'NOT_START' }, { provider: 'opeAi' })).toMatchObject({ status: 'queued', progress: 0 });
		expect(normalizeTask({ id: 'a', status: 'IN_PROGRESS' }, { provider: 'opeAi' })).toMatchObject({ status: 'in_progress', progress: null });
		expect(normalizeTask({ id: 'a', status: 'UNKNOWN' }, { provider: 'opeAi' })).toMatchObject({ status: 'unknown', rawStatus: 'UNKNOWN' });
	});

	it('new-api wrapped {code, data} with string progress and fail_reason', () => {
		const running = normalizeTask(
			{ code: 'success', message: '', data: { task_id: 'task_9', status: 'processing', progress: '45%', url: '', format: 'mp4', fail_reason: '' } },
			{ provider: 'openAiCompatible', now: NOW },
		);
		expect(running).toMatchObject({ id: 'task_9', status: 'in_progress', rawStatus: 'processing', progress: 45, error: null });

		const failed = normalizeTask(
			{ code: 'success', message: '', data: { task_id: 'task_9', status: 'failed', progress: '100%', fail_reason: 'content policy violation' } },
			{ provider: 'openAiCompatible', now: NOW },
		);
		expect(failed).toMatchObject({ status: 'failed', error: { code: null, message: 'content policy violation' }, canDownload: false });

		const done = normalizeTask(
			{ code: 'success', data: { task_id: 'task_9', status: 'succeeded', progress: '100%', url: 'https://cdn.example.test/v.mp4' } },
			{ provider: 'openAiCompatible', now: NOW },
		);
		expect(done).toMatchObject({ status: 'completed', progress: 100, canDownload: true, resultUrl: 'https://cdn.example.test/v.mp4' });
	});

	it('failed OpenAI object keeps the provider reason', () => {
		const task = normalizeTask(
			{ id: 'v', status: 'failed', progress: 0, error: { code: 'moderation_blocked', message: 'Your request was blocked by moderation.' } },
			{ provider: 'voidAi' },
		);
		expect(task.error).toEqual({ code: 'moderation_blocked', message: 'Your request was blocked by moderation.' });
	});

	it('a failed task without any reason still says it failed', () => {
		expect(normalizeTask({ id: 'v', status: 'FAILURE' }, { provider: 'opeAi' }).error?.message).toMatch(/failed without a reason/);
	});

	it('metadata.url from new-api OpenAI converter', () => {
		expect(normalizeTask({ id: 'v', status: 'completed', metadata: { url: 'https://x.test/v.mp4' } }, { provider: 'p' }).resultUrl).toBe('https://x.test/v.mp4');
	});

	it('completed but past expires_at cannot be downloaded', () => {
		const task = normalizeTask({ id: 'v', status: 'completed', expires_at: 1700000000 }, { provider: 'p', now: NOW });
		expect(task).toMatchObject({ status: 'completed', canDownload: false, expiresAt: '2023-11-14T22:13:20.000Z' });
	});

	it('keeps the requested ID when the body has none', () => {
		expect(normalizeTask({ status: 'queued' }, { provider: 'p', requestedId: 'mine' }).id).toBe('mine');
	});
});

describe('error envelopes', () => {
	it.each([
		['OpenAI {error:{message,type,param,code}}', { error: { message: 'task not ready', type: 'invalid_request_error', param: null, code: 'task_not_ready' } }, { code: 'task_not_ready', type: 'invalid_request_error', message: 'task not ready' }],
		['EzModel {error:{message,code}}', { error: { message: 'Video not found or not ready', code: 'video_not_found' } }, { code: 'video_not_found', type: null, message: 'Video not found or not ready' }],
		['new-api proxy {error:{message,type}}', { error: { message: 'Upstream service returned status 404', type: 'server_error' } }, { code: null, type: 'server_error', message: 'Upstream service returned status 404' }],
		['new-api flat {code,message,data}', { code: 'task_not_exist', message: 'task_not_exist', data: null }, { code: 'task_not_exist', type: null, message: 'task_not_exist' }],
		[
			'Wisdom Gate {message,data:{error}}',
			{ message: 'Video generation still in progress', data: { error: { message: 'Video generation is still in progress. Please check the status endpoint.', type: 'video_not_ready', code: 'video_processing', param: null } } },
			{ code: 'video_processing', type: 'video_not_ready', message: 'Video generation is still in progress. Please check the status endpoint.' },
		],
		['plain text', 'Bad Gateway', { code: null, type: null, message: 'Bad Gateway' }],
	])('%s', (_name, body, expected) => {
		expect(readErrorEnvelope(body)).toEqual({ form: typeof body === 'string' ? 'text' : 'json', param: null, ...expected });
	});
});

describe('problem classification: every not-ready / not-found / expired / unauthorized shape', () => {
	it.each([
		['OpeAI 400 task_not_ready', 400, { error: { message: 'task not ready', type: 'invalid_request_error', param: null, code: 'task_not_ready' } }, 'notReady'],
		['new-api 400 not completed, no code', 400, { error: { message: 'Task is not completed yet, current status: IN_PROGRESS', type: 'invalid_request_error' } }, 'notReady'],
		['EzModel 404 video_not_ready', 404, { error: { message: 'Video not ready', code: 'video_not_ready' } }, 'notReady'],
		['Wisdom Gate 202', 202, '', 'notReady'],
		['Wisdom Gate 200 JSON', 200, { message: 'Video generation still in progress', data: { error: { message: 'in progress', type: 'video_not_ready', code: 'video_processing' } } }, 'notReady'],
		['OpeAI 404 task_not_found', 404, { error: { message: 'task not found', type: 'not_found_error', param: null, code: 'task_not_found' } }, 'notFound'],
		['OpeAI 404 ResourceNotFound', 404, { error: { message: 'video not found', type: 'NotFound', param: '', code: 'ResourceNotFound' } }, 'notFound'],
		['EzModel 404 video_not_found (message also says not ready)', 404, { error: { message: 'Video not found or not ready', code: 'video_not_found' } }, 'notFound'],
		['new-api 400 task_not_exist', 400, { code: 'task_not_exist', message: 'task_not_exist', data: null }, 'notFound'],
		['plain 404', 404, '', 'notFound'],
		['EzModel 404 video_expired', 404, { error: { message: 'Video has expired', code: 'video_expired' } }, 'expired'],
		['410 Gone', 410, '', 'expired'],
		['401 any body', 401, { error: { message: 'Invalid token', code: 'unauthorized' } }, 'unauthorized'],
		['403', 403, { error: { message: 'forbidden' } }, 'forbidden'],
		['429', 429, { error: { message: 'Rate limit reached' } }, 'rateLimited'],
		['502 upstream', 502, { error: { message: 'Upstream service returned status 500', type: 'server_error' } }, 'serverError'],
		['400 other', 400, { error: { message: 'invalid variant value', code: 'invalid_value' } }, 'badRequest'],
		['200 JSON nobody understands', 200, { hello: 'world' }, 'unexpected'],
		['OpenAI 404 Invalid URL', 404, { error: { message: 'Invalid URL (GET /videos/x)', type: 'invalid_request_error', param: null, code: null } }, 'badEndpoint'],
		['405 method not allowed page', 405, '<html><body>405 Not Allowed</body></html>', 'badEndpoint'],
		['404 web page', 404, '<!DOCTYPE html><html><title>404</title><body>task not found</body></html>', 'badEndpoint'],
		['400 expired token', 400, { error: { message: 'Token has expired' } }, 'unauthorized'],
		['400 token_expired code', 400, { code: 'token_expired', message: 'please log in' }, 'unauthorized'],
		['400 invalid api key', 400, { error: { message: 'Invalid API key provided', code: 'invalid_api_key' } }, 'unauthorized'],
		['403 jwt expired', 403, { error: { message: 'jwt expired' } }, 'unauthorized'],
		['404 video expired is still the video', 404, { error: { message: 'Video has expired', code: 'video_expired' } }, 'expired'],
		['400 proxy page saying "still processing"', 400, '<html><body>Your video is still processing</body></html>', 'badRequest'],
		['200 proxy page saying "in progress"', 200, '<!doctype html><html><body>in progress</body></html>', 'unexpected'],
		['400 S3 XML', 400, '<?xml version="1.0"?><Error><Code>InvalidArgument</Code><Message>bad range</Message></Error>', 'badRequest'],
		['create: moderation', 400, { error: { message: 'Your request was blocked by our moderation system.', type: 'invalid_request_error', code: 'moderation_blocked' } }, 'moderation'],
		['create: new-api quota as 403', 403, { error: { message: 'user quota is not enough', type: 'new_api_error', code: 'insufficient_user_quota' } }, 'quota'],
		['create: OpenAI quota as 429', 429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'quota'],
		['create: 402', 402, { error: { message: 'Payment required' } }, 'quota'],
		['create: invalid size', 400, { error: { message: "Invalid value: '999x999'.", type: 'invalid_request_error', param: 'size', code: 'invalid_value' } }, 'invalidParameter'],
		['create: unknown model', 404, { error: { message: 'The model `sora-9` does not exist', code: 'model_not_found' } }, 'modelNotFound'],
		['create: new-api no channel as 503', 503, { error: { message: 'No available channel for model sora-9 under group default', type: 'new_api_error' } }, 'modelNotFound'],
		['400 binary bytes', 400, '\u0000\u0001\u0002\u0003\ufffd\ufffd\u0004', 'badRequest'],
	])('%s', (_name, httpCode, body, kind) => {
		expect(classifyProblem(httpCode, body).kind).toBe(kind);
	});

	it('describes web pages, XML errors and binary bodies instead of quoting them whole', () => {
		expect(classifyProblem(502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>')).toMatchObject({ form: 'webPage', message: '502 Bad Gateway' });
		expect(classifyProblem(403, '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>')).toMatchObject({ form: 'text', message: 'Request has expired' });
		expect(classifyProblem(400, '\u0000\u0001\u0002\u0003\ufffd\ufffd\u0004')).toMatchObject({ form: 'binary', message: null });
	});

	it('picks up the status a provider mentions', () => {
		expect(classifyProblem(400, { error: { message: 'Task is not completed yet, current status: IN_PROGRESS' } }).mentionedStatus).toBe('IN_PROGRESS');
	});
});

describe('list pages', () => {
	it('reads the OpenAI cursor page', () => {
		expect(parseListPage({ object: 'list', data: [{ id: 'a' }, { id: 'b' }], first_id: 'a', last_id: 'b', has_more: true })).toEqual({
			tasks: [{ id: 'a' }, { id: 'b' }],
			hasMore: true,
			lastId: 'b',
		});
	});
	it('falls back to the last item id and stops without a cursor', () => {
		expect(parseListPage({ data: [{ id: 'a' }], has_more: true })).toMatchObject({ lastId: 'a', hasMore: true });
		expect(parseListPage({ data: [], has_more: true })).toMatchObject({ hasMore: false });
	});
	it('is null for a body that is not a list', () => {
		expect(parseListPage({ error: { message: 'x' } })).toBeNull();
		expect(parseListPage('nope')).toBeNull();
	});
});
