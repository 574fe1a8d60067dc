/** The credential types as n8n loads them from dist/: fields, header authentication, and the key test. */
import type { ICredentialTestRequest, ICredentialType, IHttpRequestOptions } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { existsSync } from 'fs';
import { join } from 'path';

import { loadPackage, PACKAGE_ROOT } from './harness/engine';
import type { TestServer } from './harness/server';
import { startServer } from './harness/server';

const EXPECTED = [
	['opeAiApi', 'https://api-platform.ope.ai/v1'],
	['wisdomGateApi', 'https://wisdom-gate.juheapi.com/v1'],
	['ezModelApi', 'https://www.ezmodel.cloud/v1'],
	['voidAiApi', 'https://api.voidai.app/v1'],
	['openAiCompatibleVideoApi', ''],
] as const;

async function credentialType(name: string): Promise<ICredentialType> {
	const loader = await loadPackage();
	return loader.credentialTypes[name].type;
}

/** Resolves `={{ }}` in a credential test request the way n8n's credential tester does. */
function resolveTestRequest(test: ICredentialTestRequest, credentials: Record<string, unknown>): { baseURL: string; url: string } {
	const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes: { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as never });
	const node = { id: 'n', name: 'n', type: 'x', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	const resolve = (value: string | undefined) =>
		String(workflow.expression.getSimpleParameterValue(node, value ?? '', 'internal', { $credentials: credentials } as never, undefined, ''));
	return { baseURL: resolve(test.request.baseURL), url: resolve(test.request.url) };
}

describe.each(EXPECTED)('%s', (name, defaultBaseUrl) => {
	it('has an API key (password) and an editable base URL defaulting to the provider', async () => {
		const type = await credentialType(name);
		const apiKey = type.properties.find((property) => property.name === 'apiKey');
		const baseUrl = type.properties.find((property) => property.name === 'baseUrl');
		expect(apiKey?.typeOptions?.password).toBe(true);
		expect(baseUrl?.default).toBe(defaultBaseUrl);
		// n8n turns `file:` icons into served URLs; the files must exist in dist/ for the editor.
		expect(type.iconUrl).toEqual({
			light: 'icons/n8n-nodes-sora-video/dist/credentials/icons/soraVideo.svg',
			dark: 'icons/n8n-nodes-sora-video/dist/credentials/icons/soraVideo.dark.svg',
		});
		for (const file of ['soraVideo.svg', 'soraVideo.dark.svg']) expect(existsSync(join(PACKAGE_ROOT, 'dist', 'credentials', 'icons', file))).toBe(true);
	});

	it('authenticates with a Bearer header by default', async () => {
		const type = await credentialType(name);
		if (typeof type.authenticate !== 'function') throw new Error('authenticate must be a function');
		const out = await type.authenticate({ apiKey: ' sk-1 ', baseUrl: 'x', headerName: 'Authorization', headerPrefix: 'Bearer ' }, { url: '/x', headers: { Accept: 'a' } } as IHttpRequestOptions);
		expect(out.headers).toEqual({ Accept: 'a', Authorization: 'Bearer sk-1' });
	});

	it('its test tells a bad key from a good one (GET <baseUrl>/models)', async () => {
		const type = await credentialType(name);
		const server: TestServer = await startServer();
		server.route('GET', '/v1/models', (req, res) => {
			const good = req.headers.authorization === 'Bearer good-key';
			res.writeHead(good ? 200 : 401, { 'Content-Type': 'application/json' });
			res.end(good ? '{"object":"list","data":[]}' : '{"error":{"message":"Invalid token"}}');
		});
		try {
			const statusFor = async (apiKey: string) => {
				const credentials = { apiKey, baseUrl: `${server.url}/`, authMode: 'apiKey', headerName: 'Authorization', headerPrefix: 'Bearer ' };
				const { baseURL, url } = resolveTestRequest(type.test as ICredentialTestRequest, credentials);
				const request = await (type.authenticate as (c: object, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>)(credentials, { url });
				const response = await fetch(`${baseURL}${url}`, { headers: request.headers as Record<string, string> });
				return response.status;
			};
			expect(await statusFor('good-key')).toBe(200);
			expect(await statusFor('bad-key')).toBe(401);
		} finally {
			await server.close();
		}
	});
});

it('OpeAI frontend token: token header, and its test asks <origin>/api/user/self', async () => {
	const type = await credentialType('opeAiApi');
	const credentials = { apiKey: 'jwt', baseUrl: 'https://api-platform.ope.ai/v1', authMode: 'frontendToken' };
	expect(resolveTestRequest(type.test as ICredentialTestRequest, credentials)).toEqual({ baseURL: 'https://api-platform.ope.ai/api', url: '/user/self' });
	const out = await (type.authenticate as (c: object, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>)(credentials, { url: '/x' });
	expect(out.headers).toEqual({ token: 'jwt' });
});

it('OpenAI-compatible: configurable header name and prefix (Azure api-key)', async () => {
	const type = await credentialType('openAiCompatibleVideoApi');
	const out = await (type.authenticate as (c: object, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>)(
		{ apiKey: 'azure-key', baseUrl: 'https://r.openai.azure.com/openai/v1', headerName: 'api-key', headerPrefix: '' },
		{ url: '/x' },
	);
	expect(out.headers).toEqual({ 'api-key': 'azure-key' });
});

it('the package registers the node, its codex and every credential', async () => {
	const loader = await loadPackage();
	expect(Object.keys(loader.nodeTypes)).toContain('soraVideo');
	expect(Object.keys(loader.credentialTypes).sort()).toEqual(EXPECTED.map(([name]) => name).sort());
	const description = loader.nodeTypes.soraVideo.type.description;
	expect(description).toMatchObject({ name: 'soraVideo', displayName: 'Sora Video', usableAsTool: true });
	expect(loader.known.nodes.soraVideo).toBeDefined();
	expect(description.iconUrl).toEqual({
		light: 'icons/n8n-nodes-sora-video/dist/nodes/SoraVideo/soraVideo.svg',
		dark: 'icons/n8n-nodes-sora-video/dist/nodes/SoraVideo/soraVideo.dark.svg',
	});
	expect(description.codex).toMatchObject({ categories: ['AI', 'Development'] });
});

describe('the credential dialog explains itself', () => {
	it.each(EXPECTED.map(([name]) => name))('%s opens with one line saying what the provider is', async (name) => {
		const type = await credentialType(name);
		const [first] = type.properties;
		expect(first).toMatchObject({ type: 'notice', name: 'about' });
		expect(first.displayName.length).toBeGreaterThan(40);
		expect(first.displayName.length).toBeLessThan(300);
	});

	it('OpeAI says what OpeAI is, with its documentation link, and where a self-run gateway goes', async () => {
		const type = await credentialType('opeAiApi');
		expect(type.properties[0].displayName).toContain('<a href="https://api-platform.ope.ai" target="_blank">');
		expect(type.properties[0].displayName).toContain('not a misspelling of OpenAI');
		expect(type.properties[0].displayName).toContain('Choose Any OpenAI-Compatible Gateway as the Provider');
		expect(type.documentationUrl).toBe('https://api-platform.ope.ai');
	});

	it('the compatible gateway says it is for gateways people run themselves', async () => {
		const type = await credentialType('openAiCompatibleVideoApi');
		expect(type.properties[0].displayName).toContain('one you run yourself');
	});

	it('OpeAI: the key field is labelled "API Key" or "Frontend Token" by Authentication, and both store apiKey', async () => {
		const type = await credentialType('opeAiApi');
		const keyFields = type.properties.filter((property) => property.name === 'apiKey');
		expect(keyFields.map((field) => [field.displayName, field.displayOptions?.show?.authMode, field.typeOptions?.password])).toEqual([
			['API Key', ['apiKey'], true],
			['Frontend Token', ['frontendToken'], true],
		]);
	});

	it.each<[string, { authMode?: string; apiKey: string; baseUrl: string }]>([
		['an API key', { authMode: 'apiKey', apiKey: 'sk-1', baseUrl: 'https://api-platform.ope.ai/v1' }],
		['a frontend token', { authMode: 'frontendToken', apiKey: 'jwt-1', baseUrl: 'https://api-platform.ope.ai/v1' }],
		['a credential saved before Authentication existed', { apiKey: 'sk-old', baseUrl: 'https://api-platform.ope.ai/v1' }],
	])('OpeAI: %s is still read from apiKey, as n8n resolves the fields', async (_what, saved) => {
		const type = await credentialType('opeAiApi');
		const resolved = NodeHelpers.getNodeParameters(type.properties, saved, true, false, null, null);
		expect(resolved?.apiKey).toBe(saved.apiKey);
		expect(resolved?.authMode).toBe(saved.authMode ?? 'apiKey');
	});
});
