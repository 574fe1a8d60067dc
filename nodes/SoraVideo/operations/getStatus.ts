import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fetchTask, requireTaskId, waitForCompletion } from '../../shared/taskReads';
import { requestOptions } from '../../shared/descriptions';
import type { WaitOptionValues } from './common';
import { taskIdField, waitingFields, waitSettings, waitsForCompletion } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';


const properties: INodeProperties[] = [
	taskIdField,
	...waitingFields(
		[
			{
				displayName: 'Include Raw Response',
				name: 'includeRawResponse',
				type: 'boolean',
				default: false,
				description: 'Whether to add the provider\'s untouched response body under "rawResponse"',
			},
		],
		requestOptions,
	),
];

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const options = fn.getNodeParameter('options', itemIndex, {}) as WaitOptionValues & { includeRawResponse?: boolean };
	const { task, raw } = waitsForCompletion(fn, itemIndex, options)
		? await waitForCompletion(client, taskId, waitSettings(options))
		: await fetchTask(client, taskId);
	const json: IDataObject = { ...task } as unknown as IDataObject;
	if (options.includeRawResponse) json.rawResponse = raw as IDataObject;
	return [{ json, pairedItem: { item: itemIndex } }];
}

export const getStatus = defineOperation({
	name: 'getStatus',
	resource: 'video',
	displayName: 'Get Status',
	action: 'Get the status of a video task',
	summary: "Get a task's status (queued, in_progress, completed, failed), progress and error, given its ID",
	subtitle: 'Get Status',
	properties,
	needs: 'readTask',
	execute,
});
