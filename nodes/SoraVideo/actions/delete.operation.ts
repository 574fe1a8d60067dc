/** Delete: `DELETE /videos/{id}`, output `{id, deleted}`. */
import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { deleteTask } from '../../shared/lifecycle';
import { requireTaskId } from '../../shared/tasks';
import type { OperationContext } from './common';

export const description: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['delete'] } },
		options: [...requestOptions],
	},
];

export async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const { id, deleted } = await deleteTask(client, taskId);
	return [{ json: { id, deleted }, pairedItem: { item: itemIndex } }];
}
