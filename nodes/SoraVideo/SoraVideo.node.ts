import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { credentialsPlacement, providerCredentials, providerProperties } from '../shared/descriptions';
import { searchModels } from './modelSearch';
import { nodeProperties, subtitleExpression } from './operations/describe';
import { DEFAULT_OPERATION, OPERATIONS } from './operations/index';
import { route } from './operations/router';

export class SoraVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Video',
		name: 'soraVideo',
		icon: { light: 'file:soraVideo.svg', dark: 'file:soraVideo.dark.svg' },
		group: ['transform'],
		// 2: Wait for Completion is a switch of its own on Get Status and Download Content (1 kept it among the options).
		// 3: Provider defaults to any OpenAI-compatible gateway (1 and 2 keep OpeAI: their saved nodes without the key mean it).
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: subtitleExpression(OPERATIONS),
		description: 'Create, check and download AI video tasks (Sora, Veo, Kling, ...) through OpenAI/Sora-compatible gateways: OpeAI, Wisdom Gate, EzModel, VoidAI, any compatible API',
		defaults: { name: 'Sora Video' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		// Provider first, its credential below it, then everything from the operation registry (operations/index.ts).
		properties: [...providerProperties(3), credentialsPlacement, ...nodeProperties(OPERATIONS, DEFAULT_OPERATION)],
	};

	methods = {
		listSearch: { searchModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, OPERATIONS);
	}
}
