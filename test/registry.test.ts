/**
 * The operation registry is the one place an operation is written: the node's Operation list, its node-panel
 * actions, the subtitle, each operation's fields, the router, which providers offer it and the errors when one
 * does not are derived from OPERATIONS. Checked against the registry itself, never against a hand-written list.
 */
import type { IExecuteFunctions, INode, INodeParameters, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { readFileSync } from 'fs';
import nock from 'nock';
import { join } from 'path';

import { nodeProperties, subtitleExpression } from '../nodes/SoraVideo/operations/describe';
import type { AnyOperation } from '../nodes/SoraVideo/operations/index';
import { DEFAULT_OPERATION, OPERATIONS } from '../nodes/SoraVideo/operations/index';
import { defineOperation } from '../nodes/SoraVideo/operations/operation';
import { route } from '../nodes/SoraVideo/operations/router';
import { CAPABILITIES } from '../nodes/SoraVideo/operations/routes';
import { providerProperties } from '../nodes/shared/descriptions';
import { unsupportedOperationError } from '../nodes/shared/problems';
import type { ProviderId } from '../nodes/shared/providers';
import { PROVIDER_IDS, PROVIDERS, providerServes } from '../nodes/shared/providers';
import { loadPackage, runNode } from './harness/engine';
import { useNock } from './harness/nock';
import { baseUrlOf, credentialsFor } from './harness/sora';

async function builtNode(): Promise<INodeTypeDescription> {
	const loader = await loadPackage();
	return loader.nodeTypes.soraVideo.type.description as INodeTypeDescription;
}

function describedWith(operations: readonly AnyOperation[]): INodeTypeDescription {
	return { name: 'soraVideo', displayName: 'Sora Video', properties: [...providerProperties(3), ...nodeProperties(operations, DEFAULT_OPERATION)] } as INodeTypeDescription;
}

/** The properties n8n's editor shows for these parameters (NodeHelpers, as the editor's parameter list). */
function shown(description: INodeTypeDescription, parameters: INodeParameters): INodeProperties[] {
	const node: INode = { id: 'n', name: 'n', type: 'x.soraVideo', typeVersion: 1, position: [0, 0], parameters };
	const values = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description) ?? {};
	return description.properties.filter((property) => NodeHelpers.displayParameter(values, property, node, description));
}

function operationChoices(description: INodeTypeDescription): INodePropertyOptions[] {
	const operation = description.properties.find((property) => property.name === 'operation');
	return (operation?.options ?? []) as INodePropertyOptions[];
}

/** A stand-in for n8n's execute context, enough for the router to pick and run an operation. */
function executeContext(parameters: Record<string, unknown>): IExecuteFunctions {
	const node: INode = { id: 'n', name: 'Sora Video', type: 'x.soraVideo', typeVersion: 1, position: [0, 0], parameters: {} };
	return {
		getInputData: () => [{ json: {} }],
		getNode: () => node,
		getNodeParameter: (name: string, _item: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		getCredentials: async () => ({ apiKey: 'sk-registry-test-key', baseUrl: 'https://gateway.example.test/v1' }),
		getExecutionCancelSignal: () => undefined,
		continueOnFail: () => false,
	} as unknown as IExecuteFunctions;
}

const names = OPERATIONS.map((operation) => operation.name);

describe('every operation in the registry', () => {
	it('has a unique name, action and Operation option in the built node, with its action and summary', async () => {
		const node = await builtNode();
		expect(new Set(names).size).toBe(names.length);
		const options = operationChoices(node);
		expect(options.map((option) => option.value).sort()).toEqual([...names].sort());
		for (const operation of OPERATIONS) {
			expect(options.find((option) => option.value === operation.name)).toEqual({
				name: operation.displayName,
				value: operation.name,
				action: operation.action,
				description: operation.summary,
			});
		}
	});

	it('has its subtitle', async () => {
		const node = await builtNode();
		expect(node.subtitle).toBe(subtitleExpression(OPERATIONS));
		for (const operation of OPERATIONS) expect(node.subtitle).toContain(`${JSON.stringify(operation.name)}:`);
	});

	it('shows its own fields, and only for itself', async () => {
		const node = await builtNode();
		for (const operation of OPERATIONS) {
			const visible = shown(node, { provider: 'openAiCompatible', resource: operation.resource, operation: operation.name }).map((property) => property.name);
			for (const property of operation.properties.filter((p) => !p.displayOptions)) expect(visible).toContain(property.name);
		}
	});

	it.each(PROVIDER_IDS)('%s: a notice on exactly the operations it cannot serve, naming the providers that can', async (provider) => {
		const node = await builtNode();
		for (const operation of OPERATIONS) {
			const notices = shown(node, { provider, operation: operation.name }).filter((property) => property.type === 'notice');
			if (providerServes(PROVIDERS[provider], operation.needs)) {
				expect(notices).toEqual([]);
			} else {
				expect(notices).toHaveLength(1);
				for (const id of PROVIDER_IDS.filter((other) => providerServes(PROVIDERS[other], operation.needs))) expect(notices[0].displayName).toContain(PROVIDERS[id].displayName);
			}
		}
	});

	it.each(PROVIDER_IDS)('%s: the router refuses an operation it cannot serve before reading the credential, in the words of problems.ts', async (provider) => {
		for (const operation of OPERATIONS.filter((candidate) => !providerServes(PROVIDERS[provider], candidate.needs))) {
			const fn = executeContext({ provider, operation: operation.name });
			const getCredentials = jest.spyOn(fn, 'getCredentials');
			const expected = unsupportedOperationError(fn.getNode(), PROVIDERS[provider], operation.needs);
			await expect(route.call(fn, OPERATIONS)).rejects.toThrow(expected.message);
			expect(getCredentials).not.toHaveBeenCalled();
		}
	});

	it('every route has a missing-route message that names its provider and no "undefined"', () => {
		for (const capability of CAPABILITIES) {
			for (const id of PROVIDER_IDS) {
				const error = unsupportedOperationError({ name: 'n' } as INode, PROVIDERS[id], capability);
				expect(error.message.startsWith(`${PROVIDERS[id].displayName} has no endpoint that `)).toBe(true);
				expect(`${error.message} ${error.description ?? ''}`).not.toMatch(/undefined/);
			}
		}
	});

	it("n8n names a node added through an action after that action (n8n-workflow's own makeNodeName)", async () => {
		const node = await builtNode();
		for (const operation of OPERATIONS) {
			expect(NodeHelpers.makeNodeName({ resource: operation.resource, operation: operation.name }, node)).toBe(operation.action);
		}
	});

	it('a workflow saved without a resource (the first version of the node) shows and runs its operation', async () => {
		const node = await builtNode();
		for (const operation of OPERATIONS) {
			const visible = shown(node, { provider: 'openAiCompatible', operation: operation.name });
			expect(visible.some((property) => property.name === 'operation' && (property.options as INodePropertyOptions[]).some((option) => option.value === operation.name))).toBe(true);
		}
	});
});

describe('adding an operation is one object in the registry', () => {
	const ping = defineOperation({
		name: 'ping',
		resource: 'video',
		displayName: 'Ping',
		action: 'Ping the gateway',
		summary: 'Says pong',
		subtitle: 'Ping',
		properties: [{ displayName: 'Echo', name: 'echo', type: 'string', default: 'pong' }],
		needs: 'list',
		execute: async ({ fn, client }, itemIndex) => [{ json: { echo: fn.getNodeParameter('echo', itemIndex, ''), provider: client.provider.id } }],
	});
	const registry = [...OPERATIONS, ping];

	it('is offered, with its action, subtitle and fields', () => {
		const description = describedWith(registry);
		expect(operationChoices(description).map((option) => option.value)).toContain('ping');
		expect(subtitleExpression(registry)).toContain('"ping": "Ping"');
		expect(shown(description, { provider: 'voidAi', operation: 'ping' }).map((property) => property.name)).toContain('echo');
		expect(shown(description, { provider: 'voidAi', operation: 'getStatus' }).map((property) => property.name)).not.toContain('echo');
		expect(shown(description, { provider: 'opeAi', operation: 'ping' }).filter((property) => property.type === 'notice')).toHaveLength(1);
	});

	it('is routed to its execute, and refused for providers without the route it needs', async () => {
		await expect(route.call(executeContext({ provider: 'voidAi', operation: 'ping', echo: 'hello' }), registry)).resolves.toEqual([[{ json: { echo: 'hello', provider: 'voidAi' } }]]);
		await expect(route.call(executeContext({ provider: 'opeAi', operation: 'ping' }), registry)).rejects.toThrow('OpeAI has no endpoint that lists video tasks');
		await expect(route.call(executeContext({ provider: 'voidAi', operation: 'ping' }), OPERATIONS)).rejects.toThrow('Unknown operation "ping"');
	});
});

describe('a workflow saved before the resource level runs unchanged in the engine', () => {
	useNock();

	it("the example's Get Status node (no resource, waiting on) reads its task", async () => {
		const workflow = JSON.parse(readFileSync(join(__dirname, '..', 'examples', 'check-status-wait-download.json'), 'utf8')) as { nodes: INode[] };
		const saved = workflow.nodes.find((node) => node.name === 'Get Status') as INode;
		expect(saved.parameters.resource).toBeUndefined();
		const provider = saved.parameters.provider as ProviderId;
		const url = new URL(baseUrlOf(provider));
		nock(url.origin).get(`${url.pathname}/videos/video_done`).reply(200, { id: 'video_done', object: 'video', status: 'completed', progress: 100 });
		const result = await runNode({ nodeType: 'soraVideo', parameters: saved.parameters, credentials: credentialsFor(provider), items: [{ json: { taskId: 'video_done' } }] });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ id: 'video_done', status: 'completed' });
	});
});

describe('version 2: Wait for Completion is a switch of its own on Get Status and Download Content', () => {
	useNock();

	function shownAt(description: INodeTypeDescription, typeVersion: number, parameters: INodeParameters): INodeProperties[] {
		const node: INode = { id: 'n', name: 'n', type: 'x.soraVideo', typeVersion, position: [0, 0], parameters };
		const values = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description) ?? {};
		return description.properties.filter((property) => NodeHelpers.displayParameter(values, property, { ...node, parameters: values } as never, description));
	}

	it('the switch shows from version 2 on (new nodes are version 3), the option only in version 1', async () => {
		const node = await builtNode();
		expect(node.version).toEqual([1, 2, 3]);
		expect(node.defaultVersion).toBe(3);
		for (const [version, operation] of [2, 3].flatMap((v) => ['getStatus', 'downloadContent'].map((o) => [v, o] as const))) {
			const v2 = shownAt(node, version, { provider: 'voidAi', resource: 'video', operation });
			expect(v2.filter((property) => property.name === 'waitForCompletion')).toHaveLength(1);
			const v2Options = v2.filter((property) => property.name === 'options');
			expect(v2Options).toHaveLength(1);
			expect((v2Options[0].options as INodeProperties[]).map((option) => option.name)).not.toContain('waitForCompletion');
			if (version !== 2) continue;
			const v1 = shownAt(node, 1, { provider: 'voidAi', operation });
			expect(v1.filter((property) => property.name === 'waitForCompletion')).toHaveLength(0);
			const v1Options = v1.filter((property) => property.name === 'options');
			expect(v1Options).toHaveLength(1);
			expect((v1Options[0].options as INodeProperties[]).map((option) => option.name)).toContain('waitForCompletion');
		}
	});

	const completed = { id: 'video_w', object: 'video', status: 'completed', progress: 100 };
	const queued = { ...completed, status: 'queued', progress: 0 };

	it.each([
		['version 2, the switch on', 2, { waitForCompletion: true, options: { pollInterval: 0.05, maxWait: 1 } }, 'completed'],
		['version 2, the switch off', 2, { options: {} }, 'queued'],
		['version 1, the option on (a saved workflow)', 1, { options: { waitForCompletion: true, pollInterval: 0.05, maxWait: 1 } }, 'completed'],
	] as const)('%s', async (_name, typeVersion, parameters, status) => {
		const url = new URL(baseUrlOf('voidAi'));
		nock(url.origin).get(`${url.pathname}/videos/video_w`).reply(200, queued);
		nock(url.origin).get(`${url.pathname}/videos/video_w`).reply(200, completed);
		const result = await runNode({
			nodeType: 'soraVideo',
			typeVersion,
			parameters: { provider: 'voidAi', operation: 'getStatus', taskId: 'video_w', ...parameters },
			credentials: credentialsFor('voidAi'),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.status).toBe(status);
	});
});
