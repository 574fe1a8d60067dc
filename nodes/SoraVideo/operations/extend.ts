/** Extend: `POST /videos/extensions` with `{prompt, seconds, video: {id}}`; the answer is a new task, the stitched video. */
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { extendTask } from '../../shared/lifecycle';
import { createInputProblems } from '../../shared/problems';
import { requireTaskId } from '../../shared/tasks';
import { optionsCollection, promptField, taskIdField } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';

const secondsProperty: INodeProperties = {
	displayName: 'Seconds',
	name: 'seconds',
	type: 'options',
	// OpenAI's guide also names 16 and 20; a gateway's other lengths can be set by expression and are sent as they are.
	allowArbitraryValues: true,
	options: [
		{ name: '4', value: '4' },
		{ name: '8', value: '8' },
		{ name: '12', value: '12' },
		{ name: '16', value: '16' },
		{ name: '20', value: '20' },
	],
	default: '4',
	required: true,
	description: 'Length of the new segment added to the end of the video; the result is the whole, longer video',
};

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
	properties: [
		{ ...taskIdField, description: 'The completed video to continue: the ID the provider returned when it was created' },
		promptField('What happens next, in the segment added to the end'),
		secondsProperty,
		optionsCollection([...requestOptions]),
	],
	needs: 'extend',
	execute,
});
