/** Delete: `DELETE /videos/{id}`, output `{id, deleted}` (and `alreadyGone` when a retry found it deleted). */
import type { INodeExecutionData } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { deleteTask } from '../../shared/taskWrites';
import { requireTaskId } from '../../shared/taskReads';
import { optionsCollection, taskIdField } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const { id, deleted, alreadyGone } = await deleteTask(client, taskId);
	return [{ json: { id, deleted, ...(alreadyGone ? { alreadyGone } : {}) }, pairedItem: { item: itemIndex } }];
}

export const deleteVideo = defineOperation({
	name: 'delete',
	resource: 'video',
	displayName: 'Delete',
	action: 'Delete a video',
	summary: 'Delete a task and its files at the provider',
	subtitle: 'Delete Video',
	properties: [taskIdField, optionsCollection([...requestOptions])],
	needs: 'delete',
	execute,
});
