/**
 * The provider registry: the only place that knows providers by name.
 * Adding a provider = one entry here + one credential file.
 */

export type ProviderId = 'opeAi' | 'wisdomGate' | 'ezModel' | 'voidAi' | 'openAiCompatible';

export type ContentVariant = 'video' | 'thumbnail' | 'spritesheet';

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
	displayName: string;
	credentialName: string;
	/** As shown in n8n's credential list; error messages name it. */
	credentialDisplayName: string;
	defaultBaseUrl: string;
	/** `?variant=thumbnail|spritesheet` on the content endpoint. */
	supportsVariants: boolean;
	/** `GET /videos` with cursor pagination. */
	supportsList: boolean;
	/** `POST /videos` (multipart or JSON): Create and Generate. */
	supportsCreate: boolean;
	/** `POST /videos/{id}/remix`. */
	supportsRemix: boolean;
	/** `DELETE /videos/{id}`. */
	supportsDelete: boolean;
	/** Where a user creates or finds their key. */
	keyHelpUrl: string;
}

export const PROVIDERS: Record<ProviderId, ProviderDefinition> = {
	opeAi: {
		id: 'opeAi',
		displayName: 'OpeAI',
		credentialName: 'opeAiApi',
		credentialDisplayName: 'OpeAI API',
		defaultBaseUrl: 'https://api-platform.ope.ai/v1',
		supportsVariants: false,
		supportsList: false,
		supportsCreate: true,
		supportsRemix: false,
		supportsDelete: false,
		keyHelpUrl: 'https://api-platform.ope.ai',
	},
	wisdomGate: {
		id: 'wisdomGate',
		displayName: 'Wisdom Gate',
		credentialName: 'wisdomGateApi',
		credentialDisplayName: 'Wisdom Gate API',
		defaultBaseUrl: 'https://wisdom-gate.juheapi.com/v1',
		supportsVariants: false,
		supportsList: false,
		supportsCreate: true,
		supportsRemix: false,
		supportsDelete: false,
		keyHelpUrl: 'https://wisdom-gate.juheapi.com',
	},
	ezModel: {
		id: 'ezModel',
		displayName: 'EzModel',
		credentialName: 'ezModelApi',
		credentialDisplayName: 'EzModel API',
		defaultBaseUrl: 'https://www.ezmodel.cloud/v1',
		supportsVariants: false,
		supportsList: false,
		supportsCreate: true,
		supportsRemix: false,
		supportsDelete: false,
		keyHelpUrl: 'https://www.ezmodel.cloud',
	},
	voidAi: {
		id: 'voidAi',
		displayName: 'VoidAI',
		credentialName: 'voidAiApi',
		credentialDisplayName: 'VoidAI API',
		defaultBaseUrl: 'https://api.voidai.app/v1',
		supportsVariants: true,
		supportsList: true,
		supportsCreate: true,
		supportsRemix: true,
		supportsDelete: true,
		keyHelpUrl: 'https://voidai.app',
	},
	openAiCompatible: {
		id: 'openAiCompatible',
		displayName: 'OpenAI-Compatible Gateway',
		credentialName: 'openAiCompatibleVideoApi',
		credentialDisplayName: 'OpenAI-Compatible Video API',
		defaultBaseUrl: '',
		// Unknown gateway: offer everything and let the gateway's own answer decide.
		supportsVariants: true,
		supportsList: true,
		supportsCreate: true,
		supportsRemix: true,
		supportsDelete: true,
		keyHelpUrl: '',
	},
};

export const PROVIDER_IDS = Object.keys(PROVIDERS) as ProviderId[];

/** Whether the provider serves an operation of the Sora Video node (the ones every provider has: true). */
export function providerServes(provider: ProviderDefinition, operation: string): boolean {
	switch (operation) {
		case 'list':
			return provider.supportsList;
		case 'create':
		case 'generate':
			return provider.supportsCreate;
		case 'remix':
			return provider.supportsRemix;
		case 'delete':
			return provider.supportsDelete;
		default:
			return true;
	}
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
