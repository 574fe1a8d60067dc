/** Extend: `POST /videos/extensions` with a completed video by ID, a prompt and the added Seconds; the answer is a new task. */
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { extendTask } from '../../shared/taskWrites';
import { createInputProblems } from '../../shared/problems';
import { requireTaskId } from '../../shared/taskReads';
import { optionsCollection, promptField, taskIdField } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';

const properties: INodeProperties[] = [
	{ ...taskIdField, description: 'The completed video to continue: the ID the provider returned when it was created' },
	promptField('What happens next in the video'),
	{
		displayName: 'Seconds',
		name: 'seconds',
		type: 'options',
		// Any value set by expression is sent as it is: gateways route extensions to vendors with other lengths.
		allowArbitraryValues: true,
		// Shortest to longest. OpenAI's document requires `seconds`, so there is no "Model Default" here.
		options: [
			{ name: '4', value: '4' },
			{ name: '8', value: '8' },
			{ name: '12', value: '12' },
			{ name: '16', value: '16' },
			{ name: '20', value: '20' },
		],
		default: '4',
		required: true,
		description: 'Length of the added segment (OpenAI: 4, 8, 12, 16 or 20); the result is the whole, longer video. Other values the gateway accepts can be set with an expression.',
	},
	optionsCollection([...requestOptions]),
];

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const node = fn.getNode();
	const taskId = requireTaskId(node, fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const prompt = String(fn.getNodeParameter('prompt', itemIndex, '') ?? '').trim();
	if (!prompt) throw createInputProblems.emptyExtendPrompt(node, itemIndex);
	const seconds = String(fn.getNodeParameter('seconds', itemIndex, '') ?? '').trim();
	if (!seconds) throw createInputProblems.noSeconds(node, itemIndex);
	const { task } = await extendTask(client, { taskId, prompt, seconds });
	return [{ json: { ...task, extendedFromVideoId: taskId } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}

export const extend = defineOperation({
	name: 'extend',
	resource: 'video',
	displayName: 'Extend',
	action: 'Extend a video',
	summary: 'Continue a finished video with a new prompt; returns the new task for the longer video',
	subtitle: 'Extend Video',
	properties,
	needs: 'extend',
	execute,
});
