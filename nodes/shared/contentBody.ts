/**
 * A content download's retries, all of them, and its body as n8n's binary store reads it. It survives the faults
 * real gateways produce: a server that sends less than MIN_PROGRESS_BYTES within the Timeout is cut off, a body cut
 * short is resumed with a `Range` request where the server accepts ranges (ContentBody.resume), and asked for again
 * from the start where it does not (readContent). Resumes and restarts share one Retries budget. Bytes pass straight
 * through; nothing is buffered beyond the first few bytes kept for sniffing.
 *
 * No `stream` module (n8n's community-package scanner refuses it): n8n 2.41's binary store reads what a node hands
 * `prepareBinaryData` in one of two ways, read from its source. Filesystem mode writes it with
 * `fs.promises.writeFile`, which takes any async iterable; `database` and S3 mode (and n8n's in-memory default)
 * collect it with `.on('data')`, `.once('end' | 'error' | 'close')`, `.off()` and `.destroy()`. DownloadBody offers
 * both, over the same chunks.
 */
import type { RawResponse, VideoApiClient } from './transport';
import type { Timer } from './timers';
import { startTimer } from './timers';
import { backoffDelay, cancelled, CancelledError, sleep } from './retries';

/** The body ended before its length; thrown from the body, so n8n never stores it as a whole file. */
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
 * Progress that keeps a download alive: less than this within the timeout is a stall. A server that
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

/**
 * What n8n's HTTP helper hands back for `encoding: 'stream'` (a Node readable), as far as this package uses it:
 * chunks to iterate, and a way to stop it. Named by shape, so no `stream` import is needed.
 */
export interface ByteSource extends AsyncIterable<unknown> {
	destroy(error?: Error): unknown;
	readonly readableAborted?: boolean;
}

export interface BodyRequest {
	path: string;
	qs?: Record<string, string>;
	taskId: string;
}

interface OpenedBody {
	stream: ByteSource;
	headers: Record<string, string>;
	/** 206: a proxy or CDN answered a request sent without Range with one slice of the file. */
	statusCode?: number;
}

/** Content-Length when it counts the bytes we will see (not for a compressed body). */
export function declaredLength(headers: Record<string, string>): number | null {
	const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
	if (encoding !== 'identity' && encoding !== '') return null;
	const value = headers['content-length'];
	if (!value || !/^\d+$/.test(value.trim())) return null;
	return Number(value.trim());
}

/**
 * Asked of every content request: a video is already compressed, and a body n8n's client decodes has a
 * Content-Length that does not count the bytes the node sees.
 */
export const IDENTITY: Readonly<Record<string, string>> = { 'Accept-Encoding': 'identity' };

/** A resume names the same file: it carries the validator (ETag, Last-Modified) the first answer had, unchanged. */
function sameValidator(first: string | undefined, later: string | undefined): boolean {
	return first === undefined || first === later;
}

/** `bytes 100-199/200` -> {start: 100, total: 200}. */
export function parseContentRange(value: string | undefined): { start: number; total: number | null } | null {
	const match = /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec((value ?? '').trim());
	if (!match) return null;
	return { start: Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) };
}

type Listener = (...args: unknown[]) => void;

/** One download's body: read by the sniffer first (readHead), then by n8n's binary store, as an iterable or as events. */
export class ContentBody implements AsyncIterable<Buffer> {
	private source: ByteSource;
	private iterator: AsyncIterator<unknown>;
	/** The file's size: Content-Length, a first slice's total, or a resume's total when the first answer had no length. */
	private expected: number | null;
	private acceptsRanges: boolean;
	/** What tells this file from a replaced one: a resume must carry the same (and asks for it with If-Range). */
	private readonly etag: string | undefined;
	private readonly lastModified: string | undefined;
	/** The size was said by a Content-Range (a first slice, or a resume spliced on): more bytes than that is not this file. */
	private sizeFromRange: boolean;
	/** A 206 whose bytes are not the file's start (or whose size is not said): never stored as the file. */
	readonly misplaced: boolean;
	private received = 0;
	private ended = false;
	private destroyed = false;
	private head: Buffer = Buffer.alloc(0);
	/** The most bytes the store takes, when known: past it the body errors instead of going on. */
	private maxBytes: number | null = null;
	/** Why the source was destroyed from here (a stall, Stop): what the pending read reports, whatever the socket says. */
	private fault: Error | undefined;

	/** How many resumes this body may still make (shared with the caller's restarts). */
	constructor(
		private readonly client: VideoApiClient,
		private readonly request: BodyRequest,
		first: OpenedBody,
		private readonly budget: { retriesLeft: number },
	) {
		this.source = first.stream;
		this.iterator = first.stream[Symbol.asyncIterator]();
		// A 206 to a request without Range is the first slice of the file: the file is Content-Range's total, and the
		// rest is resumed from where the slice ends (a server that sends slices takes ranges).
		const slice = first.statusCode === 206 ? parseContentRange(first.headers['content-range']) : null;
		this.expected = slice?.total ?? declaredLength(first.headers);
		this.acceptsRanges = slice !== null || (first.headers['accept-ranges'] ?? '').toLowerCase().includes('bytes');
		this.misplaced = first.statusCode === 206 && (slice === null || slice.start !== 0 || slice.total === null);
		// A weak ETag may not be sent as If-Range (RFC 9110 13.1.5): a server would answer the whole file.
		const etag = first.headers.etag;
		this.etag = etag && !etag.startsWith('W/') ? etag : undefined;
		this.lastModified = first.headers['last-modified'];
		this.sizeFromRange = slice !== null;
		// n8n aborts the request on Stop, but a body already streaming is not ended by that: end it here.
		client.signal?.addEventListener('abort', this.onAbort, { once: true });
	}

	private readonly onAbort = (): void => {
		this.cutOff(cancelled(this.client.node));
	};

	/**
	 * Ends the pending read with `fault`, and the current source. The read is ended here, not by the source:
	 * the stream n8n's HTTP helper returns does not always settle a pending read when destroyed. The fault is not
	 * passed to `destroy`: Node hands it on to the socket and the request, where nobody may be listening.
	 */
	private cutOff(fault: Error): void {
		this.fault = fault;
		this.rejectRead?.(fault);
		this.source.destroy();
	}

	/** Rejects the read in progress (see cutOff). */
	private rejectRead: ((error: Error) => void) | undefined;

	/** One read of the source that cutOff can end: one promise per chunk, nothing kept after it settles. */
	private async read(): Promise<IteratorResult<unknown>> {
		try {
			return await new Promise<IteratorResult<unknown>>((resolve, reject) => {
				this.rejectRead = reject;
				this.iterator.next().then(resolve, reject);
			});
		} finally {
			this.rejectRead = undefined;
		}
	}

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

	/**
	 * The next chunk, or null at the end; faults are resumed here when they can be. Per chunk this is one
	 * `iterator.next()` and a few additions: the watchdog is not touched per chunk (see `watch`).
	 */
	private async next(): Promise<Buffer | null> {
		for (;;) {
			if (this.destroyed) throw new IncompleteDownloadError(this.received, this.expected);
			if (this.client.signal?.aborted) throw cancelled(this.client.node);
			this.watch();
			let result: IteratorResult<unknown>;
			try {
				result = await this.read();
			} catch (error) {
				await this.resume(this.fault ?? error);
				continue;
			}
			if (this.fault) {
				// Cut off (Stop, a stall) just as a chunk arrived: the fault wins.
				await this.resume(this.fault);
				continue;
			}
			if (!result.done) {
				const value = result.value;
				const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
				this.received += chunk.length;
				if (this.expected !== null && this.received > this.expected) {
					// More bytes than a slice said: not this file. Start over.
					if (this.sizeFromRange) throw new IncompleteDownloadError(this.received, this.expected);
					// More bytes than a 200's length: n8n's client decoded a compressed body (and dropped its Content-Encoding),
					// so the length counted compressed bytes, and ranges would name compressed offsets.
					this.expected = null;
					this.acceptsRanges = false;
				}
				if (this.received - this.progressMark >= MIN_PROGRESS_BYTES) {
					this.progressMark = this.received;
					this.progressAt = Date.now();
				}
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
	 * One watchdog per body. Progress only stamps a time (per MIN_PROGRESS_BYTES); the timer fires at most once
	 * per Timeout, and re-arms for the rest of the window when there was progress since. Resetting a timer per
	 * chunk (or racing each read against one) was measured as a large part of a download's CPU time.
	 */
	private watchdog: Timer | undefined;
	private progressMark = 0;
	private progressAt = 0;

	private watch(): void {
		if (this.watchdog) return;
		this.progressMark = this.received;
		this.progressAt = Date.now();
		this.arm(this.client.options.timeoutMs);
	}

	private arm(ms: number): void {
		this.watchdog = startTimer(ms, () => {
			const idleMs = this.client.options.timeoutMs;
			const quietFor = Date.now() - this.progressAt;
			if (quietFor < idleMs) {
				this.arm(idleMs - quietFor);
				return;
			}
			this.watchdog = undefined;
			this.cutOff(new StalledDownloadError(this.received, idleMs));
		});
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
		this.stopWatchdog();
		this.source.destroy();
		this.fault = undefined;
		if (cause instanceof CancelledError || this.client.signal?.aborted) throw cancelled(this.client.node);
		const fault = cause instanceof StalledDownloadError || cause instanceof IncompleteDownloadError ? cause : new IncompleteDownloadError(this.received, this.expected);
		const validator = this.etag ?? this.lastModified;
		// A resume is spliced onto the bytes already stored: only where the file can be told to be the same one, by its
		// size or by a validator. Otherwise the whole file is asked for again (readContent).
		if (!this.acceptsRanges || (this.expected === null && validator === undefined) || this.budget.retriesLeft <= 0 || this.destroyed) throw fault;
		this.budget.retriesLeft--;
		const attempt = this.client.options.maxRetries - this.budget.retriesLeft - 1;
		await sleep(backoffDelay(attempt, this.client.options), this.client.signal, this.client.node);
		const headers: Record<string, string> = { ...IDENTITY, Range: `bytes=${this.received}-` };
		if (validator) headers['If-Range'] = validator;
		const response = await this.client.request(this.request.path, {
			qs: this.request.qs,
			action: 'download',
			taskId: this.request.taskId,
			headers,
		});
		const stream = response.body as ByteSource;
		const range = parseContentRange(response.headers['content-range']);
		if (
			this.destroyed ||
			response.statusCode !== 206 ||
			!range ||
			range.start !== this.received ||
			(this.expected !== null && range.total !== null && range.total !== this.expected) ||
			(this.expected === null && range.total === null) ||
			(range.total !== null && range.total <= range.start) ||
			!sameValidator(this.etag, response.headers.etag) ||
			!sameValidator(this.lastModified, response.headers['last-modified'])
		) {
			// The server sent something other than the missing part of this file (the whole file, a slice of unknown
			// size, or a replaced file that ignored If-Range): start over.
			stream.destroy();
			throw fault;
		}
		if (this.expected === null) this.expected = range.total;
		this.sizeFromRange = true;
		this.source = stream;
		this.iterator = stream[Symbol.asyncIterator]();
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
	 * Everything, head first, as it arrives (what `fs.promises.writeFile` reads). Chunks pass through unchanged:
	 * coalescing them into bigger writes was measured to double the garbage (and the peak memory) for no reliable
	 * gain. It errors rather than end short.
	 */
	async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
		try {
			if (this.head.length > 0) {
				const head = this.head;
				this.head = Buffer.alloc(0);
				yield head;
			}
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

	/** Listeners of the event surface (`database` mode): only what n8n's `streamToBuffer` uses. */
	private readonly listeners = new Map<string, Set<Listener>>();
	private flowing = false;

	on(event: string, listener: Listener): this {
		let set = this.listeners.get(event);
		if (!set) this.listeners.set(event, (set = new Set()));
		set.add(listener);
		// Like a readable, the body flows once someone reads its data.
		if (event === 'data' && !this.flowing) {
			this.flowing = true;
			void this.flow();
		}
		return this;
	}

	once(event: string, listener: Listener): this {
		const wrapped: Listener = (...args) => {
			this.off(event, wrapped);
			listener(...args);
		};
		(wrapped as { listener?: Listener }).listener = listener;
		return this.on(event, wrapped);
	}

	off(event: string, listener: Listener): this {
		const set = this.listeners.get(event);
		if (!set) return this;
		for (const entry of set) {
			if (entry === listener || (entry as { listener?: Listener }).listener === listener) set.delete(entry);
		}
		return this;
	}

	removeListener(event: string, listener: Listener): this {
		return this.off(event, listener);
	}

	private emit(event: string, ...args: unknown[]): void {
		for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
	}

	/** Pushes every chunk to the `data` listeners, then `end` (or `error`), then `close`. */
	private async flow(): Promise<void> {
		try {
			for await (const chunk of this) {
				if (this.destroyed) return;
				this.emit('data', chunk);
			}
			if (!this.destroyed) this.emit('end');
		} catch (error) {
			if (!this.destroyed) this.emit('error', error);
		}
		this.emit('close');
	}

	destroy(): void {
		this.destroyed = true;
		this.stopWatchdog();
		this.stopListening();
		this.source.destroy();
	}
}

/** One answer to a content request, as the client hands it back. */
export type ContentAnswer = RawResponse<unknown> & { attempts: number };

/** What a download does with one answer to its content request. */
export interface ContentReader<T> {
	/** An answer that is not a file (not 2xx, or 202): read as the error it is. */
	answer(response: ContentAnswer): Promise<T>;
	/** A file's body: sniff it and store it. A body fault it lets through starts the download over (see readContent). */
	file(body: ContentBody, response: ContentAnswer): Promise<T>;
}

/** Why a download ended: the last attempt's error, the attempts made (the first try, every resume and restart), the bytes it got. */
export class DownloadAttemptsError extends Error {
	constructor(
		readonly cause: unknown,
		readonly attempts: number,
		readonly bytesReceived: number,
	) {
		super('the download failed');
		this.name = 'DownloadAttemptsError';
	}
}

/** A body that broke off or stalled: what a restart (or a resume) can mend. */
export function isBodyFault(error: unknown): boolean {
	const name = (error as { name?: unknown } | null)?.name;
	return name === 'IncompleteDownloadError' || name === 'StalledDownloadError' || (error as { code?: unknown } | null)?.code === 'ECONNRESET';
}

/**
 * GET the content and hand the answer to `reader`. The one place a download is retried: the body resumes itself
 * with Range where the server allows it; otherwise a body fault asks for the whole file again and hands it to
 * `reader.file` afresh (n8n's store keeps nothing of a body that threw). Errors from an attempt come out as
 * DownloadAttemptsError with the attempts made; errors before a body (the request's own) come out as they are.
 */
export async function readContent<T>(client: VideoApiClient, request: BodyRequest, reader: ContentReader<T>): Promise<T> {
	const budget = { retriesLeft: client.options.maxRetries };
	for (let attempt = 0; ; attempt++) {
		const response = await client.request(request.path, { qs: request.qs, action: 'download', taskId: request.taskId, headers: { ...IDENTITY } });
		const { statusCode } = response;
		if (statusCode < 200 || statusCode >= 300 || statusCode === 202) return await reader.answer(response);
		const body = new ContentBody(client, request, { stream: response.body as ByteSource, headers: response.headers, statusCode }, budget);
		let failure: unknown;
		try {
			return await reader.file(body, response);
		} catch (error) {
			body.destroy();
			failure = error;
		}
		if (!isBodyFault(failure) || budget.retriesLeft <= 0) {
			throw new DownloadAttemptsError(failure, client.options.maxRetries - budget.retriesLeft + 1, body.bytesReceived);
		}
		budget.retriesLeft--;
		await sleep(backoffDelay(attempt, client.options), client.signal, client.node);
	}
}
