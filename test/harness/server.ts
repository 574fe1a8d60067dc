/** A tiny programmable HTTP server on 127.0.0.1 for engine tests: real sockets, real streaming. */
import type { IncomingMessage, Server, ServerResponse } from 'http';
import { createServer } from 'http';
import type { AddressInfo } from 'net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
	url: string;
	origin: string;
	requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
	route(method: string, path: string, handler: Handler): void;
	close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
	const routes = new Map<string, Handler>();
	const requests: TestServer['requests'] = [];
	const server: Server = createServer((req, res) => {
		requests.push({ method: req.method ?? 'GET', url: req.url ?? '', headers: req.headers });
		const path = (req.url ?? '').split('?')[0];
		const handler = routes.get(`${req.method} ${path}`);
		if (!handler) {
			res.writeHead(404, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}`, code: 'not_found' } }));
			return;
		}
		handler(req, res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const origin = `http://127.0.0.1:${port}`;
	return {
		url: `${origin}/v1`,
		origin,
		requests,
		route(method, path, handler) {
			routes.set(`${method} ${path}`, handler);
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** Bytes that start like an MP4 (`....ftypisom`) followed by a deterministic pattern. */
export function fakeMp4(size: number): Buffer {
	const buffer = Buffer.alloc(size);
	for (let i = 0; i < size; i++) buffer[i] = (i * 31 + 7) & 0xff;
	Buffer.from([0, 0, 0, 0x20]).copy(buffer, 0);
	Buffer.from('ftypisom', 'latin1').copy(buffer, 4);
	return buffer;
}

export function fakeWebp(size = 64): Buffer {
	const buffer = Buffer.alloc(size, 1);
	buffer.write('RIFF', 0, 'latin1');
	buffer.writeUInt32LE(size - 8, 4);
	buffer.write('WEBP', 8, 'latin1');
	return buffer;
}

export function fakeJpeg(size = 64): Buffer {
	const buffer = Buffer.alloc(size, 2);
	buffer[0] = 0xff;
	buffer[1] = 0xd8;
	buffer[2] = 0xff;
	return buffer;
}
