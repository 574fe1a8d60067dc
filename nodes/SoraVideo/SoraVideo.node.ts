import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { offeredPerProvider, offersListing, providerCredentials, providerProperty } from '../shared/descriptions';
import * as downloadContent from './actions/downloadContent.operation';
import * as getStatus from './actions/getStatus.operation';
import * as list from './actions/list.operation';
import { router } from './actions/router';

export class SoraVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Video',
		name: 'soraVideo',
		icon: { light: 'file:soraVideo.svg', dark: 'file:soraVideo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ { getStatus: "Get Status", downloadContent: "Download " + ($parameter["variant"] || "video"), list: "List Tasks" }[$parameter["operation"]] }}',
		description: 'Check and download OpenAI/Sora-compatible video tasks (OpeAI, Wisdom Gate, EzModel, VoidAI, any compatible gateway)',
		defaults: { name: 'Sora Video' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		properties: [
			providerProperty,
			// List only for providers that have it: n8n hides Provider, so a choice must not be offered where it cannot work.
			...offeredPerProvider(
				{
					displayName: 'Operation',
					name: 'operation',
					type: 'options',
					noDataExpression: true,
					options: [
						{
							name: 'Download Content',
							value: 'downloadContent',
							action: 'Download the file of a video task',
							description: 'Download a finished task\'s file as binary data',
						},
						{
							name: 'Get Status',
							value: 'getStatus',
							action: 'Get the status of a video task',
							description: 'Get a task\'s normalized status, progress and error',
						},
						{
							name: 'List',
							value: 'list',
							action: 'List video tasks',
							description: 'List the account\'s video tasks',
						},
					],
					default: 'getStatus',
				},
				offersListing('list'),
			),
			{
				displayName: 'Task ID',
				name: 'taskId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'video_68e688d4950481918ec389280c2f7814',
				description: 'The ID the provider returned when the video was created, usually mapped from the node that created it',
				displayOptions: { show: { operation: ['getStatus', 'downloadContent'] } },
			},
			...getStatus.description,
			...downloadContent.description,
			...list.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
