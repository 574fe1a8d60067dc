/** Byte fixtures shared by the unit and end-to-end suites. */
import { createHash } from 'crypto';
import { deflateSync } from 'zlib';

export function sha256(buffer: Buffer): string {
	return createHash('sha256').update(buffer).digest('hex');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	let crc = 0xffffffff;
	for (const byte of body) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	const tail = Buffer.alloc(4);
	tail.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
	return Buffer.concat([length, body, tail]);
}

/**
 * A real, decodable 8-bit RGB PNG. `sample(i, y)` gives byte `i` (0 .. width x 3 - 1) of row `y`; the pixels
 * are stored uncompressed (deflate level 0), so the file is about width x height x 3 bytes whatever they are.
 */
export function png(width: number, height: number, sample: (i: number, y: number) => number): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const stride = width * 3 + 1;
	const rows = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		for (let i = 0; i < width * 3; i++) rows[y * stride + 1 + i] = sample(i, y) & 0xff;
	}
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(rows, { level: 0 })), pngChunk('IEND', Buffer.alloc(0))]);
}
