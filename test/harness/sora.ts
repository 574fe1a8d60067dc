/** Shortcuts for running the Sora Video node per provider in the real engine. */
import type { ICredentialDataDecryptedObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { ProviderId } from '../../nodes/shared/providers';
import { PROVIDERS } from '../../nodes/shared/providers';
import type { EngineRunResult } from './engine';
import { runNode } from './engine';

export const KEY = 'sk-test-SECRET-key-0123456789';
export const COMPATIBLE_BASE = 'https://gateway.example.test/v1';

export function baseUrlOf(provider: ProviderId): string {
	return PROVIDERS[provider].defaultBaseUrl || COMPATIBLE_BASE;
}

export function credentialsFor(provider: ProviderId, extra: ICredentialDataDecryptedObject = {}): Record<string, ICredentialDataDecryptedObject> {
	return { [PROVIDERS[provider].credentialName]: { apiKey: KEY, baseUrl: baseUrlOf(provider), ...extra } };
}

export async function runSora(
	provider: ProviderId,
	parameters: INodeParameters,
	options: { items?: INodeExecutionData[]; continueOnFail?: boolean; credentials?: ICredentialDataDecryptedObject } = {},
): Promise<EngineRunResult> {
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider, ...parameters },
		credentials: credentialsFor(provider, options.credentials),
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
}

/** Everything an execution exposes to a user: output items and the error with all its texts. */
export function everythingShown(result: EngineRunResult): string {
	const error = result.error as (Error & { description?: unknown; context?: unknown; cause?: unknown }) | undefined;
	return JSON.stringify({
		items: result.items.map((item) => item.json),
		error: error ? { message: error.message, description: error.description, context: error.context, stack: error.stack } : null,
	});
}

/** Fast retries for tests; the options collection name depends on the operation. */
export const fastRetries = { retries: 2, retryDelay: 1 };

/** The download facts Download Content puts beside the user's fields, for one binary property. */
export function fileFacts(item: INodeExecutionData | undefined, property = 'data'): Record<string, unknown> {
	const files = item?.json.soraVideoFiles as Record<string, Record<string, unknown>> | undefined;
	return files?.[property] ?? {};
}
