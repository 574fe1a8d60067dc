/** The parts every provider credential shares: fields, header authentication and the key test. */
import type {
	DeclarativeRestApiSettings,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import type { CredentialTestWording } from '../nodes/shared/problems';
import { baseUrlRedirectsMessage, CREDENTIAL_TEST_CODES, credentialTestMessages, credentialTestNotTheApiMessage, unreachableBaseUrlHint } from '../nodes/shared/problems';
import type { ProviderCredentialData, ProviderDefinition } from '../nodes/shared/providers';
import { credentialHeader } from '../nodes/shared/providers';

export const credentialIcon = { light: 'file:icons/soraVideo.svg', dark: 'file:icons/soraVideo.dark.svg' } as const;

export function apiKeyProperty(provider: ProviderDefinition): INodeProperties {
	return {
		displayName: 'API Key',
		name: 'apiKey',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: provider.keyHelpUrl ? `Your ${provider.displayName} API key, from ${provider.keyHelpUrl}` : 'Your API key',
	};
}

export function baseUrlProperty(provider: ProviderDefinition): INodeProperties {
	return {
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		required: true,
		default: provider.defaultBaseUrl,
		placeholder: provider.defaultBaseUrl || 'https://gateway.example.com/v1',
		description: 'The API root that /videos is appended to. Change it only for a proxy or a regional endpoint.',
		// Shown under the field at all times: n8n's test names an unreachable host only by its network code.
		hint: unreachableBaseUrlHint,
	};
}

/** A line at the top of the credential dialog saying what the provider is. */
export function aboutProperty(text: string): INodeProperties {
	return { displayName: text, name: 'about', type: 'notice', default: '' };
}

/** Adds the credential's one header; shared so every credential authenticates the same way. */
export async function authenticateWithHeader(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const { name, value } = credentialHeader(credentials as unknown as ProviderCredentialData);
	return { ...requestOptions, headers: { ...(requestOptions.headers ?? {}), [name]: value } };
}

const REDIRECT_CODES = [301, 302, 303, 307, 308];

/**
 * A key test that never follows a redirect. n8n's credential test would send the credential's header on to
 * wherever the Base URL redirects: a custom header (`token`, `api-key`) to any host, and Authorization too
 * (n8n puts it back after a redirect to another origin). So the request stops at the redirect, and the test
 * fails with a message that says to use the final address.
 */
export function keyTest(
	provider: ProviderDefinition,
	request: DeclarativeRestApiSettings.HttpRequestOptions,
	wording: CredentialTestWording = {},
): ICredentialTestRequest {
	const messages = credentialTestMessages(provider, wording);
	return {
		request: { ...request, disableFollowRedirect: true },
		rules: [
			...REDIRECT_CODES.map((value): IAuthenticateRuleResponseCode => ({ type: 'responseCode', properties: { value, message: baseUrlRedirectsMessage(value) } })),
			// The node's own words for the same answers, instead of n8n's bare status text ("Unauthorized", "Not Found").
			...CREDENTIAL_TEST_CODES.map((value): IAuthenticateRuleResponseCode => ({ type: 'responseCode', properties: { value, message: messages[value] } })),
			notTheApiRule(provider),
			// n8n types `rules` as one kind of rule per list, but its tester checks each rule by its own type.
		] as Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> as ICredentialTestRequest['rules'],
	};
}

/**
 * `GET <baseUrl>/models` answers 200 for a good key and 401 for a bad one on OpenAI-compatible gateways.
 * The expression strips a trailing slash so `.../v1/` works too.
 */
export function modelsTest(provider: ProviderDefinition, wording: CredentialTestWording = {}): ICredentialTestRequest {
	return keyTest(
		provider,
		{
			baseURL: '={{ String($credentials.baseUrl).trim().replace(/\\/+$/, "") }}',
			url: '/models',
			method: 'GET',
		},
		wording,
	);
}

/**
 * Every OpenAI-compatible model list (and new-api's /api/user/self) has `data`; n8n hands a rule the parsed body (a web page arrives as a string,
 * where `data` is undefined too), and the rule fires when the key's value equals `value`.
 */
export function notTheApiRule(provider: ProviderDefinition): IAuthenticateRuleResponseSuccessBody {
	return { type: 'responseSuccessBody', properties: { key: 'data', value: undefined, message: credentialTestNotTheApiMessage(provider) } };
}
