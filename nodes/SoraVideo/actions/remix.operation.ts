/** Remix: `POST /videos/{id}/remix` with a new prompt; the answer is a new task. */
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { remixTask } from '../../shared/lifecycle';
import { createInputError } from '../../shared/problems';
import { requireTaskId } from '../../shared/tasks';
import type { OperationContext } from './common';

export const description: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['remix'] } },
		options: [...requestOptions],
	},
];

export async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const prompt = String(fn.getNodeParameter('prompt', itemIndex, '') ?? '').trim();
	if (!prompt) throw createInputError(fn.getNode(), 'The prompt is empty', 'Describe the change to make to the video.', itemIndex);
	const { task } = await remixTask(client, taskId, prompt);
	return [{ json: { ...task } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
