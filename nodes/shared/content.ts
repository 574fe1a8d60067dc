/**
 * Streams task content into n8n binary data. The body flows from the socket to n8n's
 * binary store; only the first bytes are looked at (to tell a file from an error page).
 */
import type { IBinaryData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { Readable } from 'stream';

import type { ContentVariant } from './providers';
import type { ProviderProblem } from './dialect';
import { classifyProblem } from './dialect';
import { defaultFileName, fileNameFromContentDisposition, isErrorBody, resolveMimeType, sanitizeFileName, SNIFF_BYTES } from './media';
import { expiredError, markTransient, notReadyError, taskFailedError } from './problems';
import { fetchTask } from './tasks';
import type { SoraContext, VideoApiClient } from './transport';
import { parseBody, readLimited, taskPath } from './transport';

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
	};
}

export class IncompleteDownloadError extends Error {
	constructor(
		readonly received: number,
		readonly expected: number,
	) {
		super(`The download ended after ${received} of ${expected} bytes`);
		this.name = 'IncompleteDownloadError';
	}
}

export function assertVariantSupported(client: VideoApiClient, variant: ContentVariant): void {
	if (variant !== 'video' && !client.provider.supportsVariants) {
		throw new NodeOperationError(client.node, `${client.provider.displayName} does not offer the "${variant}" variant`, {
			description: 'Choose the "Video" variant. Thumbnails and spritesheets are offered by VoidAI and OpenAI-compatible gateways that support `?variant=`.',
		});
	}
}

/**
 * Splits a stream into its first `size` bytes and a stream of everything (head included),
 * which checks on its end that Content-Length bytes arrived.
 */
async function takeHead(
	source: Readable,
	size: number,
	expectedLength: number | null,
): Promise<{ head: Buffer; stream: Readable; bytesSeen: () => number }> {
	const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
	const headChunks: Buffer[] = [];
	let headLength = 0;
	let ended = false;
	while (headLength < size) {
		const next = await iterator.next();
		if (next.done) {
			ended = true;
			break;
		}
		headChunks.push(next.value);
		headLength += next.value.length;
	}
	const head = Buffer.concat(headChunks);
	let seen = head.length;
	async function* all(): AsyncGenerator<Buffer> {
		let finished = ended;
		try {
			if (head.length > 0) yield head;
			while (!finished) {
				const next = await iterator.next();
				if (next.done) {
					finished = true;
					break;
				}
				seen += next.value.length;
				yield next.value;
			}
			if (expectedLength !== null && seen !== expectedLength) {
				throw new IncompleteDownloadError(seen, expectedLength);
			}
		} finally {
			if (!finished) source.destroy();
		}
	}
	return { head, stream: Readable.from(all(), { objectMode: false }), bytesSeen: () => seen };
}

function contentLength(headers: Record<string, string>): number | null {
	const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
	// A compressed body is decompressed on the way in: its length is not the header's.
	if (encoding !== 'identity' && encoding !== '') return null;
	const value = headers['content-length'];
	if (!value || !/^\d+$/.test(value.trim())) return null;
	return Number(value.trim());
}

/**
 * Makes a not-ready / not-found / JSON-instead-of-file answer precise by asking the status endpoint:
 * the user learns the task's current status, its failure reason, or that its content expired.
 */
async function explainContentProblem(client: VideoApiClient, problem: ProviderProblem, taskId: string, attempts: number): Promise<never> {
	if (['notReady', 'notFound', 'expired', 'unexpected', 'badRequest'].includes(problem.kind)) {
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
		}
	}
	return client.fail(problem, 'download', taskId, attempts);
}

/** GET /videos/{id}/content -> n8n binary data, streamed. */
export async function downloadContent(fn: SoraContext, client: VideoApiClient, request: DownloadRequest): Promise<DownloadResult> {
	const { taskId, variant } = request;
	assertVariantSupported(client, variant);
	const qs = client.provider.supportsVariants ? { variant } : undefined;
	const response = await client.request(`${taskPath(taskId)}/content`, { qs, encoding: 'stream', action: 'download', taskId });
	const body = response.body as Readable;
	const { statusCode, headers } = response;

	if (statusCode < 200 || statusCode >= 300 || statusCode === 202) {
		const text = await readLimited(body);
		await explainContentProblem(client, classifyProblem(statusCode, client.redact(parseBody(text))), taskId, response.attempts);
	}

	const contentType = headers['content-type'];
	const { head, stream } = await takeHead(body, SNIFF_BYTES, contentLength(headers));
	if (head.length === 0) {
		stream.destroy();
		throw new NodeOperationError(client.node, `${client.provider.displayName} sent an empty file for task "${taskId}"`, {
			description: 'The content is not available. Check the task status, and try again later.',
		});
	}
	if (isErrorBody(contentType, head)) {
		const text = await readLimited(stream);
		await explainContentProblem(client, classifyProblem(statusCode, client.redact(parseBody(text))), taskId, response.attempts);
	}

	const mimeType = resolveMimeType(contentType, head);
	const fileName =
		sanitizeFileName(request.fileName ?? '') ||
		fileNameFromContentDisposition(headers['content-disposition']) ||
		defaultFileName(taskId, variant, mimeType);

	let binary: IBinaryData;
	try {
		binary = await fn.helpers.prepareBinaryData(stream, fileName, mimeType);
	} catch (error) {
		stream.destroy();
		throw contentStreamError(client, taskId, error);
	}
	binary.fileName = fileName;
	binary.mimeType = mimeType;
	return {
		binary,
		json: { taskId, variant, fileName, mimeType, fileSize: binary.bytes ?? 0 },
	};
}

function contentStreamError(client: VideoApiClient, taskId: string, error: unknown): NodeOperationError {
	if (error instanceof IncompleteDownloadError) {
		return markTransient(new NodeOperationError(client.node, `The download of task "${taskId}" was cut short: ${error.message}`, {
			description: 'The connection to the provider broke before the whole file arrived. Run the node again.',
		}));
	}
	const raw = (error as { message?: unknown } | null)?.message;
	const message = typeof raw === 'string' ? client.redact(raw) : 'unknown error';
	return markTransient(
		new NodeOperationError(client.node, `The download of task "${taskId}" failed while receiving the file: ${message}`, {
			description: 'The connection to the provider broke before the whole file arrived. Run the node again.',
		}),
	);
}
