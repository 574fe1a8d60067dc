/** Media type, file name and "is this an error page?" decisions for downloaded content. */

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

/** Media type from magic bytes, or null when the bytes are not a format we know. */
export function sniffMimeType(head: Buffer): string | null {
	if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') {
		const brand = head.toString('latin1', 8, 12);
		if (brand === 'qt  ') return 'video/quicktime';
		return IMAGE_BRANDS[brand.toLowerCase()] ?? 'video/mp4';
	}
	if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
		return 'video/webm';
	}
	if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
		return 'image/webp';
	}
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
	if (head.length >= 4 && head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG') return 'image/png';
	if (head.length >= 4 && head.toString('latin1', 0, 4) === 'GIF8') return 'image/gif';
	return null;
}

/** Leading bytes that read as a JSON document or an HTML/XML page (after a BOM or white space). */
export function looksLikeTextDocument(head: Buffer): boolean {
	let text = head.toString('utf8');
	text = text.replace(/^\uFEFF/, '').trimStart();
	if (text === '') return false;
	if (text.startsWith('{') || text.startsWith('[')) return true;
	return /^<(!doctype|html|head|body|\?xml|error)/i.test(text);
}

/**
 * Decides whether a successful-looking answer is really an error message.
 * Known media magic wins over any header (gateways label files `text/plain`); then a textual
 * header or textual bytes mean an error.
 */
export function isErrorBody(contentType: string | undefined | null, head: Buffer): boolean {
	if (sniffMimeType(head) !== null) return false;
	if (isTextualMimeType(contentType)) return true;
	return looksLikeTextDocument(head);
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
