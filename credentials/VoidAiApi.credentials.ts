import type { IAuthenticate, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/shared/providers';
import { aboutProperty, apiKeyProperty, authenticateWithHeader, baseUrlProperty, credentialIcon, modelsTest } from './common';

const provider = PROVIDERS.voidAi;

export class VoidAiApi implements ICredentialType {
	name = 'voidAiApi';

	displayName = 'VoidAI API';

	icon = credentialIcon;

	documentationUrl = 'https://voidai.app';

	properties: INodeProperties[] = [
		aboutProperty('VoidAI (voidai.app) is a hosted AI API gateway that serves Sora video models, with thumbnails, spritesheets and task listing.'),
		apiKeyProperty(provider),
		baseUrlProperty(provider),
	];

	authenticate: IAuthenticate = authenticateWithHeader;

	test: ICredentialTestRequest = modelsTest(provider);
}
