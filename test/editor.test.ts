/**
 * What n8n's editor offers per provider, decided by n8n-workflow's own NodeHelpers (the functions the editor's
 * parameter list calls), on the node descriptions as n8n loads them from dist/.
 *
 * Provider is the node's first field, with its credential below it; the choices shown after it are the ones that
 * provider can serve.
 */
import type { INode, INodeParameters, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import type { ProviderId } from '../nodes/shared/providers';
import { PROVIDER_IDS, PROVIDERS, providerServes } from '../nodes/shared/providers';
import { DEFAULT_PROVIDER, FIRST_DEFAULT_PROVIDER, offersInWords } from '../nodes/shared/descriptions';
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

function nodeWith(description: INodeTypeDescription, parameters: INodeParameters, typeVersion = 1): INode {
	return { id: 'n', name: description.displayName, type: `n8n-nodes-sora-video.${description.name}`, typeVersion, position: [0, 0], parameters };
}

/** The parameters as the editor holds them: n8n fills in defaults and drops what is not displayed. */
function resolved(description: INodeTypeDescription, parameters: INodeParameters, typeVersion = 1): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, parameters, true, false, nodeWith(description, parameters, typeVersion), description) ?? {};
}

/** What a saved workflow keeps: only the values that differ from the default, of the displayed parameters. */
function saved(description: INodeTypeDescription, parameters: INodeParameters, typeVersion = 1): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, parameters, false, false, nodeWith(description, parameters, typeVersion), description) ?? {};
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

/**
 * n8n 2.41.1's editor (editor-ui utils/nodeTypesUtils.ts getMainAuthField, as shipped in its workflows.store chunk):
 * the node's properties whose name is a key of a credential's displayOptions.show (getNodeAuthFields); of those, one
 * named `authentication` without a `none` option, or else the first with options whose every string value some
 * credential's show lists (findAlternativeAuthField). The editor hides that field (and every field its displayOptions
 * name), offers it only as the credential dialog's switch, and sets it from the credential picked.
 */
function mainAuthField(description: INodeTypeDescription): INodeProperties | null {
	const credentials = description.credentials ?? [];
	const keys = new Set(credentials.flatMap((credential) => Object.keys(credential.displayOptions?.show ?? {})));
	const authFields = description.properties.filter((property) => keys.has(property.name));
	const named = authFields.find((field) => field.name === 'authentication' && !(field.options ?? []).some((option) => 'value' in option && option.value === 'none'));
	if (named) return named;
	const listed: Record<string, string[]> = {};
	for (const credential of credentials) {
		for (const [key, values] of Object.entries(credential.displayOptions?.show ?? {})) listed[key] = [...(listed[key] ?? []), ...(values ?? []).map((value) => (value ? String(value) : ''))];
	}
	return (
		authFields.find(
			(field) =>
				(field.options ?? []).length > 0 &&
				(field.options ?? []).every((option) => !('value' in option) || typeof option.value !== 'string' || listed[field.name].includes(option.value)),
		) ?? null
	);
}

const VERSIONS = { soraVideo: { old: [1, 2], current: 3 }, soraVideoTrigger: { old: [1], current: 2 } } as const;

describe('Provider is the first field of the node, its credential below it', () => {
	it.each(['soraVideo', 'soraVideoTrigger'] as const)('%s: n8n\'s editor finds no main auth field, so it shows Provider and hides nothing', async (name) => {
		const description = await describeNode(name);
		expect(mainAuthField(description)).toBeNull();
		// What makes it so: the credentials name the root parameter, and no property is called that.
		for (const credential of description.credentials ?? []) expect(Object.keys(credential.displayOptions?.show ?? {})).toEqual(['/provider']);
		expect(description.properties.filter((property) => property.name === '/provider')).toHaveLength(0);
		// As the credentials were before (keyed `provider`), n8n took Provider for the main auth field and hid it.
		const before = { ...description, credentials: (description.credentials ?? []).map((credential) => ({ ...credential, displayOptions: { show: { provider: credential.displayOptions?.show?.['/provider'] } } })) };
		expect(mainAuthField(before)?.name).toBe('provider');
	});

	it.each(['soraVideo', 'soraVideoTrigger'] as const)('%s: each provider gets exactly its own credential, in every version', async (name) => {
		const description = await describeNode(name);
		const { old, current } = VERSIONS[name];
		for (const version of [...old, current]) {
			for (const id of PROVIDER_IDS) {
				const values = resolved(description, { provider: id }, version);
				const node = nodeWith(description, values, version);
				const shown = (description.credentials ?? []).filter((credential) => NodeHelpers.displayParameter(values, credential, node, description));
				expect(shown.map((credential) => credential.name)).toEqual([PROVIDERS[id].credentialName]);
			}
		}
	});

	it.each(['soraVideo', 'soraVideoTrigger'] as const)('%s: Provider comes first (after n8n\'s Poll Times on the trigger), then the credential placeholder; one Provider per version', async (name) => {
		const description = await describeNode(name);
		const { old, current } = VERSIONS[name];
		for (const version of [...old, current]) {
			const values = resolved(description, {}, version);
			const node = nodeWith(description, values, version);
			// n8n puts its own Poll Times before every polling node's fields.
			const ours = description.properties.filter((property) => property.name !== 'pollTimes');
			expect(description.properties.length - ours.length).toBe(name === 'soraVideoTrigger' ? 1 : 0);
			const shown = ours.filter((property) => NodeHelpers.displayParameter(values, property, node, description));
			// n8n's parameter list puts the credential box right before the first `credentials` property.
			expect(shown.slice(0, 2).map((property) => [property.name, property.type])).toEqual([
				['provider', 'options'],
				['credentials', 'credentials'],
			]);
			expect(values.provider).toBe(version === current ? DEFAULT_PROVIDER : FIRST_DEFAULT_PROVIDER);
		}
	});

	it.each(['soraVideo', 'soraVideoTrigger'] as const)('%s: the choices are sorted by name, the compatible gateway first, each saying what the provider is and offers', async (name) => {
		const description = await describeNode(name);
		for (const copy of description.properties.filter((property) => property.name === 'provider')) {
			const options = copy.options as INodePropertyOptions[];
			expect(options.map((option) => option.name)).toEqual([...options.map((option) => option.name)].sort((a, b) => a.localeCompare(b)));
			expect(options[0]).toMatchObject({ name: 'Any OpenAI-Compatible Gateway', value: 'openAiCompatible' });
			expect(options.map((option) => option.value).sort()).toEqual([...PROVIDER_IDS].sort());
			for (const option of options) {
				const provider = PROVIDERS[option.value as ProviderId];
				expect(option.name).toBe(provider.choiceName);
				expect(option.description).toBe(`${provider.about}: ${offersInWords(provider)}`);
				// n8n shows two lines of a choice's description in the list (about 120 characters at its width).
				expect(option.description?.length).toBeLessThanOrEqual(110);
			}
		}
		const opeAi = (description.properties.find((property) => property.name === 'provider')?.options as INodePropertyOptions[]).find((option) => option.value === 'opeAi');
		expect(opeAi?.description).toContain('not a misspelling of OpenAI');
	});

	it('what each provider offers is said from what it declares', () => {
		expect(offersInWords(PROVIDERS.opeAi)).toBe('create, status and video download only');
		expect(offersInWords(PROVIDERS.voidAi)).toBe('also thumbnails and spritesheets, task listing, remix and delete');
		expect(offersInWords(PROVIDERS.openAiCompatible)).toBe('every operation the gateway serves');
	});

	it.each(['soraVideo', 'soraVideoTrigger'] as const)('%s: a saved node without a provider key keeps meaning OpeAI; a new node saves its provider only when it is not the new default', async (name) => {
		const description = await describeNode(name);
		const { old, current } = VERSIONS[name];
		for (const version of old) {
			expect(resolved(description, {}, version).provider).toBe('opeAi');
			expect(saved(description, { provider: 'opeAi' }, version).provider).toBeUndefined();
			expect(saved(description, { provider: 'openAiCompatible' }, version).provider).toBe('openAiCompatible');
		}
		expect(saved(description, { provider: 'openAiCompatible' }, current).provider).toBeUndefined();
		expect(saved(description, { provider: 'opeAi' }, current).provider).toBe('opeAi');
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
			if (unserved) expect(notices[0].displayName).toMatch(/VoidAI or Any OpenAI-Compatible Gateway as the Provider\.$/);
			if (onlyCompatible) expect(notices[0].displayName).toMatch(/choose Any OpenAI-Compatible Gateway as the Provider\.$/);
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
