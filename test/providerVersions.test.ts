/**
 * Which provider a saved node means, per version, in n8n's real engine: n8n saves no parameter equal to its default,
 * so a node without a `provider` key means OpeAI in Sora Video v1-2 and trigger v1, and the compatible gateway in
 * Sora Video v3 and trigger v2. The credentials' condition names the root parameter (`/provider`); n8n-core must
 * accept the matching credential at execution and in a poll context, and refuse one of another provider before any
 * request is sent. (An outside review checked these by hand; this keeps them checked.)
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { createPoller, runNode } from './harness/engine';
import type { TestServer } from './harness/server';
import { startServer } from './harness/server';
import { KEY } from './harness/sora';

let server: TestServer;
beforeEach(async () => {
	server = await startServer();
	server.route('GET', '/v1/videos/video_1', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ id: 'video_1', status: 'completed', progress: 100, created_at: 1764000000 }));
	});
});
afterEach(async () => {
	await server.close();
});

function credential(type: 'opeAiApi' | 'openAiCompatibleVideoApi' | 'voidAiApi'): Record<string, ICredentialDataDecryptedObject> {
	const data: Record<string, ICredentialDataDecryptedObject> = {
		opeAiApi: { apiKey: KEY, baseUrl: server.url, authentication: 'apiKey' },
		openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url, headerName: 'Authorization', headerPrefix: 'Bearer ' },
		voidAiApi: { apiKey: KEY, baseUrl: server.url },
	};
	return { [type]: data[type] };
}

async function getStatus(typeVersion: number, parameters: INodeParameters, credentials: Record<string, ICredentialDataDecryptedObject>) {
	return await runNode({ nodeType: 'soraVideo', typeVersion, parameters: { operation: 'getStatus', taskId: 'video_1', ...parameters }, credentials });
}

it.each([
	[1, 'opeAiApi'],
	[2, 'opeAiApi'],
	[3, 'openAiCompatibleVideoApi'],
] as const)('Sora Video v%i saved without a provider runs with its default provider\'s credential (%s)', async (version, type) => {
	const { error, items } = await getStatus(version, {}, credential(type));
	expect(error).toBeUndefined();
	expect(items[0].json).toMatchObject({ id: 'video_1', status: 'completed' });
	expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
});

it.each([
	[3, {}, 'opeAiApi'],
	[1, {}, 'openAiCompatibleVideoApi'],
	[3, { provider: 'voidAi' }, 'openAiCompatibleVideoApi'],
] as const)('Sora Video v%i with %j and only a %s credential is refused by n8n before any request', async (version, parameters, type) => {
	const { error, items } = await getStatus(version, parameters, credential(type));
	expect(items).toHaveLength(0);
	expect(error?.message).toMatch(/credentials/i);
	expect(server.requests).toHaveLength(0);
});

it.each([
	[1, 'opeAiApi'],
	[2, 'openAiCompatibleVideoApi'],
] as const)('the trigger v%i saved without a provider polls with its default provider\'s credential (%s)', async (version, type) => {
	const poller = await createPoller({ nodeType: 'soraVideoTrigger', typeVersion: version, parameters: { watch: 'taskIds', taskIds: 'video_1' }, credentials: credential(type) });
	await poller.poll();
	expect(server.requests.some((request) => request.url.startsWith('/v1/videos/video_1'))).toBe(true);
	expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
});

it('the trigger v2 with only an OpeAI credential and no provider is refused before any request', async () => {
	const poller = await createPoller({ nodeType: 'soraVideoTrigger', typeVersion: 2, parameters: { watch: 'taskIds', taskIds: 'video_1' }, credentials: credential('opeAiApi') });
	await expect(poller.poll()).rejects.toThrow(/credentials/i);
	expect(server.requests).toHaveLength(0);
});
