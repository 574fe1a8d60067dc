/** Media type, file name and "is this an error page?" decisions for downloaded content. */
import { isUnreadable, isWebPage } from './dialect';

/** How many leading bytes the sniffer needs. */
export const SNIFF_BYTES = 64;

const GENERIC_TYPES = new Set([
	'',
	'application/octet-stream',
	'binary/octet-stream',
	'application/binary',
	'application/x-binary',
	'application/download',
	'application/force-download',
	'application/x-download',
]);

const EXTENSIONS: Record<string, string> = {
	'video/mp4': 'mp4',
	'video/quicktime': 'mov',
	'video/webm': 'webm',
	'video/x-matroska': 'mkv',
	'image/webp': 'webp',
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/gif': 'gif',
	'image/avif': 'avif',
	'image/heic': 'heic',
	'image/heif': 'heif',
};

/** ISO-BMFF brands of still images: the same `ftyp` box as MP4, so the brand decides. */
const IMAGE_BRANDS: Record<string, string> = {
	avif: 'image/avif',
	avis: 'image/avif',
	heic: 'image/heic',
	heix: 'image/heic',
	heim: 'image/heic',
	heis: 'image/heic',
	mif1: 'image/heif',
	msf1: 'image/heif',
};

/** `Video/MP4; charset=x` -> `video/mp4`. */
export function baseMimeType(contentType: string | undefined | null): string {
	return String(contentType ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
}

export function isGenericMimeType(contentType: string | undefined | null): boolean {
	return GENERIC_TYPES.has(baseMimeType(contentType));
}

/** Types that carry a message, never a video: JSON, HTML, XML and plain text. */
export function isTextualMimeType(contentType: string | undefined | null): boolean {
	const type = baseMimeType(contentType);
	return (
		type.startsWith('text/') ||
		type === 'application/json' ||
		type.endsWith('+json') ||
		type === 'application/xml' ||
		type === 'application/xhtml+xml' ||
		type === 'application/problem+json'
	);
}

/** ISO-BMFF brands of audio-only files: the same `ftyp` box as MP4, but never a video or an image. */
const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);

/** The atoms a classic QuickTime file (one without `ftyp`) starts with. */
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** The sizes an `ftyp` box can have: its brand and version (16 bytes) and at most a thousand compatible brands. */
const MIN_FTYP_SIZE = 16;
const MAX_FTYP_SIZE = 4096;

function isPrintableAscii(head: Buffer, start: number, end: number): boolean {
	for (let i = start; i < end; i++) if (head[i] < 0x20 || head[i] > 0x7e) return false;
	return true;
}

/**
 * Media type from the file's signature, or null when the bytes are not a video or image format we know:
 * ISO-BMFF `ftyp` (MP4 and its video brands, QuickTime `qt  `, AVIF and HEIC/HEIF by brand), classic QuickTime
 * (`moov`, `mdat`, `wide`, `free`, `skip` or `pnot` first), WebM and Matroska (EBML), PNG, JPEG, WebP and GIF.
 */
export function sniffMimeType(head: Buffer): string | null {
	if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') {
		const size = head.readUInt32BE(0);
		if (size < MIN_FTYP_SIZE || size > MAX_FTYP_SIZE || !isPrintableAscii(head, 8, 12)) return null;
		const brand = head.toString('latin1', 8, 12);
		if (brand === 'qt  ') return 'video/quicktime';
		if (AUDIO_BRANDS.has(brand)) return null;
		return IMAGE_BRANDS[brand.toLowerCase()] ?? 'video/mp4';
	}
	if (head.length >= 8 && QUICKTIME_ATOMS.has(head.toString('latin1', 4, 8))) {
		// An atom's size is 0 (to the end), 1 (64-bit size follows) or at least its own 8 bytes; and text such as
		// "Feelfree to retry" has a type-looking word at the same place, so a head that reads as text is not one.
		const size = head.readUInt32BE(0);
		if ((size === 0 || size === 1 || size >= 8) && !looksLikeText(head)) return 'video/quicktime';
		return null;
	}
	if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
		// EBML: the DocType in the header tells Matroska from WebM.
		return head.toString('latin1', 4, Math.min(head.length, 64)).includes('matroska') ? 'video/x-matroska' : 'video/webm';
	}
	if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
		return 'image/webp';
	}
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
	if (head.length >= 8 && head[0] === 0x89 && head.toString('latin1', 1, 8) === 'PNG\r\n\x1a\n') return 'image/png';
	if (head.length >= 6 && (head.toString('latin1', 0, 6) === 'GIF87a' || head.toString('latin1', 0, 6) === 'GIF89a')) return 'image/gif';
	return null;
}

/** How much of a head is read to tell text from binary and markup from anything else. */
const TEXT_SAMPLE = 1024;

/** The length of `bytes` without a UTF-8 sequence cut off at its end (the head ends where a chunk ended). */
function completeUtf8Length(bytes: Buffer): number {
	let start = bytes.length - 1;
	while (start >= 0 && bytes.length - start < 4 && (bytes[start] & 0xc0) === 0x80) start--;
	if (start < 0) return bytes.length;
	const lead = bytes[start];
	const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	return bytes.length - start < needed ? start : bytes.length;
}

/** Bytes that are text: UTF-8 without a NUL and (almost) without control characters. */
export function looksLikeText(head: Buffer): boolean {
	const sample = head.subarray(0, TEXT_SAMPLE);
	if (sample.length === 0 || sample.includes(0)) return false;
	const complete = sample.length === head.length ? sample : sample.subarray(0, completeUtf8Length(sample));
	return complete.length > 0 && !isUnreadable(complete.toString('utf8'));
}

/**
 * Leading bytes that read as a JSON document, a web page (after comments, a title or a meta tag too) or an XML
 * document, after a byte order mark and white space, in any 8-bit encoding.
 */
export function looksLikeTextDocument(head: Buffer): boolean {
	const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
	const text = head.toString('latin1', bom, Math.min(head.length, TEXT_SAMPLE)).trimStart();
	if (text === '') return false;
	if (text.startsWith('{') || text.startsWith('[')) return true;
	if (isWebPage(text)) return true;
	const start = text.slice(0, 6).toLowerCase();
	return start.startsWith('<?xml') || start.startsWith('<error');
}

/** What a downloaded body is, by its first bytes alone (never by its Content-Type). */
export type ContentVerdict =
	/** A known video or image format: a file. */
	| { kind: 'media'; mimeType: string }
	/** Text, HTML, XML or JSON: an error answer, whatever the Content-Type and the HTTP status say. */
	| { kind: 'message' }
	/** Neither: refused, saying what arrived. */
	| { kind: 'unknown' };

/**
 * The one acceptance rule for downloads: the signature decides. Gateways label videos `text/plain`, thumbnails
 * `video/mp4` and web pages `application/octet-stream`; none of that counts.
 */
export function judgeContent(head: Buffer): ContentVerdict {
	const mimeType = sniffMimeType(head);
	if (mimeType !== null) return { kind: 'media', mimeType };
	if (looksLikeTextDocument(head) || looksLikeText(head)) return { kind: 'message' };
	return { kind: 'unknown' };
}

/** Whether a successful-looking answer is really an error message (text, HTML, XML or JSON), by its bytes alone. */
export function isErrorBody(head: Buffer): boolean {
	return judgeContent(head).kind === 'message';
}

/**
 * The media type to store. Known magic bytes win over the header: a thumbnail sent as
 * `video/mp4` that is really a WebP is stored as what arrived. Else the header, unless generic.
 */
export function resolveMimeType(contentType: string | undefined | null, head: Buffer): string {
	const sniffed = sniffMimeType(head);
	if (sniffed !== null) return sniffed;
	if (!isGenericMimeType(contentType) && !isTextualMimeType(contentType)) return baseMimeType(contentType);
	return 'application/octet-stream';
}

/** `video/mp4` -> 'video', `image/webp` -> 'image', anything else -> null. */
export function mediaKind(mimeType: string): 'video' | 'image' | null {
	if (mimeType.startsWith('video/')) return 'video';
	if (mimeType.startsWith('image/')) return 'image';
	return null;
}

export function extensionFor(mimeType: string): string {
	const known = EXTENSIONS[mimeType];
	if (known) return known;
	const subtype = mimeType.split('/')[1] ?? '';
	return /^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin';
}

/** Control characters (C0, DEL, C1) and characters file systems reject. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f<>:"|?*]/g;
/** Invisible direction marks and overrides: they can make `gpj.exe` display as `exe.jpg`. */
const DIRECTION_CHARACTERS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Removes directories, control and direction characters and characters file systems reject; never returns '' or a dot name. */
export function sanitizeFileName(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? '';
	const cleaned = base.replace(DIRECTION_CHARACTERS, '').replace(UNSAFE_NAME_CHARACTERS, '_').trim().slice(0, 200);
	return /^\.*$/.test(cleaned) ? '' : cleaned;
}

/**
 * The parameters of a Content-Disposition header, names lower-cased, quoted values unquoted (`\\x` stands for
 * `x`), the first of each name kept. One pass over the header, `;` inside quotes kept: a regular expression with
 * white space on both sides of `=` backtracks.
 */
function dispositionParameters(header: string): Map<string, string> {
	const parameters = new Map<string, string>();
	let name = '';
	let value = '';
	let inValue = false;
	let valueStarted = false;
	let quoted: 'no' | 'open' | 'closed' = 'no';
	const finish = () => {
		const key = name.trim().toLowerCase();
		if (inValue && key !== '' && !parameters.has(key)) parameters.set(key, quoted === 'closed' ? value : value.trim());
		name = '';
		value = '';
		inValue = false;
		valueStarted = false;
		quoted = 'no';
	};
	for (let i = 0; i < header.length; i++) {
		const char = header[i];
		if (quoted === 'open') {
			if (char === '\\' && i + 1 < header.length) value += header[++i];
			else if (char === '"') quoted = 'closed';
			else value += char;
		} else if (char === ';') {
			finish();
		} else if (!inValue) {
			if (char === '=') inValue = true;
			else name += char;
		} else if (quoted === 'no' && char === '"' && !valueStarted) {
			value = '';
			quoted = 'open';
		} else if (quoted === 'no') {
			value += char;
			if (char.trim() !== '') valueStarted = true;
		}
	}
	// A quote left open keeps what followed it.
	finish();
	return parameters;
}

/** File name from a Content-Disposition header (RFC 6266: `filename*` wins over `filename`). */
export function fileNameFromContentDisposition(header: string | undefined | null): string | null {
	if (!header) return null;
	const parameters = dispositionParameters(header);
	const extended = parameters.get('filename*');
	if (extended !== undefined) {
		// charset'language'percent-encoded-name
		const first = extended.indexOf("'");
		const second = first === -1 ? -1 : extended.indexOf("'", first + 1);
		if (second !== -1) {
			try {
				const name = sanitizeFileName(decodeURIComponent(extended.slice(second + 1).trim()));
				if (name) return name;
			} catch {
				// A malformed percent-encoding falls through to the plain parameter.
			}
		}
	}
	const plain = parameters.get('filename');
	if (plain === undefined) return null;
	return sanitizeFileName(plain) || null;
}

/** `<taskId>.<ext>`, or `<taskId>_<variant>.<ext>` for thumbnails and spritesheets. */
export function defaultFileName(taskId: string, variant: string, mimeType: string): string {
	const stem = sanitizeFileName(taskId).replace(/\s+/g, '_') || 'video';
	const suffix = variant && variant !== 'video' ? `_${variant}` : '';
	return `${stem}${suffix}.${extensionFor(mimeType)}`;
}

/** The first bytes of a stored file (n8n's binary store or its in-memory copy): leaving the loop early ends (destroys) the stream, so only the head is read. */
export async function headOfStoredFile(open: () => Promise<Buffer | AsyncIterable<unknown>>): Promise<Buffer> {
	const source = await open();
	if (Buffer.isBuffer(source)) return source.subarray(0, SNIFF_BYTES);
	const chunks: Buffer[] = [];
	let length = 0;
	for await (const chunk of source) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
		chunks.push(buffer);
		length += buffer.length;
		if (length >= SNIFF_BYTES) break;
	}
	return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
}
