import type { IAuthenticate, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/shared/providers';
import { aboutProperty, apiKeyProperty, authenticateWithHeader, baseUrlProperty, credentialIcon, modelsTest } from './common';

const provider = PROVIDERS.wisdomGate;

export class WisdomGateApi implements ICredentialType {
	name = 'wisdomGateApi';

	displayName = 'Wisdom Gate API';

	icon = credentialIcon;

	documentationUrl = 'https://wisdom-gate.juheapi.com';

	properties: INodeProperties[] = [
		aboutProperty('Wisdom Gate (wisdom-gate.juheapi.com) is a hosted AI API gateway that serves Sora video models through an OpenAI-style API.'),
		apiKeyProperty(provider),
		baseUrlProperty(provider),
	];

	authenticate: IAuthenticate = authenticateWithHeader;

	test: ICredentialTestRequest = modelsTest(provider);
}
