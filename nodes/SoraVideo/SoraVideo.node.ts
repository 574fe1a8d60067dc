import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { offeredPerProvider, providerCredentials, providerProperty } from '../shared/descriptions';
import { providerServes } from '../shared/providers';
import * as create from './actions/create.operation';
import * as deleteTask from './actions/delete.operation';
import * as downloadContent from './actions/downloadContent.operation';
import * as generate from './actions/generate.operation';
import * as getStatus from './actions/getStatus.operation';
import * as list from './actions/list.operation';
import { searchModels } from './actions/models';
import * as remix from './actions/remix.operation';
import { router } from './actions/router';

export class SoraVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Video',
		name: 'soraVideo',
		icon: { light: 'file:soraVideo.svg', dark: 'file:soraVideo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { create: "Create Video", generate: "Generate Video", getStatus: "Get Status", downloadContent: "Download " + ($parameter["variant"] || "video"), list: "List Tasks", remix: "Remix Video", delete: "Delete Video" }[$parameter["operation"]] }}',
		description: 'Create, check and download AI video tasks (Sora, Veo, Kling, ...) through OpenAI/Sora-compatible gateways: OpeAI, Wisdom Gate, EzModel, VoidAI, any compatible API',
		defaults: { name: 'Sora Video' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		properties: [
			providerProperty,
			// Only what the provider serves: n8n hides Provider, so a choice must not be offered where it cannot work.
			...offeredPerProvider(
				{
					displayName: 'Operation',
					name: 'operation',
					type: 'options',
					noDataExpression: true,
					options: [
						{
							name: 'Create',
							value: 'create',
							action: 'Create a video',
							description: 'Start generating a video from a prompt (and optionally an image); returns the queued task and its ID',
						},
						{
							name: 'Delete',
							value: 'delete',
							action: 'Delete a video',
							description: 'Delete a task and its files at the provider',
						},
						{
							name: 'Download Content',
							value: 'downloadContent',
							action: 'Download the file of a video task',
							description: 'Download a finished task\'s video, thumbnail or spritesheet as binary data',
						},
						{
							name: 'Generate',
							value: 'generate',
							action: 'Generate a video and download it',
							description: 'Create a video, wait until it is finished, and download the file, in one step',
						},
						{
							name: 'Get Status',
							value: 'getStatus',
							action: 'Get the status of a video task',
							description: 'Get a task\'s status (queued, in_progress, completed, failed), progress and error, given its ID',
						},
						{
							name: 'List',
							value: 'list',
							action: 'List video tasks',
							description: 'List the account\'s video tasks',
						},
						{
							name: 'Remix',
							value: 'remix',
							action: 'Remix a video',
							description: 'Make a new video from a finished one with a new prompt',
						},
					],
					default: 'getStatus',
				},
				(provider, value) => providerServes(provider, String(value)),
			),
			{
				displayName: 'Task ID',
				name: 'taskId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'video_68e688d4950481918ec389280c2f7814',
				description: 'The ID the provider returned when the video was created, usually mapped from the node that created it',
				displayOptions: { show: { operation: ['getStatus', 'downloadContent', 'remix', 'delete'] } },
			},
			...create.createFields(['create', 'generate']),
			{
				displayName: 'Prompt',
				name: 'prompt',
				type: 'string',
				typeOptions: { rows: 4 },
				required: true,
				default: '',
				placeholder: 'A timelapse of clouds moving over a mountain at sunrise',
				description: 'What the video should show (for Remix: what to change)',
				displayOptions: { show: { operation: ['create', 'generate', 'remix'] } },
			},
			...create.description,
			...generate.description,
			...getStatus.description,
			...downloadContent.description,
			...list.description,
			...remix.description,
			...deleteTask.description,
		],
	};

	methods = {
		listSearch: { searchModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
