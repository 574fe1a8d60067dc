/**
 * Streams task content into n8n binary data. The body flows from the socket to n8n's
 * binary store; only the first bytes are looked at (to tell a file from an error page).
 */
import type { IBinaryData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ContentVariant } from './providers';
import type { ProviderProblem } from './dialect';
import { defaultFileName, fileNameFromContentDisposition, judgeContent, mediaKind, sanitizeFileName, SNIFF_BYTES } from './media';
import {
	binaryStoreTooLargeError,
	contentGoneError,
	downloadBrokeError,
	emptyFileError,
	expiredError,
	markRetryLater,
	markTransient,
	notReadyError,
	ownNodeError,
	partialAnswerError,
	problemError,
	taskFailedError,
	unrecognizedContentError,
	variantMismatchNotice,
	variantNotOfferedError,
} from './problems';
import { fetchTask } from './taskReads';
import type { BinaryContext, VideoApiClient } from './transport';
import { parseBody, taskPath } from './transport';
import type { ByteSource, ContentAnswer, ContentBody } from './contentBody';
import { declaredLength, DownloadAttemptsError, readContent, StoreLimitExceededError } from './contentBody';
import { knownStoreLimit, noteStoredBinary, readStoreRefusal } from './binaryStore';

type StoreInput = Parameters<BinaryContext['helpers']['prepareBinaryData']>[0];

export interface DownloadRequest {
	taskId: string;
	variant: ContentVariant;
	/** Overrides the name from Content-Disposition / the default `<taskId>.<ext>`. */
	fileName?: string;
}

export interface DownloadResult {
	binary: IBinaryData;
	json: {
		taskId: string;
		variant: ContentVariant;
		fileName: string;
		mimeType: string;
		fileSize: number;
		/** Set when the file is not the kind the variant names (a video sent for a thumbnail). */
		warning?: string;
	};
}

/** What kind of file each variant should be. */
const EXPECTED_KIND: Record<ContentVariant, 'video' | 'image'> = { video: 'video', thumbnail: 'image', spritesheet: 'image' };

export function assertVariantSupported(client: VideoApiClient, variant: ContentVariant): void {
	if (variant !== 'video' && !client.provider.supportsVariants) {
		throw variantNotOfferedError(client.node, client.provider, variant);
	}
}

/**
 * Makes a not-ready / not-found / JSON-instead-of-file answer precise by asking the status endpoint:
 * the user learns the task's current status, its failure reason, or that its content expired.
 */
async function explainContentProblem(client: VideoApiClient, problem: ProviderProblem, taskId: string, attempts: number): Promise<never> {
	// A storage host's refusal is about its link, not the task: asking the API would not explain it.
	if (!problem.answeredBy && ['notReady', 'notFound', 'expired', 'unexpected', 'badRequest'].includes(problem.kind)) {
		let task;
		try {
			task = (await fetchTask(client, taskId)).task;
		} catch {
			task = null;
		}
		if (task) {
			const ctx = client.problemContext('download', taskId);
			if (task.status === 'failed') throw taskFailedError(task, ctx);
			if (task.status !== 'completed' && task.status !== 'unknown') throw notReadyError(task, ctx);
			if (task.status === 'completed' && !task.canDownload) throw expiredError(task, ctx);
			if (task.status === 'completed' && problem.kind === 'notFound') throw contentGoneError(client.node, client.provider, taskId, problem.httpCode);
		}
	}
	const error = problemError(problem, client.problemContext('download', taskId, attempts));
	// "Not ready" from the content route of a task whose status said completed: the file is not in storage yet.
	throw problem.kind === 'notReady' ? markRetryLater(error) : error;
}


/**
 * GET /videos/{id}/content -> n8n binary data, streamed. Its retries (resume, or the whole file again) are
 * readContent's (contentBody.ts); this decides what an answer is and stores a file.
 */
export async function downloadContent(fn: BinaryContext, client: VideoApiClient, request: DownloadRequest): Promise<DownloadResult> {
	const { taskId, variant } = request;
	assertVariantSupported(client, variant);
	const bodyRequest = { path: `${taskPath(taskId)}/content`, qs: client.provider.supportsVariants ? { variant } : undefined, taskId };
	const explain = async (statusCode: number, text: string, response: ContentAnswer): Promise<never> =>
		await explainContentProblem(client, client.classify(statusCode, client.redact(parseBody(text)), response.url), taskId, response.attempts);
	try {
		return await readContent<DownloadResult>(client, bodyRequest, {
			answer: async (response) => await explain(response.statusCode, await client.readErrorBody(response.body as ByteSource), response),
			file: async (body, response) => await storeFile(fn, client, request, body, response, explain),
		});
	} catch (thrown) {
		const failed = thrown instanceof DownloadAttemptsError ? thrown : null;
		const error = failed ? failed.cause : thrown;
		const own = ownNodeError(error);
		if (own) throw own;
		if (error instanceof StoreLimitExceededError) {
			throw binaryStoreTooLargeError(client.problemContext('download', taskId), variant, { sizeBytes: null, limitBytes: error.limit, exact: knownStoreLimit()?.exact ?? false, stage: 'during' });
		}
		// n8n's own refusal (`database` mode, limit not known yet): nothing was stored; say why, as above.
		const refusal = readStoreRefusal(error);
		if (refusal) {
			throw binaryStoreTooLargeError(client.problemContext('download', taskId), variant, { sizeBytes: refusal.sizeBytes ?? failed?.bytesReceived ?? null, limitBytes: refusal.limitBytes, exact: true, stage: 'after' });
		}
		throw contentStreamError(client, taskId, error, failed?.attempts ?? 1);
	}
}

/** One file answer: refused before a byte is stored when it cannot be the file, else streamed into n8n's store. */
async function storeFile(
	fn: BinaryContext,
	client: VideoApiClient,
	request: DownloadRequest,
	body: ContentBody,
	response: ContentAnswer,
	explain: (statusCode: number, text: string, response: ContentAnswer) => Promise<never>,
): Promise<DownloadResult> {
	const { taskId, variant } = request;
	const { headers } = response;
	// n8n's `database` binary mode refuses files over its limit: when known, a file that cannot fit is not downloaded.
	const storeLimit = knownStoreLimit();
	const declared = declaredLength(headers);
	if (storeLimit && declared !== null && declared > storeLimit.bytes) {
		throw binaryStoreTooLargeError(client.problemContext('download', taskId), variant, { sizeBytes: declared, limitBytes: storeLimit.bytes, exact: storeLimit.exact, stage: 'before' });
	}
	if (body.misplaced) {
		throw markTransient(partialAnswerError(client.node, client.provider, taskId, headers['content-range']));
	}
	body.refuseBeyond(storeLimit?.bytes ?? null);
	const head = await body.readHead(SNIFF_BYTES);
	if (head.length === 0) throw emptyFileError(client.node, client.provider, taskId);
	// The bytes decide, never the Content-Type: text of any kind is an error answer, unknown bytes are refused.
	const verdict = judgeContent(head);
	if (verdict.kind === 'message') return await explain(response.statusCode, await client.readErrorBody(body), response);
	if (verdict.kind === 'unknown') {
		throw unrecognizedContentError(client.problemContext('download', taskId), variant, { head, contentType: headers['content-type'], contentLength: headers['content-length'] });
	}
	const mimeType = verdict.mimeType;
	const fileName = sanitizeFileName(request.fileName ?? '') || fileNameFromContentDisposition(headers['content-disposition']) || defaultFileName(taskId, variant, mimeType);
	// n8n's type says Buffer | Readable; its stores read an async iterable or data/end events, and the body is both.
	const binary = await fn.helpers.prepareBinaryData(body as unknown as StoreInput, fileName, mimeType);
	noteStoredBinary(binary);
	binary.fileName = fileName;
	binary.mimeType = mimeType;
	const arrived = mediaKind(mimeType);
	const warning = arrived !== null && arrived !== EXPECTED_KIND[variant] ? variantMismatchNotice(variant, mimeType, client.provider.displayName) : undefined;
	return { binary, json: { taskId, variant, fileName, mimeType, fileSize: binary.bytes ?? body.bytesReceived, ...(warning ? { warning } : {}) } };
}

function contentStreamError(client: VideoApiClient, taskId: string, error: unknown, attempts: number): NodeOperationError {
	const raw = (error as { message?: unknown } | null)?.message;
	const detail = typeof raw === 'string' ? client.redact(raw) : 'unknown error';
	const name = (error as { name?: unknown } | null)?.name;
	const how = name === 'StalledDownloadError' ? 'stalled' : name === 'IncompleteDownloadError' ? 'cutShort' : 'failed';
	return markTransient(downloadBrokeError(client.node, taskId, how, detail, attempts));
}
