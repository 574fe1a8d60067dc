/**
 * The credential dialog's Test button, run the way n8n's credential tester runs it (n8n-core's RoutingNode and
 * request helpers), against real servers on 127.0.0.1: the key must never reach another origin when the Base URL
 * redirects, whatever header carries it.
 */
import type { IncomingHttpHeaders } from 'http';
import type { ICredentialDataDecryptedObject, ICredentialTestRequest } from 'n8n-workflow';

import { baseUrlRedirectsMessage } from '../nodes/shared/problems';
import { testCredential } from './harness/credentialTest';
import { loadPackage } from './harness/engine';
import type { TestServer } from './harness/server';
import { startServer } from './harness/server';

const KEY = 'sk-credential-test-SECRET-4321';

interface Case {
	header: string;
	type: string;
	/** Credential data for a Base URL on `server`. */
	data: (server: TestServer) => ICredentialDataDecryptedObject;
	/** The path the test asks for. */
	path: string;
	value: string;
}

const CASES: Case[] = [
	{ header: 'authorization', type: 'voidAiApi', data: (server) => ({ apiKey: KEY, baseUrl: server.url }), path: '/v1/models', value: `Bearer ${KEY}` },
	{ header: 'token', type: 'opeAiApi', data: (server) => ({ apiKey: KEY, baseUrl: server.url, authMode: 'frontendToken' }), path: '/api/user/self', value: KEY },
	{
		header: 'api-key',
		type: 'openAiCompatibleVideoApi',
		data: (server) => ({ apiKey: KEY, baseUrl: `${server.url}/`, headerName: 'api-key', headerPrefix: '' }),
		path: '/v1/models',
		value: KEY,
	},
];

const REDIRECT_CODES = [301, 302, 303, 307, 308];

let base: TestServer;
let elsewhere: TestServer;

beforeEach(async () => {
	base = await startServer();
	elsewhere = await startServer();
	for (const path of ['/v1/models', '/api/user/self']) {
		elsewhere.route('GET', path, (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"object":"list","data":[]}');
		});
	}
});

afterEach(async () => {
	await base.close();
	await elsewhere.close();
});

function redirectTo(target: string, code = 302): void {
	for (const path of ['/v1/models', '/api/user/self']) {
		base.route('GET', path, (_req, res) => {
			res.writeHead(code, { Location: `${target}${path}` });
			res.end();
		});
	}
}

function keyIn(headers: IncomingHttpHeaders): boolean {
	return JSON.stringify(headers).includes(KEY);
}

describe.each(CASES)('key in the $header header ($type)', ({ header, type, data, path, value }) => {
	it.each(REDIRECT_CODES)('a Base URL that redirects to another origin (HTTP %i): the test fails saying so, and the other origin sees nothing', async (code) => {
		redirectTo(elsewhere.origin, code);
		const result = await testCredential(type, data(base));
		expect(result).toEqual({ status: 'Error', message: baseUrlRedirectsMessage(code) });
		expect(elsewhere.requests).toEqual([]);
		expect(base.requests.map((request) => request.url)).toEqual([path]);
		expect(base.requests[0].headers[header]).toBe(value);
	});

	it('a redirect within the same origin also stops there, with the same advice', async () => {
		redirectTo(`${base.origin}/moved`);
		const result = await testCredential(type, data(base));
		expect(result).toEqual({ status: 'Error', message: baseUrlRedirectsMessage(302) });
		expect(base.requests.map((request) => request.url)).toEqual([path]);
	});

	it('without the guard, n8n would send the key to the other origin (why the test never follows a redirect)', async () => {
		redirectTo(elsewhere.origin);
		const loader = await loadPackage();
		const { request } = loader.credentialTypes[type].type.test as ICredentialTestRequest;
		const result = await testCredential(type, data(base), { ...request, disableFollowRedirect: false });
		expect(result.status).toBe('OK');
		expect(elsewhere.requests).toHaveLength(1);
		expect(elsewhere.requests[0].headers[header]).toBe(value);
	});

	it('a Base URL that answers directly: a good key passes and a bad key fails', async () => {
		base.route('GET', path, (req, res) => {
			const good = req.headers[header] === value;
			res.writeHead(good ? 200 : 401, { 'Content-Type': 'application/json' });
			res.end(good ? '{"object":"list","data":[]}' : '{"error":{"message":"Invalid token"}}');
		});
		expect(await testCredential(type, data(base))).toEqual({ status: 'OK', message: 'Connection successful!' });
		const bad = await testCredential(type, { ...data(base), apiKey: 'wrong-key' });
		expect(bad.status).toBe('Error');
		expect(bad.message).not.toContain('wrong-key');
		expect(elsewhere.requests.some((request) => keyIn(request.headers))).toBe(false);
	});
});
