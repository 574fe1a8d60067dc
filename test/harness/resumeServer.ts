/**
 * A download's server, for the resume tests (test/resumeSameFile.test.ts, test/resumeAttacks/): each content request
 * recorded (Range, If-Range, Accept-Encoding), a handler per attempt, a connection cut after some bytes, and the node
 * run in n8n's engine against it.
 */
import type { IncomingMessage, ServerResponse } from 'http';

import { readBinary, runNode, useBinaryMode } from './engine';
import type { TestServer } from './server';
import { fakeMp4, startServer } from './server';
import { KEY } from './sora';

export const ctx: { server: TestServer; requests: Array<{ range?: string; ifRange?: string; acceptEncoding?: string }> } = {
	server: undefined as unknown as TestServer,
	requests: [],
};

export function setup(): void {
	beforeEach(async () => {
		ctx.requests.length = 0;
		ctx.server = await startServer();
		await useBinaryMode('filesystem');
	});
	afterEach(async () => {
		await ctx.server.close();
	});
}

export function serve(taskId: string, handler: (req: IncomingMessage, res: ServerResponse, attempt: number) => void): void {
	ctx.server.route('GET', `/v1/videos/${taskId}`, (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ id: taskId, status: 'completed' }));
	});
	ctx.server.route('GET', `/v1/videos/${taskId}/content`, (req, res) => {
		ctx.requests.push({ range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, acceptEncoding: req.headers['accept-encoding'] });
		handler(req, res, ctx.requests.length);
	});
}

export function cut(res: ServerResponse, file: Buffer, bytes: number): void {
	// The connection ends early; the node may hold fewer bytes than were sent (Node drops what it had buffered).
	res.write(file.subarray(0, bytes), () => res.socket?.end());
}

export function rangeStart(req: IncomingMessage): number {
	return Number(/bytes=(\d+)-/.exec(String(req.headers.range))?.[1]);
}

export async function download(taskId: string, retries = 3) {
	const result = await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', operation: 'downloadContent', taskId, variant: 'video', binaryPropertyName: 'data', options: { retries, retryDelay: 1, timeout: 5 } },
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: ctx.server.url } },
	});
	return { ...result, stored: result.items[0] ? await readBinary(result.items[0]) : undefined };
}

export function replacement(like: Buffer, size: number): Buffer {
	const other = Buffer.from(fakeMp4(size).map((byte) => byte ^ 0x55));
	like.copy(other, 0, 0, 12);
	return other;
}

export { fakeMp4 };
