/** The Model list search in the editor: the video models the gateway behind the chosen credential offers. */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { clientFor } from '../shared/clientFor';
import { listModels } from '../shared/lifecycle';
import { DEFAULT_RETRY_OPTIONS } from '../shared/transport';

export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const providerId = String(this.getCurrentNodeParameter('provider') ?? this.getNodeParameter('provider', ''));
	const { client } = await clientFor(this, providerId);
	// The editor waits on this list: fail fast rather than retry for a minute.
	return { results: await listModels(client({ ...DEFAULT_RETRY_OPTIONS, maxRetries: 1, timeoutMs: 20_000 }), filter) };
}
