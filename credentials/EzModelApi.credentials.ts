import type { IAuthenticate, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/shared/providers';
import { aboutProperty, apiKeyProperty, authenticateWithHeader, baseUrlProperty, credentialIcon, modelsTest } from './common';

const provider = PROVIDERS.ezModel;

export class EzModelApi implements ICredentialType {
	name = 'ezModelApi';

	displayName = 'EzModel API';

	icon = credentialIcon;

	documentationUrl = 'https://www.ezmodel.cloud/docs/sora-videos';

	properties: INodeProperties[] = [
		aboutProperty('EzModel (www.ezmodel.cloud) is a hosted AI API gateway that serves Sora video models through an OpenAI-style API.'),
		apiKeyProperty(provider),
		baseUrlProperty(provider),
	];

	authenticate: IAuthenticate = authenticateWithHeader;

	test: ICredentialTestRequest = modelsTest(provider);
}
