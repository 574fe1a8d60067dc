/** Parameters shared by the Sora Video node and the Sora Video Trigger. */
import type { INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { PROVIDERS, PROVIDER_IDS } from './providers';
import type { RetryOptions } from './transport';
import { DEFAULT_RETRY_OPTIONS } from './transport';

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

/** The values of the request options below, as read from an options collection. */
export interface RequestOptionValues {
	retries?: number;
	retryDelay?: number;
	timeout?: number;
}

export const retriesOption: INodeProperties = {
	displayName: 'Retries',
	name: 'retries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 10 },
	default: DEFAULT_RETRY_OPTIONS.maxRetries,
	description: 'How many times to retry after a rate limit (429, honouring Retry-After), a server error (5xx) or a network failure',
};

export const retryDelayOption: INodeProperties = {
	displayName: 'Retry Delay (Ms)',
	name: 'retryDelay',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: DEFAULT_RETRY_OPTIONS.retryDelayMs,
	description: 'First wait before a retry; it doubles on each further retry, with random jitter',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_RETRY_OPTIONS.timeoutMs / 1000,
	description: 'How long the provider may stay silent before the request is abandoned (and retried)',
};

/** Every request option the user can set, in one list for an options collection. */
export const requestOptions: INodeProperties[] = [retriesOption, retryDelayOption, timeoutOption];

export function retryOptionsFrom(values: RequestOptionValues): RetryOptions {
	return {
		...DEFAULT_RETRY_OPTIONS,
		maxRetries: values.retries ?? DEFAULT_RETRY_OPTIONS.maxRetries,
		retryDelayMs: values.retryDelay ?? DEFAULT_RETRY_OPTIONS.retryDelayMs,
		timeoutMs: (values.timeout ?? DEFAULT_RETRY_OPTIONS.timeoutMs / 1000) * 1000,
	};
}

