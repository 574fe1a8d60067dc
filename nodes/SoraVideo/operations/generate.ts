/** Generate: Create, wait until the task finishes, download its file(s): the whole flow in one step. */
import type { IDataObject, INodeExecutionData, INodeProperties, NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { binaryPropertyNameProperty, requestOptions, variantProperties } from '../../shared/descriptions';
import { createTask } from '../../shared/taskWrites';
import { cancelledAfterCreateText, createdTaskHint, createdTaskNote, ownNodeError } from '../../shared/problems';
import type { ContentVariant } from '../../shared/providers';
import { waitForCompletion } from '../../shared/taskReads';
import type { VideoApiClient } from '../../shared/transport';
import { CancelledError } from '../../shared/transport';
import type { WaitOptionValues } from './common';
import { optionsCollection, waitOptions, waitSettings } from './common';
import { createFields, createOptions, readCreateRequest } from './create';
import { alsoDownloadOption, downloadFiles, fileNameOption, fileRequests, withFileFacts } from './files';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';

/** Poll Interval and Max Wait, always on: Generate always waits. */
const generateWaitOptions: INodeProperties[] = waitOptions.filter((option) => option.name !== 'waitForCompletion').map((option) => ({ ...option, displayOptions: undefined }));

const properties: INodeProperties[] = [
	...createFields(),
	...variantProperties(undefined),
	binaryPropertyNameProperty,
	optionsCollection([
		...createOptions,
		alsoDownloadOption,
		fileNameOption,
		...generateWaitOptions,
		...requestOptions,
	]),
];

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	// Everything the steps after the create need is read and checked first: the create is paid for.
	const request = await readCreateRequest(fn, itemIndex);
	const variant = fn.getNodeParameter('variant', itemIndex, 'video') as ContentVariant;
	const binaryPropertyName = (fn.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim() || 'data';
	const options = fn.getNodeParameter('options', itemIndex, {}) as WaitOptionValues & { fileName?: string; alsoDownload?: string[] };
	const requests = fileRequests(client, { variant, property: binaryPropertyName, fileName: options.fileName }, options.alsoDownload, itemIndex);
	const wait = waitSettings(options);
	const created = await createTask(client, request);
	const taskId = created.task.id;
	try {
		const { task } = await waitForCompletion(client, taskId, wait);
		const files = await downloadFiles(fn, client, taskId, requests);
		return [{ json: withFileFacts({ ...task } as unknown as IDataObject, files.facts), binary: files.binary, pairedItem: { item: itemIndex } }];
	} catch (error) {
		throw alreadyCreated(client, error, taskId);
	}
}

export const generate = defineOperation({
	name: 'generate',
	resource: 'video',
	displayName: 'Generate',
	action: 'Generate a video',
	summary: 'Create a video, wait until it is finished, and download the file, in one step',
	subtitle: 'Generate Video',
	properties,
	needs: 'create',
	execute,
});

/**
 * After the create, every error names the task (in its message, and as `context.taskId`, which the router puts on
 * an error item) and says how to pick it up, so nobody pays for it twice. Stop too: the task goes on at the provider.
 */
function alreadyCreated(client: VideoApiClient, error: unknown, taskId: string): NodeApiError | NodeOperationError {
	if (error instanceof CancelledError || client.signal?.aborted) {
		const stopped = new CancelledError(client.node, cancelledAfterCreateText(taskId));
		stopped.context.taskId = taskId;
		return stopped;
	}
	const own = ownNodeError(error) ?? new NodeOperationError(client.node, error instanceof Error ? error : String(error));
	if (!own.message.includes(`"${taskId}"`)) own.message = `${own.message}${createdTaskNote(taskId)}`;
	own.description = `${own.description ? `${own.description} ` : ''}${createdTaskHint(taskId)}`;
	own.context.taskId = taskId;
	return own;
}
