/**
 * A recording proxy on 127.0.0.1: passes every request to a target origin unchanged and keeps both sides of each
 * exchange (the request's body whole, the answer's JSON body whole and a file body's size), for checking them
 * against a published API document. Test tool: bodies are small here.
 */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'http';
import { createServer, request } from 'http';
import type { AddressInfo, Socket } from 'net';

export interface Exchange {
	method: string;
	/** The request's path and query, as sent to the proxy. */
	url: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
	response: {
		status: number;
		headers: IncomingHttpHeaders;
		contentType: string | undefined;
		/** The body when it is JSON or text; for anything else, empty (its size is in `bytes`). */
		body: Buffer;
		bytes: number;
	} | null;
}

export interface RecordingProxy {
	/** The proxy's origin: append the target's paths (e.g. `/openai/v1`). */
	origin: string;
	exchanges: Exchange[];
	close(): Promise<void>;
}

const TEXT_TYPE = /^(application\/(json|problem\+json)|text\/)/i;

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
	const exchanges: Exchange[] = [];
	const sockets = new Set<Socket>();
	const targetUrl = new URL(target);
	const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const exchange: Exchange = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), response: null };
			exchanges.push(exchange);
			const upstream = request(
				{ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: targetUrl.host } },
				(answer) => {
					const contentType = answer.headers['content-type'];
					const keep = TEXT_TYPE.test(contentType ?? '');
					const kept: Buffer[] = [];
					let bytes = 0;
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.on('data', (chunk: Buffer) => {
						bytes += chunk.length;
						if (keep) kept.push(chunk);
						res.write(chunk);
					});
					answer.on('end', () => {
						exchange.response = { status: answer.statusCode ?? 0, headers: answer.headers, contentType, body: Buffer.concat(kept), bytes };
						res.end();
					});
					answer.on('error', () => res.destroy());
				},
			);
			upstream.on('error', () => res.destroy());
			upstream.end(exchange.body);
		});
	});
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		exchanges,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
