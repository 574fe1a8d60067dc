/** The Model list in the editor: the video models the gateway behind the chosen credential offers. */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listModels } from '../../shared/lifecycle';
import type { ProviderCredentialData } from '../../shared/providers';
import { getProvider } from '../../shared/providers';
import { DEFAULT_RETRY_OPTIONS, VideoApiClient } from '../../shared/transport';

export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const providerId = this.getCurrentNodeParameter('provider') as string;
	const provider = getProvider(providerId);
	if (!provider) throw new NodeOperationError(this.getNode(), `Unknown provider "${providerId}"`);
	const credentials = (await this.getCredentials(provider.credentialName)) as unknown as ProviderCredentialData;
	// The editor waits on this list: fail fast rather than retry for a minute.
	const client = new VideoApiClient(this, provider, credentials, { ...DEFAULT_RETRY_OPTIONS, maxRetries: 1, timeoutMs: 20_000 });
	return { results: await listModels(client, filter) };
}
