/** Remix: `POST /videos/{id}/remix` with a new prompt; the answer is a new task. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { remixTask } from '../../shared/taskWrites';
import { createInputProblems } from '../../shared/problems';
import { requireTaskId } from '../../shared/taskReads';
import { optionsCollection, promptField, taskIdField } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const prompt = String(fn.getNodeParameter('prompt', itemIndex, '') ?? '').trim();
	if (!prompt) throw createInputProblems.emptyRemixPrompt(fn.getNode(), itemIndex);
	const { task } = await remixTask(client, taskId, prompt);
	return [{ json: { ...task } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}

export const remix = defineOperation({
	name: 'remix',
	resource: 'video',
	displayName: 'Remix',
	action: 'Remix a video',
	summary: 'Make a new video from a finished one with a new prompt',
	subtitle: 'Remix Video',
	properties: [taskIdField, promptField('What to change in the video'), optionsCollection([...requestOptions])],
	needs: 'remix',
	execute,
});
