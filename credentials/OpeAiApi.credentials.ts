import type { IAuthenticate, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/shared/providers';
import { aboutProperty, apiKeyProperty, authenticateWithHeader, baseUrlProperty, credentialIcon, keyTest } from './common';

const provider = PROVIDERS.opeAi;

export class OpeAiApi implements ICredentialType {
	name = 'opeAiApi';

	displayName = 'OpeAI API';

	icon = credentialIcon;

	documentationUrl = 'https://api-platform.ope.ai';

	properties: INodeProperties[] = [
		aboutProperty(
			'OpeAI (<a href="https://api-platform.ope.ai" target="_blank">api-platform.ope.ai</a>, not a misspelling of OpenAI) is a hosted API platform that serves Sora video models through an OpenAI-style API. Your own gateway? Choose Any OpenAI-Compatible Gateway as the Provider.',
		),
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
		// Both fields store `apiKey`, so saved credentials keep working; only the label follows Authentication.
		{
			...apiKeyProperty(provider),
			description: 'Your OpeAI API key (sk-...), from https://api-platform.ope.ai',
			displayOptions: { show: { authMode: ['apiKey'] } },
		},
		{
			...apiKeyProperty(provider),
			displayName: 'Frontend Token',
			description: 'The frontend JWT of your signed-in OpeAI session, sent as a "token" header',
			displayOptions: { show: { authMode: ['frontendToken'] } },
		},
		baseUrlProperty(provider),
	];

	authenticate: IAuthenticate = authenticateWithHeader;

	/** API keys are checked against /v1/models; a frontend token against the signed-in user's /api/user/self. */
	test: ICredentialTestRequest = keyTest(
		provider,
		{
			baseURL:
				'={{ $credentials.authMode === "frontendToken" ? String($credentials.baseUrl).trim().replace(/\\/+$/, "").replace(/\\/v\\d+$/, "") + "/api" : String($credentials.baseUrl).trim().replace(/\\/+$/, "") }}',
			url: '={{ $credentials.authMode === "frontendToken" ? "/user/self" : "/models" }}',
			method: 'GET',
		},
		{ authChoice: true },
	);
}
