/**
 * A streaming multipart/form-data reader for the provider simulator (RFC 7578 / RFC 2046), Node only.
 * Bytes are handed on as they arrive, so a reference image of many MiB is hashed, never buffered whole.
 * Dev tool only (tests, e2e, demo); never shipped in dist.
 */
import type { Readable } from 'stream';

export interface PartHeaders {
	/** The `name` of Content-Disposition. */
	name: string;
	/** The `filename` of Content-Disposition (`filename*` wins when both are given), or null for a plain field. */
	filename: string | null;
	/** The part's Content-Type, or null when it sends none. */
	contentType: string | null;
	/** Every header of the part, names in lower case. */
	raw: Record<string, string>;
}

export interface PartSink {
	data(chunk: Buffer): void;
	end(): void;
}

/** The boundary of a `multipart/form-data; boundary=...` Content-Type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
	if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
	const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
	return match ? (match[1] ?? match[2]) : null;
}

/** Parameters of a header value such as `form-data; name="a"; filename="b.png"`. */
export function headerParameters(value: string): Record<string, string> {
	const out: Record<string, string> = {};
	const pattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
	for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
		const key = match[1].toLowerCase();
		out[key] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3].trim();
	}
	return out;
}

function partHeaders(block: string): PartHeaders {
	const raw: Record<string, string> = {};
	for (const line of block.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) raw[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	const disposition = headerParameters(raw['content-disposition'] ?? '');
	let filename: string | null = disposition.filename ?? null;
	const extended = /^([^']*)'[^']*'(.*)$/.exec(disposition['filename*'] ?? '');
	if (extended) {
		try {
			filename = decodeURIComponent(extended[2]);
		} catch {
			filename = extended[2];
		}
	}
	return { name: disposition.name ?? '', filename, contentType: raw['content-type'] ?? null, raw };
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Reads a multipart body from `stream`, calling `onPart` for each part (it returns where the part's
 * bytes go). Resolves when the closing delimiter has been read; rejects on a malformed or cut body.
 */
export async function readMultipart(stream: Readable, boundary: string, onPart: (headers: PartHeaders) => PartSink): Promise<void> {
	// Searching for CRLF--boundary everywhere, with a CRLF put in front of the body, also finds the first delimiter.
	const delimiter = Buffer.from(`\r\n--${boundary}`);
	// Widened on purpose: `step` changes it, which the compiler's narrowing cannot see.
	let state = 'preamble' as 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done';
	let pending: Buffer = Buffer.from(CRLF);
	let sink: PartSink | undefined;

	const step = (): boolean => {
		switch (state) {
			case 'preamble':
			case 'body': {
				const at = pending.indexOf(delimiter);
				if (at < 0) {
					// Keep what could still be the start of a delimiter.
					const keep = Math.min(pending.length, delimiter.length - 1);
					if (state === 'body' && pending.length > keep) sink?.data(pending.subarray(0, pending.length - keep));
					pending = pending.subarray(pending.length - keep);
					return false;
				}
				if (state === 'body') {
					if (at > 0) sink?.data(pending.subarray(0, at));
					sink?.end();
					sink = undefined;
				}
				pending = pending.subarray(at + delimiter.length);
				state = 'afterDelimiter';
				return true;
			}
			case 'afterDelimiter': {
				if (pending.length < 2) return false;
				if (pending[0] === 0x2d && pending[1] === 0x2d) {
					state = 'done';
					return false;
				}
				// Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
				const end = pending.indexOf(CRLF);
				if (end < 0) {
					if (pending.length > 256) throw new Error('malformed multipart body: no line break after a boundary');
					return false;
				}
				if (!/^[ \t]*$/.test(pending.subarray(0, end).toString('latin1'))) throw new Error('malformed multipart body: text after a boundary');
				pending = pending.subarray(end + 2);
				state = 'headers';
				return true;
			}
			case 'headers': {
				// A part without headers has its blank line right away.
				const empty = pending.length >= 2 && pending[0] === 0x0d && pending[1] === 0x0a;
				const end = empty ? -2 : pending.indexOf(HEADER_END);
				if (!empty && end < 0) {
					if (pending.length > MAX_HEADER_BYTES) throw new Error('malformed multipart body: part headers too long');
					return false;
				}
				const block = empty ? '' : pending.subarray(0, end).toString('utf8');
				pending = pending.subarray(empty ? 2 : end + 4);
				sink = onPart(partHeaders(block));
				state = 'body';
				return true;
			}
			default:
				return false;
		}
	};

	for await (const chunk of stream) {
		if (state === 'done') continue; // The epilogue is ignored (but read, so the client can finish sending).
		pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
		while (step()) {
			// Each step consumes what it can.
		}
	}
	if (state !== 'done') throw new Error('incomplete multipart body: the closing boundary never came');
}
