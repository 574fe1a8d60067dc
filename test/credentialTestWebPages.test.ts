/**
 * The credential test meets web pages (found by an outside review): a self-hosted gateway's web UI answers paths its
 * API does not route with 200 HTML (new-api, one-api), and a CDN's block page answers 403 before the key is seen.
 * Neither may read as "Connection successful" or "the key was recognised". Driven through n8n-core's real request
 * path (test/harness/credentialTest.ts) against servers on 127.0.0.1.
 */
import { testCredential } from './harness/credentialTest';
import type { TestServer } from './harness/server';
import { startServer } from './harness/server';

let server: TestServer;
beforeEach(async () => {
	server = await startServer();
});
afterEach(async () => server.close());

describe('a Base URL without /v1 on a gateway whose web UI answers every other path', () => {
	beforeEach(() => {
		const spa = '<!doctype html><html><head><title>New API</title></head><body><div id="root"></div></body></html>';
		server.route('GET', '/models', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
			res.end(spa);
		});
		server.route('GET', '/v1/models', (_req, res) => {
			res.writeHead(401, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ error: { message: 'Invalid token', type: 'new_api_error' } }));
		});
	});

	it.each(['openAiCompatibleVideoApi', 'voidAiApi', 'wisdomGateApi', 'ezModelApi'])('%s: the test fails and says the Base URL is not the API', async (type) => {
		const result = await testCredential(type, { apiKey: 'sk-wrong-key-000000', baseUrl: server.origin });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/answered, but not with .*'s API.*key was not checked.*missing "\/v1"/);
		expect(result.message).not.toContain('sk-wrong-key-000000');
	});

	it('with /v1 the same gateway gets its 401 words', async () => {
		const result = await testCredential('openAiCompatibleVideoApi', { apiKey: 'sk-wrong-key-000000', baseUrl: `${server.origin}/v1` });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/rejected the API key \(HTTP 401\)/);
	});

	it('a real model list still passes', async () => {
		server.route('GET', '/v1/models', (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ object: 'list', data: [{ id: 'sora-2', object: 'model' }] }));
		});
		const result = await testCredential('openAiCompatibleVideoApi', { apiKey: 'sk-good', baseUrl: `${server.origin}/v1` });
		expect(result.status).toBe('OK');
	});
});

it('a CDN block page (403, HTML) is not reported as "the API key was recognised": both causes are named', async () => {
	server.route('GET', '/v1/models', (_req, res) => {
		res.writeHead(403, { 'Content-Type': 'text/html; charset=UTF-8', Server: 'cloudflare' });
		res.end('<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked</body></html>');
	});
	const result = await testCredential('voidAiApi', { apiKey: 'sk-anything-at-all-0000', baseUrl: `${server.origin}/v1` });
	expect(result.status).toBe('Error');
	expect(result.message).not.toMatch(/key was recognised/);
	expect(result.message).toMatch(/firewall or CDN/);
});
