import type { IAuthenticate, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/shared/providers';
import { apiKeyProperty, authenticateWithHeader, baseUrlProperty, credentialIcon, modelsTest } from './common';

const provider = PROVIDERS.voidAi;

export class VoidAiApi implements ICredentialType {
	name = 'voidAiApi';

	displayName = 'VoidAI API';

	icon = credentialIcon;

	documentationUrl = 'https://voidai.app';

	properties: INodeProperties[] = [apiKeyProperty(provider), baseUrlProperty(provider)];

	authenticate: IAuthenticate = authenticateWithHeader;

	test: ICredentialTestRequest = modelsTest;
}
