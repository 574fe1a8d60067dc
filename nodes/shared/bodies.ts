/**
 * Bodies that are not files: read within a byte limit and a deadline (a trickling or endless answer is cut off,
 * never held), and parsed as JSON only when they are JSON of a sane depth. A file's body is contentBody.ts.
 */
import type { ByteSource } from './contentBody';
import type { NetworkFailure } from './retries';
import { describeFailure } from './retries';
import { startTimer } from './timers';

/**
 * The most we read of an answer that is not a file. A task is a few KiB and a list page of 100 tasks a few
 * hundred; anything far larger is not an API answer (a file or a runaway page) and is not held in memory.
 */
export const BODY_LIMITS = {
	status: 1024 * 1024,
	list: 8 * 1024 * 1024,
	/** Error answers are only quoted: the head is enough, the rest is not read. */
	error: 64 * 1024,
} as const;

export interface CappedRead {
	text: string;
	/** The body went on past the limit; only the limit was read. */
	truncated: boolean;
	/** The body broke off or ran past the deadline; `text` has what arrived before. */
	failure?: NetworkFailure;
}

/**
 * Reads at most `limit` bytes of a body, and only until `deadline` (epoch ms): a server that trickles
 * a byte at a time is cut off like a silent one. The stream is always destroyed afterwards.
 */
export async function readCapped(stream: ByteSource, limit: number, deadline: number, signal?: AbortSignal): Promise<CappedRead> {
	const chunks: Buffer[] = [];
	let length = 0;
	let truncated = false;
	let timedOut = false;
	let failure: NetworkFailure | undefined;
	const timer = startTimer(deadline - Date.now(), () => {
		timedOut = true;
		stream.destroy();
	});
	// n8n aborts the request on Stop, but a body already streaming is not ended by that.
	const onAbort = () => stream.destroy();
	signal?.addEventListener('abort', onAbort, { once: true });
	if (signal?.aborted) stream.destroy();
	try {
		for await (const chunk of stream) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			chunks.push(buffer);
			length += buffer.length;
			if (length > limit) {
				truncated = true;
				break;
			}
		}
	} catch (error) {
		failure = describeFailure(error);
	} finally {
		timer.cancel();
		signal?.removeEventListener('abort', onAbort);
		stream.destroy();
	}
	if (signal?.aborted) failure = { code: 'ERR_CANCELED', detail: 'the execution was cancelled' };
	else if (timedOut) failure = { code: 'ETIMEDOUT', detail: 'the answer did not arrive completely in time' };
	else if (!failure && stream.readableAborted && !truncated) failure = { code: 'ECONNRESET', detail: 'the connection broke during the answer' };
	return { text: Buffer.concat(chunks).subarray(0, limit).toString('utf8'), truncated, failure };
}

/** Deeper than this, JSON is not an API's answer (real ones nest a handful of levels): it is kept as text. */
export const MAX_JSON_DEPTH = 64;

/**
 * Kept as module constants: walks over a million values call them per value, and where globals are looked up
 * through an interceptor (a vm context, as under jest) each lookup would cost more than the work itself.
 */
const isArray = Array.isArray;

const objectValues = Object.values;

/** Whether a parsed JSON value nests deeper than `max`; an explicit stack, no recursion. */
function nestsDeeperThan(value: unknown, max: number): boolean {
	if (value === null || typeof value !== 'object') return false;
	const stack: object[] = [value];
	const depths: number[] = [1];
	while (stack.length > 0) {
		const container = stack.pop() as object;
		const childDepth = (depths.pop() as number) + 1;
		const entries: unknown[] = isArray(container) ? (container as unknown[]) : objectValues(container);
		for (let index = 0; index < entries.length; index++) {
			const entry = entries[index];
			if (entry === null || typeof entry !== 'object') continue;
			if (childDepth > max) return true;
			// An empty array holds nothing deeper (a body of a million `[]` costs no stack).
			if (isArray(entry) && entry.length === 0) continue;
			stack.push(entry);
			depths.push(childDepth);
		}
	}
	return false;
}

/**
 * Parses JSON when it is JSON; otherwise returns the text itself. JSON nested deeper than MAX_JSON_DEPTH stays
 * text too: nothing downstream (n8n's own copies of output data included) has to walk a million levels.
 */
export function parseBody(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string') return body;
	const trimmed = body.trim();
	if (trimmed === '') return '';
	let parsed: unknown;
	try {
		parsed = JSON.parse(trimmed) as unknown;
	} catch {
		return body;
	}
	return nestsDeeperThan(parsed, MAX_JSON_DEPTH) ? body : parsed;
}

export function destroyBody(body: unknown): void {
	if (body && typeof body === 'object' && typeof (body as ByteSource).destroy === 'function') {
		(body as ByteSource).destroy();
	}
}
