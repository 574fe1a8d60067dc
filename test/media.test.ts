import { defaultFileName, fileNameFromContentDisposition, isErrorBody, judgeContent, resolveMimeType, sanitizeFileName, sniffMimeType } from '../nodes/shared/media';
import { fakeJpeg, fakeMp4, fakeWebp } from './harness/server';

describe('magic bytes', () => {
	it.each([
		['MP4', fakeMp4(64), 'video/mp4'],
		['MOV', Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  ', 'latin1'), Buffer.alloc(8)]), 'video/quicktime'],
		['WebM', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4]), 'video/webm'],
		['WebP', fakeWebp(), 'image/webp'],
		['JPEG', fakeJpeg(), 'image/jpeg'],
		['PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png'],
	])('%s', (_name, head, mime) => {
		expect(sniffMimeType(head)).toBe(mime);
	});
	it.each([
		['AVIF', 'avif', 'image/avif'],
		['AVIF sequence', 'avis', 'image/avif'],
		['HEIC', 'heic', 'image/heic'],
		['HEIF', 'mif1', 'image/heif'],
		['MP4 (isom)', 'isom', 'video/mp4'],
		['MP4 (mp42)', 'mp42', 'video/mp4'],
	])('%s is told apart by its ftyp brand', (_name, brand, mime) => {
		const head = Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from(`ftyp${brand}`, 'latin1'), Buffer.alloc(16)]);
		expect(sniffMimeType(head)).toBe(mime);
		expect(resolveMimeType('video/mp4', head)).toBe(mime);
	});
	it('unknown bytes are not guessed', () => {
		expect(sniffMimeType(Buffer.from('hello world, not a video'))).toBeNull();
	});
});

describe('MIME type to store', () => {
	it('trusts a specific Content-Type', () => {
		expect(resolveMimeType('video/mp4', fakeMp4(64))).toBe('video/mp4');
		expect(resolveMimeType('Image/WebP; charset=binary', fakeWebp())).toBe('image/webp');
	});
	it.each(['application/octet-stream', 'binary/octet-stream', undefined, ''])('sniffs when the type is %p', (type) => {
		expect(resolveMimeType(type, fakeMp4(64))).toBe('video/mp4');
		expect(resolveMimeType(type, fakeJpeg())).toBe('image/jpeg');
	});
	it('keeps octet-stream for bytes nobody knows', () => {
		expect(resolveMimeType('binary/octet-stream', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).toBe('application/octet-stream');
	});
});

describe('error bodies are never files', () => {
	it.each([
		['JSON type', 'application/json', Buffer.from('{"error":{}}')],
		['JSON with charset', 'application/json; charset=utf-8', Buffer.from('{}')],
		['HTML type', 'text/html', Buffer.from('<html>')],
		['JSON bytes under octet-stream', 'application/octet-stream', Buffer.from('  {"message":"still processing"}')],
		['HTML bytes under video/mp4', 'video/mp4', Buffer.from('<!DOCTYPE html><html><body>502</body></html>')],
		['JSON bytes with a BOM and no type', undefined, Buffer.from('\uFEFF{"error":"x"}')],
		['HTML starting with a comment under octet-stream', 'application/octet-stream', Buffer.from('<!-- edge --><html><body>x</body></html>')],
		['HTML starting with a title', 'application/octet-stream', Buffer.from('<title>Just a moment...</title>')],
		['HTML starting with a meta tag', 'video/mp4', Buffer.from('<meta charset="utf-8"><p>x</p>')],
		['six bytes of text under video/mp4', 'video/mp4', Buffer.from('string')],
	])('%s (whatever the type: %p)', (_name, _type, head) => {
		expect(isErrorBody(head)).toBe(true);
		expect(judgeContent(head)).toEqual({ kind: 'message' });
	});
	it.each(['text/plain', 'text/html', 'application/json'])('real media under %s is a file, typed by its bytes', (type) => {
		expect(isErrorBody(fakeMp4(64))).toBe(false);
		expect(judgeContent(fakeMp4(64))).toEqual({ kind: 'media', mimeType: 'video/mp4' });
		expect(resolveMimeType(type, fakeMp4(64))).toBe('video/mp4');
	});
	it('unknown bytes are neither a file nor a message: they are refused', () => {
		expect(isErrorBody(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]))).toBe(false);
		expect(judgeContent(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]))).toEqual({ kind: 'unknown' });
	});
});

describe('file names', () => {
	it.each([
		['attachment; filename="video.mp4"', 'video.mp4'],
		['attachment; filename=clip.mp4', 'clip.mp4'],
		["attachment; filename*=UTF-8''my%20clip%20%E2%9C%93.mp4", 'my clip ✓.mp4'],
		['attachment; filename="fallback.mp4"; filename*=UTF-8\'\'real.mp4', 'real.mp4'],
		['attachment; filename="../../etc/passwd"', 'passwd'],
		['attachment; filename="a\\"b.mp4"', 'a_b.mp4'],
		['attachment; filename=".."', null],
		['inline', null],
	])('%s -> %p', (header, expected) => {
		expect(fileNameFromContentDisposition(header)).toBe(expected);
	});
	it('defaults to <taskId>.<ext>, with the variant for images', () => {
		expect(defaultFileName('video_1', 'video', 'video/mp4')).toBe('video_1.mp4');
		expect(defaultFileName('video_1', 'thumbnail', 'image/webp')).toBe('video_1_thumbnail.webp');
		expect(defaultFileName('video_1', 'spritesheet', 'image/jpeg')).toBe('video_1_spritesheet.jpg');
		expect(defaultFileName('../x', 'video', 'application/octet-stream')).toBe('x.bin');
	});
	it('sanitizes names', () => {
		expect(sanitizeFileName('dir/sub\\name.mp4')).toBe('name.mp4');
		expect(sanitizeFileName('bad\u0000name?.mp4')).toBe('bad_name_.mp4');
		expect(sanitizeFileName('...')).toBe('');
		expect(sanitizeFileName('clip\u202Egpj.exe')).toBe('clipgpj.exe');
		expect(sanitizeFileName('a\u2066b\u2069\u200Fc\u061C.mp4')).toBe('abc.mp4');
		expect(sanitizeFileName('bell\u0007\u0085.mp4')).toBe('bell__.mp4');
	});
});
