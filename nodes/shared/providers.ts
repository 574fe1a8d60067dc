/**
 * The provider registry: the only place that knows providers by name.
 * Adding a provider = one entry here + one credential file.
 */
import type { Capability } from '../SoraVideo/operations/routes';

export type ProviderId = 'opeAi' | 'wisdomGate' | 'ezModel' | 'voidAi' | 'openAiCompatible';

export const CONTENT_VARIANTS = ['video', 'thumbnail', 'spritesheet'] as const;

export type ContentVariant = (typeof CONTENT_VARIANTS)[number];

/** What a provider serves: the routes (see operations/routes.ts) and the files of a task; 'all' for an unknown gateway. */
export interface Serves {
	capabilities: readonly Capability[] | 'all';
	variants: readonly ContentVariant[] | 'all';
}

export interface ProviderCredentialData {
	apiKey: string;
	baseUrl: string;
	/** OpeAI only: 'apiKey' (Bearer on /v1) or 'frontendToken' (`token:` header on /api). */
	authMode?: string;
	/** OpenAI-compatible only: header that carries the key, and what precedes the key in it. */
	headerName?: string;
	headerPrefix?: string;
}

export interface ProviderDefinition {
	id: ProviderId;
	/** As messages and notices name the provider. */
	displayName: string;
	/** Its choice in the node's Provider field (the field lists choices sorted by this name). */
	choiceName: string;
	/** What the provider is, in a few words (n8n shows two lines of a choice's description); the Provider field adds what it offers (derived from `serves`). */
	about: string;
	credentialName: string;
	/** As shown in n8n's credential list; error messages name it. */
	credentialDisplayName: string;
	defaultBaseUrl: string;
	serves: Serves;
	/** Derived from `serves`: `?variant=thumbnail|spritesheet` on the content endpoint. */
	supportsVariants: boolean;
	/** Derived from `serves`: `GET /videos` with cursor pagination. */
	supportsList: boolean;
	/** Where a user creates or finds their key. */
	keyHelpUrl: string;
}

const DECLARED: Record<ProviderId, Omit<ProviderDefinition, 'supportsVariants' | 'supportsList'>> = {
	opeAi: {
		id: 'opeAi',
		displayName: 'OpeAI',
		choiceName: 'OpeAI',
		about: 'Hosted API platform (api-platform.ope.ai), not a misspelling of OpenAI',
		credentialName: 'opeAiApi',
		credentialDisplayName: 'OpeAI API',
		defaultBaseUrl: 'https://api-platform.ope.ai/v1',
		serves: { capabilities: ['readTask', 'download', 'create'], variants: ['video'] },
		keyHelpUrl: 'https://api-platform.ope.ai',
	},
	wisdomGate: {
		id: 'wisdomGate',
		displayName: 'Wisdom Gate',
		choiceName: 'Wisdom Gate',
		about: 'Hosted AI gateway (wisdom-gate.juheapi.com)',
		credentialName: 'wisdomGateApi',
		credentialDisplayName: 'Wisdom Gate API',
		defaultBaseUrl: 'https://wisdom-gate.juheapi.com/v1',
		serves: { capabilities: ['readTask', 'download', 'create'], variants: ['video'] },
		keyHelpUrl: 'https://wisdom-gate.juheapi.com',
	},
	ezModel: {
		id: 'ezModel',
		displayName: 'EzModel',
		choiceName: 'EzModel',
		about: 'Hosted AI gateway (www.ezmodel.cloud)',
		credentialName: 'ezModelApi',
		credentialDisplayName: 'EzModel API',
		defaultBaseUrl: 'https://www.ezmodel.cloud/v1',
		serves: { capabilities: ['readTask', 'download', 'create'], variants: ['video'] },
		keyHelpUrl: 'https://www.ezmodel.cloud',
	},
	voidAi: {
		id: 'voidAi',
		displayName: 'VoidAI',
		choiceName: 'VoidAI',
		about: 'Hosted AI gateway (voidai.app)',
		credentialName: 'voidAiApi',
		credentialDisplayName: 'VoidAI API',
		defaultBaseUrl: 'https://api.voidai.app/v1',
		serves: { capabilities: ['readTask', 'download', 'create', 'list', 'remix', 'delete'], variants: 'all' },
		keyHelpUrl: 'https://voidai.app',
	},
	openAiCompatible: {
		id: 'openAiCompatible',
		displayName: 'OpenAI-Compatible Gateway',
		choiceName: 'Any OpenAI-Compatible Gateway',
		about: 'Your own gateway or any other (new-api, LiteLLM, Azure OpenAI, ...)',
		credentialName: 'openAiCompatibleVideoApi',
		credentialDisplayName: 'OpenAI-Compatible Video API',
		defaultBaseUrl: '',
		// Unknown gateway: offer everything and let the gateway's own answer decide.
		serves: { capabilities: 'all', variants: 'all' },
		keyHelpUrl: '',
	},
};

export const PROVIDER_IDS = Object.keys(DECLARED) as ProviderId[];

/** The registry, with the two flags code outside the operations reads (variants and listing) derived from `serves`. */
export const PROVIDERS = Object.fromEntries(
	PROVIDER_IDS.map((id) => {
		const declared = DECLARED[id];
		const provider: ProviderDefinition = {
			...declared,
			supportsVariants: CONTENT_VARIANTS.every((variant) => providerServesVariant(declared, variant)),
			supportsList: providerServes(declared, 'list'),
		};
		return [id, provider];
	}),
) as Record<ProviderId, ProviderDefinition>;

/** Whether the provider serves a route (an operation needs one; see operations/routes.ts). */
export function providerServes(provider: Pick<ProviderDefinition, 'serves'>, capability: Capability): boolean {
	return provider.serves.capabilities === 'all' || provider.serves.capabilities.includes(capability);
}

/** Whether the provider serves a file of a task (`video` always). */
export function providerServesVariant(provider: Pick<ProviderDefinition, 'serves'>, variant: ContentVariant): boolean {
	return variant === 'video' || provider.serves.variants === 'all' || provider.serves.variants.includes(variant);
}

/** The providers that serve a route, in registry order (messages and notices name them). */
export function providersServing(capability: Capability): ProviderDefinition[] {
	return PROVIDER_IDS.map((id) => PROVIDERS[id]).filter((provider) => providerServes(provider, capability));
}

export function getProvider(id: string): ProviderDefinition | undefined {
	return Object.prototype.hasOwnProperty.call(PROVIDERS, id) ? PROVIDERS[id as ProviderId] : undefined;
}

export function usesFrontendToken(credentials: ProviderCredentialData): boolean {
	return credentials.authMode === 'frontendToken';
}

/** `https://x/v1///` -> `https://x/v1`, in one pass (`/\/+$/` is quadratic on a long run of slashes). */
function withoutTrailingSlashes(url: string): string {
	let end = url.length;
	while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end--;
	return url.slice(0, end);
}

/**
 * The API root every path is appended to, without a trailing slash.
 * The frontend-token mode talks to `<origin>/api/...` instead of `<baseUrl>/...`.
 */
export function resolveApiRoot(credentials: ProviderCredentialData): string {
	const baseUrl = withoutTrailingSlashes((credentials.baseUrl ?? '').trim());
	if (usesFrontendToken(credentials)) {
		return `${baseUrl.replace(/\/v\d+$/, '')}/api`;
	}
	return baseUrl;
}

/** The header that carries an OpeAI frontend token. */
const FRONTEND_TOKEN_HEADER = 'token';

/** The single header a credential contributes; shared by every credential's `authenticate`. */
export function credentialHeader(credentials: ProviderCredentialData): { name: string; value: string } {
	const key = String(credentials.apiKey ?? '').trim();
	if (usesFrontendToken(credentials)) {
		return { name: FRONTEND_TOKEN_HEADER, value: key };
	}
	const name = (credentials.headerName ?? '').trim() || 'Authorization';
	const prefix = credentials.headerPrefix ?? (name.toLowerCase() === 'authorization' ? 'Bearer ' : '');
	return { name, value: `${prefix}${key}` };
}
