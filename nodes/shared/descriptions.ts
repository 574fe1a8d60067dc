/** Parameters shared by the Sora Video node and the Sora Video Trigger. */
import type { INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { PROVIDERS, PROVIDER_IDS } from './providers';

export const providerOptions: INodePropertyOptions[] = PROVIDER_IDS.map((id) => ({
	name: PROVIDERS[id].displayName,
	value: id,
	description: [
		PROVIDERS[id].defaultBaseUrl || 'Any OpenAI/Sora-compatible video API (self-hosted new-api, one-api, LiteLLM, Azure, ...)',
		PROVIDERS[id].supportsVariants ? 'thumbnails and spritesheets' : '',
		PROVIDERS[id].supportsList ? 'task listing' : '',
	]
		.filter(Boolean)
		.join('; '),
}));

export const providerProperty: INodeProperties = {
	displayName: 'Provider',
	name: 'provider',
	type: 'options',
	noDataExpression: true,
	options: providerOptions,
	default: 'opeAi',
	description: 'The video API provider; each has its own credential',
};

/** One credential per provider, shown for the provider that is picked. */
export const providerCredentials: INodeCredentialDescription[] = PROVIDER_IDS.map((id) => ({
	name: PROVIDERS[id].credentialName,
	required: true,
	displayOptions: { show: { provider: [id] } },
}));

export const variantProperty: INodeProperties = {
	displayName: 'Variant',
	name: 'variant',
	type: 'options',
	options: [
		{ name: 'Video', value: 'video', description: 'The generated video (MP4)' },
		{ name: 'Thumbnail', value: 'thumbnail', description: 'A still image (WebP); VoidAI and OpenAI-compatible gateways only' },
		{ name: 'Spritesheet', value: 'spritesheet', description: 'A preview sheet of frames (JPEG); VoidAI and OpenAI-compatible gateways only' },
	],
	default: 'video',
	description: 'Which file of the task to download',
};

export const binaryPropertyNameProperty: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	hint: 'The name of the output binary field to put the file in',
};
