/** Delete: `DELETE /videos/{id}`, output `{id, deleted}` (and `alreadyGone` when a retry found it deleted). */
import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { deleteTask } from '../../shared/lifecycle';
import { requireTaskId } from '../../shared/tasks';
import type { OperationContext } from './common';
import { optionsCollection } from './common';

export const description: INodeProperties[] = [
	optionsCollection(['delete'], [...requestOptions]),
];

export async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const { id, deleted, alreadyGone } = await deleteTask(client, taskId);
	return [{ json: { id, deleted, ...(alreadyGone ? { alreadyGone } : {}) }, pairedItem: { item: itemIndex } }];
}
