import type { IAuthenticate, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/shared/providers';
import { apiKeyProperty, authenticateWithHeader, baseUrlProperty, credentialIcon, keyTest } from './common';

const provider = PROVIDERS.opeAi;

export class OpeAiApi implements ICredentialType {
	name = 'opeAiApi';

	displayName = 'OpeAI API';

	icon = credentialIcon;

	documentationUrl = 'https://api-platform.ope.ai';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authMode',
			type: 'options',
			options: [
				{
					name: 'API Key',
					value: 'apiKey',
					description: 'Authorization: Bearer &lt;api-key&gt; against /v1/videos',
				},
				{
					name: 'Frontend Token',
					value: 'frontendToken',
					description: 'A frontend JWT sent as a "token" header against /api/videos',
				},
			],
			default: 'apiKey',
		},
		{
			...apiKeyProperty(provider),
			displayName: 'API Key or Token',
			description: 'Your OpeAI API key (sk-...), or a frontend JWT when Authentication is Frontend Token',
		},
		baseUrlProperty(provider),
	];

	authenticate: IAuthenticate = authenticateWithHeader;

	/** API keys are checked against /v1/models; a frontend token against the signed-in user's /api/user/self. */
	test: ICredentialTestRequest = keyTest({
		baseURL:
			'={{ $credentials.authMode === "frontendToken" ? String($credentials.baseUrl).trim().replace(/\\/+$/, "").replace(/\\/v\\d+$/, "") + "/api" : String($credentials.baseUrl).trim().replace(/\\/+$/, "") }}',
		url: '={{ $credentials.authMode === "frontendToken" ? "/user/self" : "/models" }}',
		method: 'GET',
	});
}
