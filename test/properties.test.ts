/**
 * Property-based robustness of the dialect code: random and hostile JSON bodies, headers and status codes.
 * The normalizer and the content classifier never throw, never report `completed` for a body that does not
 * say so, and never treat an error body as a file, up to the node in n8n's real engine.
 */
import fc from 'fast-check';
import nock from 'nock';

import { classifyProblem, mapStatus, normalizeTask, parseListPage, readErrorEnvelope } from '../nodes/shared/dialect';
import { fileNameFromContentDisposition, isErrorBody, resolveMimeType, sniffMimeType } from '../nodes/shared/media';
import { useBinaryMode } from './harness/engine';
import { useNock } from './harness/nock';
import { KEY, runSora } from './harness/sora';

const STATUS_WORDS = ['queued', 'pending', 'NOT_START', 'SUBMITTED', 'in_progress', 'processing', 'running', 'IN_PROGRESS', 'completed', 'succeeded', 'success', 'SUCCESS', 'failed', 'failure', 'FAILURE', 'error', 'cancelled', 'UNKNOWN'];
const KINDS = ['notFound', 'notReady', 'expired', 'unauthorized', 'forbidden', 'rateLimited', 'serverError', 'badRequest', 'badEndpoint', 'moderation', 'quota', 'invalidParameter', 'modelNotFound', 'unexpected'];

/** JSON values with our field names sprinkled in, including hostile keys and types. */
const hostileKey = fc.constantFrom('id', 'task_id', 'status', 'progress', 'data', 'error', 'code', 'message', 'metadata', 'expires_at', 'created_at', 'fail_reason', '__proto__', 'constructor', 'toString');
const hostileValue = fc.oneof(
	fc.constantFrom(...STATUS_WORDS),
	fc.constantFrom('45%', '-1', '1e309', 'NaN', '', ' ', '\u0000', '{"status":"completed"}'),
	fc.double(),
	fc.integer(),
	fc.boolean(),
	fc.constant(null),
	fc.string(),
);
const { body: jsonBody } = fc.letrec((tie) => ({
	body: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileValue, fc.array(tie('body'), { maxLength: 3 }), fc.dictionary(fc.oneof(hostileKey, fc.string()), tie('body'), { maxKeys: 6 })),
}));

/** The status word a body carries, in either shape (flat or new-api wrapped). */
function statusWordsIn(body: unknown): unknown[] {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
	const record = body as Record<string, unknown>;
	const data = record.data;
	const inner = typeof data === 'object' && data !== null && !Array.isArray(data) ? [(data as Record<string, unknown>).status] : [];
	return [record.status, ...inner];
}

describe('normalizer', () => {
	it('never throws, and says completed only when the body does', () => {
		fc.assert(
			fc.property(jsonBody, fc.option(fc.string(), { nil: undefined }), (body, requestedId) => {
				const task = normalizeTask(body, { provider: 'p', requestedId });
				expect(['queued', 'in_progress', 'completed', 'failed', 'unknown']).toContain(task.status);
				if (task.status === 'completed') expect(statusWordsIn(body).some((word) => mapStatus(word) === 'completed')).toBe(true);
				if (task.canDownload) expect(task.status).toBe('completed');
				if (task.progress !== null) expect(task.progress >= 0 && task.progress <= 100).toBe(true);
				for (const time of [task.createdAt, task.completedAt, task.expiresAt]) if (time !== null) expect(Number.isNaN(Date.parse(time))).toBe(false);
				expect(typeof task.id).toBe('string');
			}),
			{ numRuns: 2000 },
		);
	});

	it('error envelopes, problem classification and list pages never throw', () => {
		fc.assert(
			fc.property(jsonBody, fc.integer({ min: 100, max: 599 }), (body, code) => {
				const envelope = readErrorEnvelope(body);
				for (const value of Object.values(envelope)) expect(value === null || typeof value === 'string').toBe(true);
				expect(KINDS).toContain(classifyProblem(code, body).kind);
				const page = parseListPage(body);
				if (page) expect(Array.isArray(page.tasks)).toBe(true);
			}),
			{ numRuns: 2000 },
		);
	});
});

describe('content classifier', () => {
	const contentType = fc.oneof(
		fc.constantFrom('video/mp4', 'application/octet-stream', 'binary/octet-stream', 'application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', 'image/webp', '', 'video/mp4; x="{"'),
		fc.string(),
	);

	it('never treats a JSON or HTML body as a file, whatever the Content-Type says', () => {
		const errorDocument = fc.oneof(
			jsonBody.filter((value) => typeof value === 'object' && value !== null).map((value) => JSON.stringify(value)),
			fc.string().map((text) => `<!DOCTYPE html><html><body>${text}</body></html>`),
			fc.string().map((text) => `<html>${text}`),
		);
		fc.assert(
			fc.property(errorDocument, fc.constantFrom('', ' ', '\n\t', '\uFEFF'), (document, prefix) => {
				expect(isErrorBody(Buffer.from(prefix + document))).toBe(true);
			}),
			{ numRuns: 2000 },
		);
	});

	it('media type, sniffing and file names never throw on hostile input', () => {
		fc.assert(
			fc.property(fc.option(contentType, { nil: undefined }), fc.uint8Array({ maxLength: 80 }), fc.string(), (type, bytes, disposition) => {
				const head = Buffer.from(bytes);
				expect(typeof resolveMimeType(type, head)).toBe('string');
				sniffMimeType(head);
				const name = fileNameFromContentDisposition(disposition);
				if (name !== null) {
					expect(name).not.toMatch(/[\\/]/);
					expect(name).not.toMatch(/^\.+$/);
				}
			}),
			{ numRuns: 2000 },
		);
	});
});

describe('in n8n\'s real engine', () => {
	useNock();
	beforeAll(async () => {
		await useBinaryMode('filesystem');
	});

	it('a JSON or HTML answer to a download, of any status, ends in one of our errors, never a file', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(200, 201, 202, 203, 400, 403, 404, 409, 410, 418, 422),
				fc.oneof(jsonBody.filter((value) => typeof value === 'object' && value !== null).map((value) => JSON.stringify(value)), fc.constant('<html><body>Bad gateway</body></html>')),
				fc.constantFrom('application/json', 'application/octet-stream', 'video/mp4', 'text/html', ''),
				async (code, body, type) => {
					nock.cleanAll();
					const scope = nock('https://api.voidai.app', { reqheaders: { authorization: `Bearer ${KEY}` } });
					scope.get('/v1/videos/v/content').query(true).reply(code, body, type ? { 'Content-Type': type } : {});
					scope.get('/v1/videos/v').optionally().reply(404, { error: { message: 'not found' } });
					const result = await runSora('voidAi', { operation: 'downloadContent', taskId: 'v', variant: 'video', binaryPropertyName: 'data', options: { retries: 0 } });
					expect(result.items).toHaveLength(0);
					expect(['NodeApiError', 'NodeOperationError']).toContain(result.error?.name);
				},
			),
			{ numRuns: 40 },
		);
	}, 120_000);
});
