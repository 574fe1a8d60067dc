/**
 * One acceptance rule for downloaded files (issue 15, section 2): the bytes' signature decides, never the
 * Content-Type. Bodies of every kind (each media signature, HTML starting with a comment, a title, a meta tag or a
 * doctype, XML, JSON, plain text, unknown bytes) are generated under every Content-Type, and checked against the
 * rule, first on the classifier itself and then through Download Content in n8n's real engine.
 */
import fc from 'fast-check';
import nock from 'nock';

import { judgeContent, sniffMimeType } from '../nodes/shared/media';
import { storedFiles, useBinaryMode } from './harness/engine';
import { useNock } from './harness/nock';
import { fileFacts, KEY, runSora } from './harness/sora';

type Kind = 'media' | 'message' | 'unknown';

interface Body {
	bytes: Buffer;
	kind: Kind;
	/** For media: the type the bytes are. */
	mimeType?: string;
	label: string;
}

const tail = (maxLength = 300) => fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes));

function box(size: number, type: string, rest: Buffer): Buffer {
	const header = Buffer.alloc(8);
	header.writeUInt32BE(size, 0);
	header.write(type, 4, 'latin1');
	return Buffer.concat([header, rest]);
}

const ftyp = (brand: string) => Buffer.concat([Buffer.from(brand, 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from(`${brand}iso2mp41`, 'latin1')]);

/** Every media signature the rule accepts, each followed by arbitrary bytes. */
const MEDIA: Array<[string, string, fc.Arbitrary<Buffer>]> = [
	...['isom', 'iso2', 'mp41', 'mp42', 'avc1', 'M4V ', 'dash', '3gp5'].map((brand): [string, string, fc.Arbitrary<Buffer>] => [`MP4 (${brand})`, 'video/mp4', tail().map((rest) => Buffer.concat([box(28, 'ftyp', ftyp(brand)), rest]))]),
	['QuickTime (ftyp qt)', 'video/quicktime', tail().map((rest) => Buffer.concat([box(20, 'ftyp', Buffer.concat([Buffer.from('qt  ', 'latin1'), Buffer.alloc(8)])), rest]))],
	...['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].map((atom): [string, string, fc.Arbitrary<Buffer>] => [
		`classic QuickTime (${atom} first)`,
		'video/quicktime',
		fc.tuple(fc.constantFrom(0, 1, 8, 20, 0x6c, 0x1234, 0x0a000000), tail()).map(([size, rest]) => Buffer.concat([box(size, atom, Buffer.from([0, 0, 0, 0x6c])), Buffer.from('mvhd', 'latin1'), rest])),
	]),
	['WebM', 'video/webm', tail().map((rest) => Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84]), Buffer.from('webm', 'latin1'), rest]))],
	['Matroska', 'video/x-matroska', tail().map((rest) => Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88]), Buffer.from('matroska', 'latin1'), rest]))],
	['PNG', 'image/png', tail().map((rest) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), rest]))],
	['JPEG', 'image/jpeg', tail().map((rest) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), rest]))],
	['WebP', 'image/webp', tail().map((rest) => Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'), rest]))],
	['GIF87a', 'image/gif', tail().map((rest) => Buffer.concat([Buffer.from('GIF87a', 'latin1'), rest]))],
	['GIF89a', 'image/gif', tail().map((rest) => Buffer.concat([Buffer.from('GIF89a', 'latin1'), rest]))],
	['AVIF', 'image/avif', tail().map((rest) => Buffer.concat([box(28, 'ftyp', ftyp('avif')), rest]))],
	['HEIC', 'image/heic', tail().map((rest) => Buffer.concat([box(28, 'ftyp', ftyp('heic')), rest]))],
	['HEIF', 'image/heif', tail().map((rest) => Buffer.concat([box(28, 'ftyp', ftyp('mif1')), rest]))],
];

const words = fc.stringMatching(/^[A-Za-z0-9 .,:;!?'"()\n-]{0,60}$/);
const prefix = fc.constantFrom('', ' ', '\n', '\r\n\t', '\uFEFF', '\uFEFF  ');

/** Bodies that carry a message: every one is an error answer, whatever its Content-Type. */
const MESSAGES: Array<[string, fc.Arbitrary<string>]> = [
	['HTML starting with a comment', fc.tuple(prefix, words, words).map(([p, a, b]) => `${p}<!-- ${a} -->${b}<html><body>${b}</body></html>`)],
	['HTML starting with comments only', fc.tuple(prefix, fc.integer({ min: 1, max: 30 })).map(([p, n]) => `${p}${'<!---->'.repeat(n)}<p>not found</p>`)],
	['HTML starting with a title', fc.tuple(prefix, words).map(([p, a]) => `${p}<title>${a}</title><p>${a}</p>`)],
	['HTML starting with a meta tag', fc.tuple(prefix, words).map(([p, a]) => `${p}<meta charset="utf-8"><meta http-equiv="refresh" content="0"><p>${a}</p>`)],
	['HTML with a doctype', fc.tuple(prefix, words).map(([p, a]) => `${p}<!DOCTYPE html><html><head><title>${a}</title></head></html>`)],
	['HTML in Latin-1 (not UTF-8)', words.map((a) => `<html><body>Caf\u00e9 ${a}</body></html>`)],
	['XML storage error', fc.tuple(prefix, words).map(([p, a]) => `${p}<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${a}</Message></Error>`)],
	['XML without a declaration', words.map((a) => `<Error><Code>NoSuchKey</Code><Message>${a}</Message></Error>`)],
	['JSON object', fc.tuple(prefix, fc.jsonValue()).map(([p, value]) => `${p}${JSON.stringify({ error: { message: 'still processing', detail: value } })}`)],
	['JSON array', fc.tuple(prefix, fc.array(fc.jsonValue(), { maxLength: 3 })).map(([p, value]) => `${p}${JSON.stringify(value)}`)],
	['plain text', fc.tuple(prefix, fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,:;!?'"()\n-]{0,80}$/)).map(([p, text]) => `${p}${text}`)],
	['the mock server\'s "string"', fc.constant('string')],
	['text in other scripts', fc.constantFrom('该令牌额度已用尽', 'Задача не найдена', 'タスクが見つかりません', '\u{1F600} not ready')],
];

/** Bytes that are neither: no known signature, and not text (a NUL or bytes that are not UTF-8). */
const UNKNOWN: Array<[string, fc.Arbitrary<Buffer>]> = [
	['binary junk', tail(200).map((rest) => Buffer.concat([Buffer.from([0x00, 0x9f, 0x92, 0x96, 0xde, 0xad, 0xbe, 0xef]), rest]))],
	['an AVI (RIFF, not WebP)', tail().map((rest) => Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00AVI LIST', 'latin1'), rest]))],
	['an MPEG transport stream', tail().map((rest) => Buffer.concat([Buffer.from([0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d]), rest]))],
	['gzip', tail().map((rest) => Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), rest]))],
	['a ZIP', tail().map((rest) => Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1'), rest]))],
	['UTF-16 text', words.map((a) => Buffer.from(`\uFEFF${a || 'x'}`, 'utf16le'))],
	['an ftyp box with an absurd size', tail().map((rest) => Buffer.concat([Buffer.from('abcdftypisom', 'latin1'), Buffer.from([0, 0xff]), rest]))],
];

const body: fc.Arbitrary<Body> = fc.oneof(
	...MEDIA.map(([label, mimeType, bytes]) => bytes.map((b): Body => ({ bytes: b, kind: 'media', mimeType, label }))),
	...MESSAGES.map(([label, text]) => text.map((t): Body => ({ bytes: label.includes('Latin-1') ? Buffer.from(t, 'latin1') : Buffer.from(t, 'utf8'), kind: 'message', label }))),
	...UNKNOWN.map(([label, bytes]) => bytes.map((b): Body => ({ bytes: b, kind: 'unknown', label }))),
);

const CONTENT_TYPES = ['video/mp4', 'image/webp', 'application/octet-stream', 'text/plain', 'text/html', 'application/json', null] as const;

describe('the acceptance rule', () => {
	it('the bytes decide: media by signature, text of any kind is a message, anything else unknown', () => {
		fc.assert(
			fc.property(body, (sample) => {
				const verdict = judgeContent(sample.bytes);
				expect({ label: sample.label, kind: verdict.kind }).toEqual({ label: sample.label, kind: sample.kind });
				if (sample.kind === 'media') expect(verdict).toEqual({ kind: 'media', mimeType: sample.mimeType });
				// Only the head counts: what the sniffer reads of a longer body decides the same.
				expect(judgeContent(Buffer.concat([sample.bytes, Buffer.alloc(70_000, 0x41)])).kind).toBe(sample.kind === 'media' ? 'media' : verdict.kind);
			}),
			{ numRuns: 3000 },
		);
	});

	it('random bytes are never taken for media unless they carry a signature at the start', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
				const head = Buffer.from(bytes);
				const verdict = judgeContent(head);
				if (verdict.kind === 'media') expect(sniffMimeType(head)).toBe(verdict.mimeType);
				else expect(sniffMimeType(head)).toBeNull();
			}),
			{ numRuns: 5000 },
		);
	});

	it.each([
		['4 bytes of a PNG signature are not a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'unknown'],
		['"GIF8" alone is not a GIF', Buffer.from('GIF8', 'latin1'), 'message'],
		['an M4A (audio) is not a video', Buffer.concat([box(28, 'ftyp', ftyp('M4A ')), Buffer.alloc(40)]), 'unknown'],
		['"1234ftypisom" as text is text', Buffer.from('1234ftypisom and more words', 'latin1'), 'message'],
		['"Feel free to retry" is text, not a QuickTime free atom', Buffer.from('Feelfree to retry later', 'latin1'), 'message'],
		['an empty body', Buffer.alloc(0), 'unknown'],
	])('%s', (_name, bytes, kind) => {
		expect(judgeContent(bytes).kind).toBe(kind);
	});
});

describe("Download Content in n8n's real engine", () => {
	useNock();
	beforeAll(async () => {
		await useBinaryMode('filesystem');
	});

	it('stores exactly the media bodies, typed by their bytes, under any Content-Type; refuses the rest; stores nothing then', async () => {
		await fc.assert(
			fc.asyncProperty(body, fc.constantFrom(...CONTENT_TYPES), fc.constantFrom('video', 'thumbnail'), async (sample, contentType, variant) => {
				nock.cleanAll();
				const scope = nock('https://api.voidai.app', { reqheaders: { authorization: `Bearer ${KEY}` } });
				scope
					.get('/v1/videos/v/content')
					.query(true)
					.reply(200, sample.bytes, contentType ? { 'Content-Type': contentType, 'Content-Length': String(sample.bytes.length) } : { 'Content-Length': String(sample.bytes.length) });
				scope.get('/v1/videos/v').optionally().reply(200, { id: 'v', status: 'completed' });
				const before = storedFiles().length;
				const result = await runSora('voidAi', { operation: 'downloadContent', taskId: 'v', variant, binaryPropertyName: 'data', options: { retries: 0 } });
				if (sample.kind === 'media') {
					expect(result.error).toBeUndefined();
					expect(fileFacts(result.items[0])).toMatchObject({ mimeType: sample.mimeType, fileSize: sample.bytes.length });
					const expected = variant === 'video' ? 'video/' : 'image/';
					expect(Boolean(fileFacts(result.items[0]).warning)).toBe(!String(sample.mimeType).startsWith(expected));
					expect(storedFiles()).toHaveLength(before + 1);
				} else {
					expect(result.items).toHaveLength(0);
					expect(storedFiles()).toHaveLength(before);
					if (sample.kind === 'unknown') {
						expect(result.error?.message).toContain(`as bytes that are not a known video or image format: they start with ${[...sample.bytes.subarray(0, 16)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')} (`);
						expect(result.error?.message).toContain(contentType ? `Content-Type: ${contentType}, ${sample.bytes.length} bytes` : `no Content-Type, ${sample.bytes.length} bytes`);
					} else {
						// The error path: classified as an answer, never the unknown-bytes refusal.
						expect(['NodeApiError', 'NodeOperationError']).toContain(result.error?.name);
						expect(result.error?.message).not.toContain('not a known video or image format');
					}
				}
			}),
			{ numRuns: 150 },
		);
	}, 120_000);
});
