/**
 * What n8n's editor offers per provider, decided by n8n-workflow's own NodeHelpers (the functions the editor's
 * parameter list calls), on the node descriptions as n8n loads them from dist/.
 *
 * The editor hides Provider and sets it from the credential the user picks, so the choices shown must already
 * be the ones that provider can serve.
 */
import type { INode, INodeParameters, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import type { ProviderId } from '../nodes/shared/providers';
import { PROVIDER_IDS, PROVIDERS, providerServes } from '../nodes/shared/providers';
import { loadPackage } from './harness/engine';

/** What each provider offers, as the README's table says. */
const OFFERS: Record<ProviderId, { list: boolean; variants: boolean; extend: boolean }> = {
	opeAi: { list: false, variants: false, extend: false },
	wisdomGate: { list: false, variants: false, extend: false },
	ezModel: { list: false, variants: false, extend: false },
	voidAi: { list: true, variants: true, extend: false },
	openAiCompatible: { list: true, variants: true, extend: true },
};

async function describeNode(name: 'soraVideo' | 'soraVideoTrigger'): Promise<INodeTypeDescription> {
	const loader = await loadPackage();
	return loader.nodeTypes[name].type.description as INodeTypeDescription;
}

function nodeWith(description: INodeTypeDescription, parameters: INodeParameters): INode {
	return { id: 'n', name: description.displayName, type: `n8n-nodes-sora-video.${description.name}`, typeVersion: 1, position: [0, 0], parameters };
}

/** The parameters as the editor holds them: n8n fills in defaults and drops what is not displayed. */
function resolved(description: INodeTypeDescription, parameters: INodeParameters): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, parameters, true, false, nodeWith(description, parameters), description) ?? {};
}

/** What a saved workflow keeps: only the values that differ from the default, of the displayed parameters. */
function saved(description: INodeTypeDescription, parameters: INodeParameters): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, parameters, false, false, nodeWith(description, parameters), description) ?? {};
}

/** The copies of a parameter the editor's parameter list displays (it calls NodeHelpers.displayParameterPath). */
function displayed(description: INodeTypeDescription, parameters: INodeParameters, name: string, path = 'parameters', list = description.properties): INodeProperties[] {
	const values = resolved(description, parameters);
	const node = nodeWith(description, values);
	return list.filter((property) => property.name === name && NodeHelpers.displayParameterPath({ parameters: values }, property, path, node, description));
}

/** The choices offered in the one displayed copy of an options parameter; null when it is not displayed. */
function choices(description: INodeTypeDescription, parameters: INodeParameters, name: string): Array<INodePropertyOptions['value']> | null {
	const copies = displayed(description, parameters, name);
	expect(copies.length).toBeLessThanOrEqual(1);
	if (copies.length === 0) return null;
	return (copies[0].options as INodePropertyOptions[]).map((option) => option.value);
}

describe('the editor sets Provider from the credential', () => {
	it.each(['soraVideo', 'soraVideoTrigger'] as const)('%s: every credential depends on Provider alone, and every provider has its credential', async (name) => {
		// This is what makes n8n's editor treat Provider as the node's authentication field: it hides the
		// field, lists every provider's credentials together, and sets Provider from the credential picked.
		const description = await describeNode(name);
		const provider = description.properties.filter((property) => property.name === 'provider');
		expect(provider).toHaveLength(1);
		expect(provider[0].displayOptions).toBeUndefined();
		const providerValues = (provider[0].options as INodePropertyOptions[]).map((option) => option.value);
		expect(providerValues).toEqual(PROVIDER_IDS);
		for (const credential of description.credentials ?? []) expect(Object.keys(credential.displayOptions?.show ?? {})).toEqual(['provider']);
		const shownFor = (id: ProviderId) => (description.credentials ?? []).filter((credential) => NodeHelpers.displayParameter({ provider: id }, credential, null, description));
		for (const id of PROVIDER_IDS) expect(shownFor(id).map((credential) => credential.name)).toEqual([PROVIDERS[id].credentialName]);
	});
});

describe.each(PROVIDER_IDS)('%s', (provider) => {
	const offers = OFFERS[provider];

	it('the registry agrees with what the README promises', () => {
		expect({ list: PROVIDERS[provider].supportsList, variants: PROVIDERS[provider].supportsVariants, extend: providerServes(PROVIDERS[provider], 'extend') }).toEqual(offers);
	});

	it('Sora Video: Operation offers every operation (the action picked is the one you get); a notice marks the ones the provider cannot serve', async () => {
		const description = await describeNode('soraVideo');
		const all = ['create', 'createCharacter', 'delete', 'downloadContent', 'edit', 'extend', 'generate', 'getCharacter', 'getStatus', 'list', 'remix'];
		/** Extensions, edits and characters: no named provider documents them; an OpenAI-compatible gateway may serve them. */
		const compatibleOnly = ['extend', 'edit', 'createCharacter', 'getCharacter'];
		expect(choices(description, { provider }, 'operation')).toEqual(all);
		expect(resolved(description, { provider }).operation).toBe('getStatus');
		for (const operation of all) {
			// What the node panel's action set stays set, whichever credential the editor attached.
			expect(resolved(description, { provider, operation }).operation).toBe(operation);
			const notices = description.properties.filter(
				(property) => property.type === 'notice' && displayed(description, { provider, operation }, property.name).includes(property),
			);
			const unserved = !offers.list && ['list', 'remix', 'delete'].includes(operation);
			const onlyCompatible = provider !== 'openAiCompatible' && compatibleOnly.includes(operation);
			expect(notices).toHaveLength(unserved || onlyCompatible ? 1 : 0);
			if (unserved) expect(notices[0].displayName).toMatch(/VoidAI or OpenAI-Compatible Gateway\.$/);
			if (onlyCompatible) expect(notices[0].displayName).toMatch(/choose a credential of OpenAI-Compatible Gateway\.$/);
		}
	});

	it('Sora Video: Variant offers thumbnail and spritesheet only where the provider serves them', async () => {
		const description = await describeNode('soraVideo');
		expect(choices(description, { provider, operation: 'downloadContent' }, 'variant')).toEqual(offers.variants ? ['video', 'thumbnail', 'spritesheet'] : ['video']);
		expect(resolved(description, { provider, operation: 'downloadContent' }).variant).toBe('video');
		for (const operation of ['getStatus', 'list']) expect(choices(description, { provider, operation }, 'variant')).toBeNull();
	});

	it('Sora Video Trigger: Watch offers All Tasks only where the provider lists tasks', async () => {
		const description = await describeNode('soraVideoTrigger');
		expect(choices(description, { provider }, 'watch')).toEqual(offers.list ? ['taskIds', 'all'] : ['taskIds']);
		expect(resolved(description, { provider }).watch).toBe('taskIds');
	});

	it('Sora Video Trigger: Variant, when downloading, offers only what the provider serves', async () => {
		const description = await describeNode('soraVideoTrigger');
		expect(choices(description, { provider, download: true }, 'variant')).toEqual(offers.variants ? ['video', 'thumbnail', 'spritesheet'] : ['video']);
		expect(choices(description, { provider, download: false }, 'variant')).toBeNull();
	});
});

describe('values saved in workflows survive', () => {
	it('a choice the provider offers is kept as it was saved, under the same name', async () => {
		const node = await describeNode('soraVideo');
		expect(saved(node, { provider: 'voidAi', operation: 'list', returnAll: true })).toMatchObject({ provider: 'voidAi', operation: 'list', returnAll: true });
		expect(saved(node, { provider: 'openAiCompatible', operation: 'downloadContent', taskId: 't', variant: 'spritesheet' })).toMatchObject({ operation: 'downloadContent', variant: 'spritesheet' });
		const trigger = await describeNode('soraVideoTrigger');
		expect(saved(trigger, { provider: 'voidAi', watch: 'all', download: true, variant: 'thumbnail' })).toMatchObject({ watch: 'all', variant: 'thumbnail' });
	});

	it('a choice the provider does not offer (e.g. after switching credential) is kept, so the node can refuse it with a clear error', async () => {
		// The refusal itself (before any request) is tested in list.test.ts, download.test.ts and trigger.test.ts.
		const node = await describeNode('soraVideo');
		expect(resolved(node, { provider: 'opeAi', operation: 'list' }).operation).toBe('list');
		expect(resolved(node, { provider: 'ezModel', operation: 'downloadContent', variant: 'thumbnail' }).variant).toBe('thumbnail');
		const trigger = await describeNode('soraVideoTrigger');
		expect(resolved(trigger, { provider: 'wisdomGate', watch: 'all' }).watch).toBe('all');
	});

	it("n8n's node panel lists every action, under the Video resource", async () => {
		const node = await describeNode('soraVideo');
		const first = node.properties.find((property) => property.name === 'operation');
		expect((first?.options as INodePropertyOptions[]).map((option) => option.action)).toEqual([
			'Create a video',
			'Create a character',
			'Delete a video',
			'Download the file of a video task',
			'Edit a video',
			'Extend a video',
			'Generate a video',
			'Get a character',
			'Get the status of a video task',
			'List video tasks',
			'Remix a video',
		]);
	});

	it('every provider sees exactly one copy of each parameter, for every operation', async () => {
		const node = await describeNode('soraVideo');
		for (const provider of PROVIDER_IDS) {
			for (const operation of ['getStatus', 'downloadContent', 'list']) {
				const names = node.properties
					.filter((property) => displayed(node, { provider, operation }, property.name).includes(property))
					.map((property) => property.name);
				expect(new Set(names).size).toBe(names.length);
				expect(names).toContain('operation');
			}
		}
	});
});

describe('Include Tasks Finished Before Activation', () => {
	const optionName = 'includeFinishedBeforeActivation';

	async function optionShown(parameters: INodeParameters): Promise<boolean> {
		const trigger = await describeNode('soraVideoTrigger');
		const options = trigger.properties.find((property) => property.name === 'options');
		const option = (options?.options as INodeProperties[]).find((property) => property.name === optionName);
		if (!option) throw new Error(`no ${optionName} option`);
		// The editor's "Add Option" list and the options already added both ask displayParameterPath at the collection's path.
		return displayed(trigger, parameters, optionName, 'parameters.options', [option]).length === 1;
	}

	it('is offered only when Watch is All Tasks', async () => {
		expect(await optionShown({ provider: 'voidAi', watch: 'all' })).toBe(true);
		expect(await optionShown({ provider: 'voidAi', watch: 'taskIds' })).toBe(false);
		expect(await optionShown({ provider: 'voidAi' })).toBe(false);
	});

	it('a value left over from All Tasks is dropped when Watch is Task IDs, and kept with All Tasks', async () => {
		const trigger = await describeNode('soraVideoTrigger');
		const options = { [optionName]: true, maxConcurrentRequests: 5 };
		expect(resolved(trigger, { provider: 'voidAi', watch: 'taskIds', taskIds: 'a', options }).options).toEqual({ maxConcurrentRequests: 5 });
		expect(resolved(trigger, { provider: 'voidAi', watch: 'all', options }).options).toEqual(options);
	});
});
