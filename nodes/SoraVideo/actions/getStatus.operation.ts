import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fetchTask, requireTaskId, waitForCompletion } from '../../shared/tasks';
import { requestOptions } from '../../shared/descriptions';
import type { OperationContext, WaitOptionValues } from './common';
import { optionsCollection, waitOptions, waitSettings } from './common';


export const description: INodeProperties[] = [
	optionsCollection(['getStatus'], [
		{
			displayName: 'Include Raw Response',
			name: 'includeRawResponse',
			type: 'boolean',
			default: false,
			description: 'Whether to add the provider\'s untouched response body under "rawResponse"',
		},
		...waitOptions,
		...requestOptions,
	]),
];

export async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const options = fn.getNodeParameter('options', itemIndex, {}) as WaitOptionValues & { includeRawResponse?: boolean };
	const { task, raw } = options.waitForCompletion
		? await waitForCompletion(client, taskId, waitSettings(options))
		: await fetchTask(client, taskId);
	const json: IDataObject = { ...task } as unknown as IDataObject;
	if (options.includeRawResponse) json.rawResponse = raw as IDataObject;
	return [{ json, pairedItem: { item: itemIndex } }];
}
