/**
 * A multipart/form-data body that streams: the reference image flows from n8n's binary store to the socket,
 * never whole in memory. No dependency and no `stream` module: the format is a few boundaries and headers, and
 * the body is handed to n8n's HTTP helper as a Blob-like object (axios, under it, sends a Blob's size as
 * Content-Length and reads its chunks through its async iterator).
 */
import { randomBytes } from 'crypto';

import type { OutgoingBody } from './transport';

export interface FilePart {
	field: string;
	fileName: string;
	mimeType: string;
	/** Opens the file afresh (a stream can be read once). */
	open: () => Promise<AsyncIterable<unknown> | Buffer>;
	/** Bytes, when known: then the body streams (a Blob must say its size); otherwise the file is read first. */
	size?: number;
}

/**
 * Parts of a body read lazily, once, in order. `Symbol.toStringTag` 'Blob' is how axios recognizes a Blob; the
 * own `size` and `type` fields are what it sends as Content-Length and Content-Type (and what tell n8n's
 * helper the body is not empty).
 */
export class StreamedBody implements AsyncIterable<Buffer> {
	readonly [Symbol.toStringTag] = 'Blob';

	constructor(
		readonly size: number,
		readonly type: string,
		private readonly parts: () => AsyncGenerator<Buffer>,
	) {}

	[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
		return this.parts();
	}
}

/** Quotes a value for a Content-Disposition parameter; the characters that could break the header go. */
function quoted(value: string): string {
	return `"${value.replace(/[\r\n"\\]/g, '_')}"`;
}

function asBuffer(chunk: unknown): Buffer {
	if (Buffer.isBuffer(chunk)) return chunk;
	if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
	return Buffer.from(chunk as Uint8Array);
}

/** A file whose size is not known, read into memory (only when n8n's store did not say its size). */
async function readWhole(file: FilePart): Promise<Buffer> {
	const content = await file.open();
	if (Buffer.isBuffer(content)) return content;
	const chunks: Buffer[] = [];
	for await (const chunk of content) chunks.push(asBuffer(chunk));
	return Buffer.concat(chunks);
}

export function multipartBody(fields: Array<[string, string]>, files: FilePart[]): () => Promise<OutgoingBody> {
	const boundary = `----n8nSoraVideo${randomBytes(12).toString('hex')}`;
	const contentType = `multipart/form-data; boundary=${boundary}`;
	const fieldParts = fields.map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`, 'utf8'));
	const fileHeads = files.map((file) =>
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; filename=${quoted(file.fileName)}\r\nContent-Type: ${file.mimeType}\r\n\r\n`,
			'utf8',
		),
	);
	const crlf = Buffer.from('\r\n');
	const closing = Buffer.from(`--${boundary}--\r\n`, 'utf8');
	return async () => {
		// Per attempt: a file of unknown size is read once here, so the body's length is known.
		const known = await Promise.all(files.map(async (file) => (file.size === undefined ? await readWhole(file) : null)));
		const sizes = files.map((file, index) => known[index]?.length ?? (file.size as number));
		const length =
			fieldParts.reduce((sum, part) => sum + part.length, 0) +
			fileHeads.reduce((sum, head, index) => sum + head.length + sizes[index] + crlf.length, 0) +
			closing.length;
		async function* parts(): AsyncGenerator<Buffer> {
			for (const part of fieldParts) yield part;
			for (let index = 0; index < files.length; index++) {
				yield fileHeads[index];
				const content = known[index] ?? (await files[index].open());
				if (Buffer.isBuffer(content)) yield content;
				else for await (const chunk of content) yield asBuffer(chunk);
				yield crlf;
			}
			yield closing;
		}
		return { data: new StreamedBody(length, contentType, parts), contentType, length };
	};
}
