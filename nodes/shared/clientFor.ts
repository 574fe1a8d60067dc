/** The one way from a node's chosen provider and its credential to a client of the video API. */
import { unknownProviderError } from './problems';
import type { ProviderCredentialData, ProviderDefinition } from './providers';
import { getProvider } from './providers';
import type { ClientBehaviour, RetryOptions, SoraContext } from './transport';
import { VideoApiClient } from './transport';

export interface ClientSource {
	provider: ProviderDefinition;
	/** A client with these request options (each item of a node may set its own). */
	client(options: RetryOptions, behaviour?: ClientBehaviour): VideoApiClient;
}

/** Reads the credential of the provider once; the clients made from it share it. */
export async function clientFor(fn: SoraContext, providerId: string): Promise<ClientSource> {
	const provider = getProvider(providerId);
	if (!provider) throw unknownProviderError(fn.getNode(), providerId);
	const credentials = (await fn.getCredentials(provider.credentialName)) as unknown as ProviderCredentialData;
	return { provider, client: (options, behaviour) => new VideoApiClient(fn, provider, credentials, options, behaviour) };
}
