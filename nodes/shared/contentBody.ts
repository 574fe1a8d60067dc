/**
 * The body of a content download as one stream that survives the faults real gateways produce:
 * a silent server is cut off after the idle timeout, and a body cut short is resumed with a
 * `Range` request where the server accepts ranges. Bytes pass straight through; nothing is buffered
 * beyond the first few bytes kept for sniffing.
 */
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the file goes to n8n's binary store as a stream, never whole in memory (not n8n Cloud eligible)
import { Readable } from 'stream';

import type { VideoApiClient } from './transport';
import type { Timer } from './timers';
import { startTimer } from './timers';
import { backoffDelay, cancelled, CancelledError, sleep } from './transport';

/** The body ended before its length; thrown from the stream, so n8n never stores it as a whole file. */
export class IncompleteDownloadError extends Error {
	constructor(
		readonly received: number,
		readonly expected: number | null,
	) {
		super(expected === null ? `the connection broke after ${received} bytes` : `the download ended after ${received} of ${expected} bytes`);
		this.name = 'IncompleteDownloadError';
	}
}

/**
 * Progress that keeps a download alive: less than this within the Timeout is a stall. A server that
 * trickles a byte every half second is as stuck as a silent one, and is cut off the same way.
 */
export const MIN_PROGRESS_BYTES = 64 * 1024;

/** Less than MIN_PROGRESS_BYTES arrived within the timeout (and the body has not ended). */
export class StalledDownloadError extends Error {
	constructor(
		readonly received: number,
		readonly idleMs: number,
	) {
		super(`less than ${MIN_PROGRESS_BYTES / 1024} KiB arrived in ${Math.round(idleMs / 1000)} s, after ${received} bytes`);
		this.name = 'StalledDownloadError';
	}
}

/** More bytes arrived than the binary data store takes (n8n's `database` mode): stopped, so nothing is stored. */
export class StoreLimitExceededError extends Error {
	constructor(
		readonly received: number,
		readonly limit: number,
	) {
		super(`more than ${limit} bytes arrived, more than the binary data store takes`);
		this.name = 'StoreLimitExceededError';
	}
}

export interface BodyRequest {
	path: string;
	qs?: Record<string, string>;
	taskId: string;
}

interface OpenedBody {
	stream: Readable;
	headers: Record<string, string>;
}

/** Content-Length when it counts the bytes we will see (not for a compressed body). */
export function declaredLength(headers: Record<string, string>): number | null {
	const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
	if (encoding !== 'identity' && encoding !== '') return null;
	const value = headers['content-length'];
	if (!value || !/^\d+$/.test(value.trim())) return null;
	return Number(value.trim());
}

/** `bytes 100-199/200` -> {start: 100, total: 200}. */
export function parseContentRange(value: string | undefined): { start: number; total: number | null } | null {
	const match = /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec((value ?? '').trim());
	if (!match) return null;
	return { start: Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) };
}

export class ContentBody {
	private source: Readable;
	private iterator: AsyncIterator<Buffer>;
	private readonly expected: number | null;
	private readonly acceptsRanges: boolean;
	private readonly etag: string | undefined;
	private received = 0;
	private ended = false;
	private head: Buffer = Buffer.alloc(0);
	/** The most bytes the store takes, when known: past it the body errors instead of going on. */
	private maxBytes: number | null = null;

	/** How many resumes this body may still make (shared with the caller's restarts). */
	constructor(
		private readonly client: VideoApiClient,
		private readonly request: BodyRequest,
		first: OpenedBody,
		private readonly budget: { retriesLeft: number },
	) {
		this.source = first.stream;
		this.iterator = first.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
		this.expected = declaredLength(first.headers);
		this.acceptsRanges = (first.headers['accept-ranges'] ?? '').toLowerCase().includes('bytes');
		this.etag = first.headers.etag;
		// n8n aborts the request on Stop, but a body already streaming is not ended by that: end it here.
		client.signal?.addEventListener('abort', this.onAbort, { once: true });
	}

	private readonly onAbort = (): void => {
		this.rejectRead?.(cancelled(this.client.node));
		this.source.destroy();
	};

	private stopListening(): void {
		this.client.signal?.removeEventListener('abort', this.onAbort);
	}

	get bytesReceived(): number {
		return this.received;
	}

	/** Errors (StoreLimitExceededError) as soon as more than `bytes` have arrived; null: no limit. */
	refuseBeyond(bytes: number | null): void {
		this.maxBytes = bytes;
	}

	/** The next chunk, or null at the end; faults are resumed here when they can be. */
	private async next(): Promise<Buffer | null> {
		for (;;) {
			if (this.client.signal?.aborted) throw cancelled(this.client.node);
			let result: IteratorResult<Buffer>;
			try {
				result = await this.withIdleTimeout(this.iterator.next());
			} catch (error) {
				await this.resume(error);
				continue;
			}
			if (!result.done) {
				const chunk = Buffer.isBuffer(result.value) ? result.value : Buffer.from(result.value as Uint8Array);
				this.received += chunk.length;
				if (this.maxBytes !== null && this.received > this.maxBytes) throw new StoreLimitExceededError(this.received, this.maxBytes);
				return chunk;
			}
			if (this.expected !== null && this.received < this.expected) {
				// The server closed the body early without an error.
				await this.resume(new IncompleteDownloadError(this.received, this.expected));
				continue;
			}
			this.ended = true;
			this.stopWatchdog();
			this.stopListening();
			return null;
		}
	}

	/**
	 * One watchdog timer per body, pushed back whenever MIN_PROGRESS_BYTES more have arrived. Each read
	 * races only its own short-lived promise, which the watchdog rejects; racing one long-lived promise
	 * would keep every chunk reachable.
	 */
	private watchdog: Timer | undefined;
	private rejectRead: ((error: Error) => void) | undefined;
	private progressMark = 0;

	private async withIdleTimeout<T>(promise: Promise<T>): Promise<T> {
		const idleMs = this.client.options.timeoutMs;
		if (this.watchdog) {
			if (this.received - this.progressMark >= MIN_PROGRESS_BYTES) {
				this.progressMark = this.received;
				this.watchdog.restart();
			}
		} else {
			this.progressMark = this.received;
			this.watchdog = startTimer(idleMs, () => {
				this.rejectRead?.(new StalledDownloadError(this.received, idleMs));
				this.source.destroy();
			});
		}
		const stalled = new Promise<never>((_resolve, reject) => {
			this.rejectRead = reject;
		});
		const outcome = await Promise.race([promise, stalled]).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		this.rejectRead = undefined;
		if ('error' in outcome) {
			this.stopWatchdog();
			throw outcome.error;
		}
		return outcome.value;
	}

	private stopWatchdog(): void {
		this.watchdog?.cancel();
		this.watchdog = undefined;
	}

	/**
	 * Continues the body from the byte where it broke, when the server accepts ranges and the budget allows;
	 * otherwise rethrows as a fault the caller can restart from scratch.
	 */
	private async resume(cause: unknown): Promise<void> {
		this.source.destroy();
		if (cause instanceof CancelledError || this.client.signal?.aborted) throw cancelled(this.client.node);
		const fault = cause instanceof StalledDownloadError || cause instanceof IncompleteDownloadError ? cause : new IncompleteDownloadError(this.received, this.expected);
		if (!this.acceptsRanges || this.budget.retriesLeft <= 0) throw fault;
		this.budget.retriesLeft--;
		const attempt = this.client.options.maxRetries - this.budget.retriesLeft - 1;
		await sleep(backoffDelay(attempt, this.client.options), this.client.signal, this.client.node);
		const headers: Record<string, string> = { Range: `bytes=${this.received}-` };
		if (this.etag) headers['If-Range'] = this.etag;
		const response = await this.client.request(this.request.path, {
			qs: this.request.qs,
			action: 'download',
			taskId: this.request.taskId,
			headers,
		});
		const stream = response.body as Readable;
		const range = parseContentRange(response.headers['content-range']);
		if (response.statusCode !== 206 || !range || range.start !== this.received || (this.expected !== null && range.total !== null && range.total !== this.expected)) {
			// The server sent something other than the missing part (e.g. the whole file, or it changed): start over.
			stream.destroy();
			throw fault;
		}
		this.source = stream;
		this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
	}

	/** Reads until at least `size` bytes are known (or the body ends): the bytes the sniffer looks at. */
	async readHead(size: number): Promise<Buffer> {
		const chunks: Buffer[] = [];
		let length = 0;
		while (length < size) {
			const chunk = await this.next();
			if (chunk === null) break;
			chunks.push(chunk);
			length += chunk.length;
		}
		this.head = Buffer.concat(chunks);
		return this.head;
	}

	/**
	 * Everything, head first, as one stream for n8n's binary store. Chunks pass through as they arrive:
	 * coalescing them into bigger writes was measured to double the garbage (and the peak memory) for no
	 * reliable gain. It errors rather than end short.
	 */
	toStream(): Readable {
		return Readable.from(this.chunks(), { objectMode: false, highWaterMark: 1 });
	}

	private async *chunks(): AsyncGenerator<Buffer> {
		try {
			if (this.head.length > 0) yield this.head;
			for (;;) {
				const chunk = await this.next();
				if (chunk === null) break;
				yield chunk;
			}
			if (this.expected !== null && this.received !== this.expected) throw new IncompleteDownloadError(this.received, this.expected);
		} finally {
			this.stopWatchdog();
			this.stopListening();
			if (!this.ended) this.source.destroy();
		}
	}

	destroy(): void {
		this.stopWatchdog();
		this.stopListening();
		this.source.destroy();
	}
}
