import type { IAuthenticate, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/shared/providers';
import { aboutProperty, apiKeyProperty, authenticateWithHeader, baseUrlProperty, credentialIcon, modelsTest } from './common';

const provider = PROVIDERS.openAiCompatible;

export class OpenAiCompatibleVideoApi implements ICredentialType {
	name = 'openAiCompatibleVideoApi';

	displayName = 'OpenAI-Compatible Video API';

	icon = credentialIcon;

	documentationUrl = 'https://platform.openai.com/docs/api-reference/videos';

	properties: INodeProperties[] = [
		aboutProperty(
			'For any other gateway that serves OpenAI\'s /v1/videos API: one you run yourself (such as new-api), Azure OpenAI, or OpenAI itself. Enter its Base URL and how it expects the key.',
		),
		apiKeyProperty(provider),
		{
			...baseUrlProperty(provider),
			placeholder: 'https://my-gateway.example.com/v1',
			description: 'The API root that /videos is appended to, e.g. https://my-new-api.example.com/v1 or https://my-resource.openai.azure.com/openai/v1',
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'Authorization',
			description: 'The request header that carries the key. Azure OpenAI uses "api-key".',
		},
		{
			displayName: 'Header Value Prefix',
			name: 'headerPrefix',
			type: 'string',
			default: 'Bearer ',
			description: 'Text put before the key in the header, including any space. Leave empty for Azure\'s "api-key" header.',
		},
	];

	authenticate: IAuthenticate = authenticateWithHeader;

	test: ICredentialTestRequest = modelsTest(provider, { customHeader: true });
}
