/**
 * The credential dialog's Test button, run the way n8n's credential tester runs it (n8n-core's RoutingNode and
 * request helpers), against real servers on 127.0.0.1: the key must never reach another origin when the Base URL
 * redirects, whatever header carries it.
 */
import type { IncomingHttpHeaders } from 'http';
import type { ICredentialDataDecryptedObject, ICredentialTestRequest } from 'n8n-workflow';

import { baseUrlRedirectsMessage, unreachableBaseUrlHint } from '../nodes/shared/problems';
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

/**
 * The same mistakes the node explains, explained by the credential test: n8n's tester matches a `responseCode`
 * rule on the HTTP code and shows its message as it is (under "More details" in the dialog).
 */
describe('what the test says for each mistake', () => {
	const TYPES: Array<{ type: string; provider: string; example: string; extra: ICredentialDataDecryptedObject }> = [
		{ type: 'opeAiApi', provider: 'OpeAI', example: 'https://api-platform.ope.ai/v1', extra: { authMode: 'apiKey' } },
		{ type: 'wisdomGateApi', provider: 'Wisdom Gate', example: 'https://wisdom-gate.juheapi.com/v1', extra: {} },
		{ type: 'ezModelApi', provider: 'EzModel', example: 'https://www.ezmodel.cloud/v1', extra: {} },
		{ type: 'voidAiApi', provider: 'VoidAI', example: 'https://api.voidai.app/v1', extra: {} },
		{ type: 'openAiCompatibleVideoApi', provider: 'OpenAI-Compatible Gateway', example: 'https://gateway.example.com/v1', extra: { headerName: 'Authorization', headerPrefix: 'Bearer ' } },
	];

	function answer(code: number, body: object): void {
		base.route('GET', '/v1/models', (_req, res) => {
			res.writeHead(code, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(body));
		});
	}

	describe.each(TYPES)('$type', ({ type, provider, example, extra }) => {
		const data = (baseUrl: string, apiKey = KEY): ICredentialDataDecryptedObject => ({ apiKey, baseUrl, ...extra });

		it('a wrong key (401): the provider rejected the API key, and where to check', async () => {
			answer(401, { error: { message: 'Incorrect API key provided.', code: 'invalid_api_key' } });
			const result = await testCredential(type, data(base.url));
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(new RegExp(`^${provider} rejected the API key( or frontend token)? \\(HTTP 401\\)\\. `));
			expect(result.message).not.toContain(KEY);
		});

		it('a Base URL without /v1 (404 from the server root): the Base URL is probably wrong, with the provider\'s example', async () => {
			answer(200, { object: 'list', data: [] });
			const result = await testCredential(type, data(base.origin));
			expect(base.requests.map((request) => request.url)).toEqual(['/models']);
			expect(result.status).toBe('Error');
			expect(result.message).toContain(`${provider} does not serve this address (HTTP 404): the Base URL is probably wrong.`);
			expect(result.message).toContain(`for example ${example}. A missing or extra "/v1" is the usual cause.`);
		});

		it('a Base URL with /v1 twice (404): the same advice', async () => {
			const result = await testCredential(type, data(`${base.url}/v1`));
			expect(base.requests.map((request) => request.url)).toEqual(['/v1/v1/models']);
			expect(result.message).toContain('A missing or extra "/v1" is the usual cause.');
		});

		it('a key that may not read the endpoint (403): refused access, by the key\'s permissions or a firewall', async () => {
			answer(403, { error: { message: 'forbidden' } });
			const result = await testCredential(type, data(base.url));
			expect(result.message).toMatch(new RegExp(`^${provider} refused access \\(HTTP 403\\)\\. Either the API key( or frontend token)? may not use this endpoint.*firewall or CDN`));
		});

		it.each([429, 500, 502, 503, 504])('HTTP %i: the key was not checked, try again', async (code) => {
			answer(code, { error: { message: 'busy' } });
			const result = await testCredential(type, data(base.url));
			expect(result.message).toContain(`(HTTP ${code}), so the key was not checked.`);
		});

		it('a good key still passes', async () => {
			answer(200, { object: 'list', data: [] });
			expect(await testCredential(type, data(base.url))).toEqual({ status: 'OK', message: 'Connection successful!' });
		});

		it('an unreachable host: n8n shows only the network code (no rule can match it), which the hint under the Base URL explains', async () => {
			const closed = await startServer();
			await closed.close();
			const result = await testCredential(type, data(closed.url));
			expect(result).toEqual({ status: 'Error', message: 'ECONNREFUSED' });
			const loader = await loadPackage();
			const baseUrl = loader.credentialTypes[type].type.properties.find((property) => property.name === 'baseUrl');
			expect(baseUrl?.hint).toBe(unreachableBaseUrlHint);
		});
	});

	it('OpeAI with a frontend token: a rejected token says which Authentication each kind of key needs', async () => {
		base.route('GET', '/api/user/self', (_req, res) => {
			res.writeHead(401, { 'Content-Type': 'application/json' });
			res.end('{"success":false,"message":"invalid token"}');
		});
		const result = await testCredential('opeAiApi', { apiKey: KEY, baseUrl: base.url, authMode: 'frontendToken' });
		expect(result.message).toMatch(/^OpeAI rejected the API key or frontend token \(HTTP 401\)\./);
		expect(result.message).toContain('An sk-... key goes with Authentication "API Key"; a frontend JWT from the website goes with "Frontend Token".');
	});

	it('the OpenAI-compatible gateway: a rejected key points at Header Name and Header Value Prefix; a 404 admits a gateway may lack /models', async () => {
		answer(401, {});
		const rejected = await testCredential('openAiCompatibleVideoApi', { apiKey: KEY, baseUrl: base.url, headerName: 'Authorization', headerPrefix: 'Bearer ' });
		expect(rejected.message).toContain('Header Name and Header Value Prefix');
		const missing = await testCredential('openAiCompatibleVideoApi', { apiKey: KEY, baseUrl: base.origin, headerName: 'Authorization', headerPrefix: 'Bearer ' });
		expect(missing.message).toContain('a gateway without that route also answers 404');
	});
});
