/**
 * A multipart/form-data body built as a stream: the reference image flows from n8n's binary store to the
 * socket, never whole in memory. No dependency: the format is a few boundaries and headers.
 */
import { randomBytes } from 'crypto';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the reference image is streamed into the request body (not n8n Cloud eligible)
import { Readable } from 'stream';

import type { OutgoingBody } from './transport';

export interface FilePart {
	field: string;
	fileName: string;
	mimeType: string;
	/** Opens the file afresh (a stream can be read once). */
	open: () => Promise<Readable | Buffer>;
	/** Bytes, when known: then the whole body gets a Content-Length. */
	size?: number;
}

/** Quotes a value for a Content-Disposition parameter; the characters that could break the header go. */
function quoted(value: string): string {
	return `"${value.replace(/[\r\n"\\]/g, '_')}"`;
}

export function multipartBody(fields: Array<[string, string]>, files: FilePart[]): () => Promise<OutgoingBody> {
	const boundary = `----n8nSoraVideo${randomBytes(12).toString('hex')}`;
	const fieldParts = fields.map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`, 'utf8'));
	const fileHeads = files.map((file) =>
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; filename=${quoted(file.fileName)}\r\nContent-Type: ${file.mimeType}\r\n\r\n`,
			'utf8',
		),
	);
	const crlf = Buffer.from('\r\n');
	const closing = Buffer.from(`--${boundary}--\r\n`, 'utf8');
	const sizes = files.map((file) => file.size);
	const length = sizes.every((size): size is number => size !== undefined)
		? fieldParts.reduce((sum, part) => sum + part.length, 0) +
			fileHeads.reduce((sum, head, index) => sum + head.length + sizes[index]! + crlf.length, 0) +
			closing.length
		: undefined;
	return async () => {
		async function* parts(): AsyncGenerator<Buffer> {
			for (const part of fieldParts) yield part;
			for (let index = 0; index < files.length; index++) {
				yield fileHeads[index];
				const content = await files[index].open();
				if (Buffer.isBuffer(content)) yield content;
				else for await (const chunk of content) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
				yield crlf;
			}
			yield closing;
		}
		return { data: Readable.from(parts(), { objectMode: false }), contentType: `multipart/form-data; boundary=${boundary}`, length };
	};
}
