/** Parameters shared by the Sora Video node and the Sora Video Trigger. */
import type { INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Capability } from '../SoraVideo/operations/routes';
import type { ProviderDefinition, ProviderId } from './providers';
import { PROVIDERS, PROVIDER_IDS, providerServes } from './providers';
import type { RetryOptions } from './transport';
import { DEFAULT_RETRY_OPTIONS } from './transport';

/** Capabilities beyond create, status and download, as the Provider field's descriptions name them. */
const EXTRA_CAPABILITIES: ReadonlyArray<[Capability, string]> = [
	['list', 'task listing'],
	['remix', 'remix'],
	['delete', 'delete'],
	['extend', 'extend'],
	['edit', 'edit'],
	['createCharacter', 'characters'],
];

/** "A", "A and B", "A, B and C". */
function inWords(items: string[]): string {
	return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** What a provider offers, in words, derived from what it declares (`serves`), so the field never promises more. */
export function offersInWords(provider: ProviderDefinition): string {
	if (provider.serves.capabilities === 'all') return 'every operation the gateway serves';
	const extras = [
		provider.supportsVariants ? 'thumbnails and spritesheets' : '',
		...EXTRA_CAPABILITIES.filter(([capability]) => providerServes(provider, capability)).map(([, words]) => words),
	].filter(Boolean);
	return extras.length > 0 ? `also ${inWords(extras)}` : 'create, status and video download only';
}

/** The Provider field's choices: each provider's one-line description, sorted by name (n8n's lint rule for options). */
export const providerOptions: INodePropertyOptions[] = PROVIDER_IDS.map((id) => ({
	name: PROVIDERS[id].choiceName,
	value: id,
	description: `${PROVIDERS[id].about}: ${offersInWords(PROVIDERS[id])}`,
})).sort((a, b) => a.name.localeCompare(b.name));

/** What a node saved without a `provider` key means (n8n saves no value equal to its default): Sora Video v1-2, trigger v1. */
export const FIRST_DEFAULT_PROVIDER: ProviderId = 'opeAi';

/**
 * The default of nodes added since the Provider field is shown: the gateway that serves every operation, so the
 * action picked in the node panel works as picked, and the choice for people who run their own gateway.
 */
export const DEFAULT_PROVIDER: ProviderId = 'openAiCompatible';

const providerField: INodeProperties = {
	displayName: 'Provider',
	name: 'provider',
	type: 'options',
	noDataExpression: true,
	options: providerOptions,
	default: DEFAULT_PROVIDER,
	description: 'The video API the requests go to; its credential is chosen below',
};

/**
 * The Provider field, first in each node: one copy per default. Versions before `since` keep OpeAI as the default
 * (what their saved nodes without the key mean); `since` and later default to DEFAULT_PROVIDER.
 */
export function providerProperties(since: number): INodeProperties[] {
	return [
		{ ...providerField, default: FIRST_DEFAULT_PROVIDER, displayOptions: { show: { '@version': [{ _cnd: { lt: since } }] } } },
		{ ...providerField, default: DEFAULT_PROVIDER, displayOptions: { show: { '@version': [{ _cnd: { gte: since } }] } } },
	];
}

/**
 * Where n8n's editor puts the credential box: right before this placeholder, so below Provider. n8n's own nodes
 * (Notion, the SQL Agent) place it so; without it the box goes above every field.
 */
export const credentialsPlacement: INodeProperties = {
	displayName: 'Credential',
	name: 'credentials',
	type: 'credentials',
	default: '',
};

/**
 * One credential per provider, shown for the provider that is picked.
 *
 * The condition names the root parameter `/provider` (n8n-workflow's displayParameter reads it from the node's
 * parameters, exactly as `provider`) so that n8n's editor does not take Provider for the node's "main auth field".
 * n8n 2.41.1 (editor-ui, utils/nodeTypesUtils.ts) finds that field with getNodeAuthFields, the node properties whose
 * name is a key of a credential's displayOptions.show, then getMainAuthField: one named `authentication`, or
 * (findAlternativeAuthField) one with options whose every value some credential's show lists. Provider, keyed
 * `provider`, was that field: the editor hid it from the node (useNodeSettingsParameters' shouldDisplayNodeParameter,
 * also every field an auth field's displayOptions name: isAuthRelatedParameter), offered it only as the switch in the
 * credential dialog's corner, listed every provider's credentials in one box and set Provider from the one picked.
 * Keyed `/provider`, no property matches, so there is no main auth field: Provider is a field like any other and the
 * credential box offers only the chosen provider's credential type (useNodeCredentialOptions' displayCredentials).
 */
export const providerCredentials: INodeCredentialDescription[] = PROVIDER_IDS.map((id) => ({
	name: PROVIDERS[id].credentialName,
	required: true,
	displayOptions: { show: { '/provider': [id] } },
}));

/** Whether a provider can serve one value of an options parameter; answered from the provider registry. */
export type ProviderOffers = (provider: ProviderDefinition, value: INodePropertyOptions['value']) => boolean;

/**
 * The choices of an options parameter that each provider can serve, as the editor should offer them.
 *
 * A choice the chosen provider cannot serve is not offered at all, so it cannot be picked only to fail. This returns
 * one copy of the parameter per group of providers that offer the same choices, each shown only for its providers: n8n keeps one value per parameter name and
 * reads it from the copy that is shown, so the name and the values (what saved workflows hold) do not change.
 * The copy with the most choices comes first (n8n's node panel lists the first Operation's actions).
 */
export function offeredPerProvider(property: INodeProperties, offers: ProviderOffers): INodeProperties[] {
	const groups = new Map<string, { providers: ProviderId[]; options: INodePropertyOptions[] }>();
	for (const id of PROVIDER_IDS) {
		const options = (property.options as INodePropertyOptions[]).filter((option) => offers(PROVIDERS[id], option.value));
		const key = JSON.stringify(options.map((option) => option.value));
		const group = groups.get(key) ?? { providers: [], options };
		group.providers.push(id);
		groups.set(key, group);
	}
	if (groups.size === 1) return [property];
	return [...groups.values()]
		.sort((a, b) => b.options.length - a.options.length)
		.map(({ providers, options }) => ({
			...property,
			options,
			displayOptions: { ...property.displayOptions, show: { ...property.displayOptions?.show, provider: providers } },
		}));
}

/** Task listing (`GET /videos`) is offered only by providers that have it. */
export const offersListing =
	(listingValue: string): ProviderOffers =>
	(provider, value) =>
		value !== listingValue || provider.supportsList;

/** Thumbnails and spritesheets are offered only by providers that serve variants. */
export const offersVariant: ProviderOffers = (provider, value) => value === 'video' || provider.supportsVariants;

export const variantProperty: INodeProperties = {
	displayName: 'Variant',
	name: 'variant',
	type: 'options',
	options: [
		{ name: 'Video', value: 'video', description: 'The generated video (MP4)' },
		{ name: 'Thumbnail', value: 'thumbnail', description: 'A still image (WebP)' },
		{ name: 'Spritesheet', value: 'spritesheet', description: 'A preview sheet of frames (JPEG)' },
	],
	default: 'video',
	description: 'Which file of the task to download',
};

/** Variant as offered for each provider, shown where `displayOptions` says. */
export function variantProperties(displayOptions: INodeProperties['displayOptions']): INodeProperties[] {
	return offeredPerProvider({ ...variantProperty, displayOptions }, offersVariant);
}

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

// Named so n8n's linter can see each parameter has a default.
const DEFAULT_RETRIES = DEFAULT_RETRY_OPTIONS.maxRetries;
const DEFAULT_RETRY_DELAY_MS = DEFAULT_RETRY_OPTIONS.retryDelayMs;
const DEFAULT_TIMEOUT_SECONDS = DEFAULT_RETRY_OPTIONS.timeoutMs / 1000;

/** A numeric option's editor range, applied in code as well: an expression's value skips the editor's check. */
export interface NumericOption {
	displayName: string;
	min: number;
	max: number;
	default: number;
	/** Whole numbers only (rounded down). */
	integer?: boolean;
}

/**
 * Every numeric option of the Sora Video node and the request options the trigger shares. The maxima keep every
 * delay well inside what a timer can hold (2^31-1 ms): a Timeout of 3,000,000 s once fired after 1 ms.
 */
export const NUMERIC_OPTIONS = {
	retries: { displayName: 'Retries', min: 0, max: 10, default: DEFAULT_RETRIES, integer: true },
	retryDelay: { displayName: 'Retry Delay (Milliseconds)', min: 0, max: 60_000, default: DEFAULT_RETRY_DELAY_MS },
	timeout: { displayName: 'Timeout (Seconds)', min: 1, max: 3600, default: DEFAULT_TIMEOUT_SECONDS },
	pollInterval: { displayName: 'Poll Interval (Seconds)', min: 1, max: 3600, default: 10 },
	maxWait: { displayName: 'Max Wait (Minutes)', min: 0.1, max: 1440, default: 15 },
	limit: { displayName: 'Limit', min: 1, max: 100_000, default: 50, integer: true },
} satisfies Record<string, NumericOption>;

export type NumericOptionName = keyof typeof NUMERIC_OPTIONS;

/** The value as a number (numeric text too); undefined when not set; NaN when it is not a number. */
function numberFrom(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '') return Number(value);
	return NaN;
}

/** True when the option is set to something that is not a number (an expression gave text or an object). */
export function isNotANumber(value: unknown): boolean {
	const number = numberFrom(value);
	return number !== undefined && Number.isNaN(number);
}

/** The option's value within its range; its default when unset or not a number. */
export function clampOption(value: unknown, option: NumericOption): number {
	const number = numberFrom(value);
	if (number === undefined || Number.isNaN(number)) return option.default;
	const clamped = Math.min(option.max, Math.max(option.min, number));
	return option.integer ? Math.floor(clamped) : clamped;
}

/** The editor's bounds for a numeric option. */
export function rangeOf(option: NumericOption): { minValue: number; maxValue: number } {
	return { minValue: option.min, maxValue: option.max };
}

export const retriesOption: INodeProperties = {
	displayName: 'Retries',
	name: 'retries',
	type: 'number',
	typeOptions: rangeOf(NUMERIC_OPTIONS.retries),
	default: DEFAULT_RETRIES,
	description: 'How many times to retry after a rate limit (429, honouring Retry-After), a server error (5xx) or a network failure. A create is never resent once it may have reached the provider; in the trigger a 429 ends the poll and the next one waits for Retry-After.',
};

export const retryDelayOption: INodeProperties = {
	// The unit spelled out, as "Timeout (Seconds)" is: n8n's title-case rule (which its scanner applies to sources) reads "(ms)" as a word.
	displayName: 'Retry Delay (Milliseconds)',
	name: 'retryDelay',
	type: 'number',
	typeOptions: rangeOf(NUMERIC_OPTIONS.retryDelay),
	default: DEFAULT_RETRY_DELAY_MS,
	description: 'First wait before a retry; it doubles on each further retry, with random jitter',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: rangeOf(NUMERIC_OPTIONS.timeout),
	default: DEFAULT_TIMEOUT_SECONDS,
	description: 'The most a status, list or create answer may take, whole; for a file, the most it may take to start, or to send the next 64 KiB. Then the request is abandoned (and retried where that is safe).',
};

/** Every request option the user can set, in one list for an options collection. */
export const requestOptions: INodeProperties[] = [retriesOption, retryDelayOption, timeoutOption];

/** The request options, each within its range (the trigger uses them too, so a bad value never reaches a timer). */
export function retryOptionsFrom(values: RequestOptionValues): RetryOptions {
	return {
		...DEFAULT_RETRY_OPTIONS,
		maxRetries: clampOption(values.retries, NUMERIC_OPTIONS.retries),
		retryDelayMs: clampOption(values.retryDelay, NUMERIC_OPTIONS.retryDelay),
		timeoutMs: clampOption(values.timeout, NUMERIC_OPTIONS.timeout) * 1000,
	};
}
