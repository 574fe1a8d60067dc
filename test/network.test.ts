/** Network failures against a real socket on 127.0.0.1 (the server drops connections on purpose). */
import type { IncomingMessage, ServerResponse } from 'http';

import type { TestServer } from './harness/server';
import { runNode } from './harness/engine';
import { startServer } from './harness/server';
import { everythingShown, KEY, runSora } from './harness/sora';

let server: TestServer;
const task = { id: 'video_abc', status: 'completed', progress: 100 };

beforeEach(async () => {
	server = await startServer();
});
afterEach(async () => {
	await server.close();
});

function dropConnection(_req: IncomingMessage, res: ServerResponse): void {
	res.socket?.destroy();
}

function compatible(parameters: Record<string, unknown>) {
	return runSora('openAiCompatible', parameters as never, { credentials: { baseUrl: server.url } });
}

it('a dropped connection is retried with backoff and then succeeds', async () => {
	let calls = 0;
	server.route('GET', '/v1/videos/video_abc', (req, res) => {
		calls++;
		if (calls < 3) return dropConnection(req, res);
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify(task));
	});
	const result = await compatible({ operation: 'getStatus', taskId: 'video_abc', options: { retries: 3, retryDelay: 1 } });
	expect(result.error).toBeUndefined();
	expect(result.items[0].json.status).toBe('completed');
	expect(calls).toBe(3);
});

it('after the configured retries the error names the host and the failure, never the key', async () => {
	let calls = 0;
	server.route('GET', '/v1/videos/video_abc', (req, res) => {
		calls++;
		dropConnection(req, res);
	});
	const result = await compatible({ operation: 'getStatus', taskId: 'video_abc', options: { retries: 2, retryDelay: 1 } });
	expect(calls).toBe(3);
	expect(result.error?.message).toBe(`Could not reach OpenAI-Compatible Gateway at ${server.origin} (ECONNRESET) after 3 attempts`);
	expect(everythingShown(result)).not.toContain(KEY);
});

it('a refused connection is reported with the base URL to check', async () => {
	const url = server.url;
	await server.close();
	const result = await runSora('openAiCompatible', { operation: 'getStatus', taskId: 'video_abc', options: { retries: 0 } }, { credentials: { baseUrl: url } });
	expect(result.error?.message).toMatch(/^Could not reach OpenAI-Compatible Gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
	expect((result.error as { description?: string }).description).toContain('"OpenAI-Compatible Video API" credential');
	server = await startServer();
});

it('a silent server is cut off by the Timeout option, with a message saying so', async () => {
	server.route('GET', '/v1/videos/video_abc', () => {
		// Never answers.
	});
	const result = await compatible({ operation: 'getStatus', taskId: 'video_abc', options: { retries: 0, timeout: 1 } });
	expect(result.error?.message).toBe('OpenAI-Compatible Gateway did not answer in time during the status check (' + server.origin + ')');
});

it('Wait for Completion stops at once when the execution is cancelled', async () => {
	let calls = 0;
	server.route('GET', '/v1/videos/video_abc', (_req, res) => {
		calls++;
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ ...task, status: 'in_progress', progress: 10 }));
	});
	const started = Date.now();
	const result = await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: 'openAiCompatible', operation: 'getStatus', taskId: 'video_abc', options: { waitForCompletion: true, pollInterval: 60, maxWait: 10 } },
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } },
		cancelAfterMs: 300,
	});
	expect(Date.now() - started).toBeLessThan(5000);
	expect(calls).toBe(1);
	expect(result.items).toHaveLength(0);
});
