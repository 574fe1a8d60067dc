/** Generate: Create, wait until the task finishes, download its file(s): the whole flow in one step. */
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { binaryPropertyNameProperty, requestOptions, variantProperties } from '../../shared/descriptions';
import { createTask } from '../../shared/lifecycle';
import { ownNodeError } from '../../shared/problems';
import type { ContentVariant } from '../../shared/providers';
import { waitForCompletion } from '../../shared/tasks';
import { CancelledError } from '../../shared/transport';
import type { OperationContext, WaitOptionValues } from './common';
import { waitOptions, waitSettings } from './common';
import { createOptions, readCreateRequest } from './create.operation';
import { alsoDownloadOption, downloadFiles, fileRequests, withFileFacts } from './files';

const showFor = { show: { operation: ['generate'] } };

/** Poll Interval and Max Wait, always on: Generate always waits. */
const generateWaitOptions: INodeProperties[] = waitOptions.filter((option) => option.name !== 'waitForCompletion').map((option) => ({ ...option, displayOptions: undefined }));

export const description: INodeProperties[] = [
	...variantProperties(showFor),
	{ ...binaryPropertyNameProperty, displayOptions: showFor },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showFor,
		options: [
			...createOptions,
			alsoDownloadOption,
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'my-video.mp4',
				description: 'Name of the output file. By default the provider\'s Content-Disposition name, else &lt;taskId&gt;.&lt;ext&gt;.',
			},
			...generateWaitOptions,
			...requestOptions,
		],
	},
];

export async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const request = await readCreateRequest(fn, itemIndex);
	const variant = fn.getNodeParameter('variant', itemIndex, 'video') as ContentVariant;
	const binaryPropertyName = (fn.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim() || 'data';
	const options = fn.getNodeParameter('options', itemIndex, {}) as WaitOptionValues & { fileName?: string; alsoDownload?: string[] };
	const requests = fileRequests({ variant, property: binaryPropertyName, fileName: options.fileName }, options.alsoDownload);
	const created = await createTask(client, request);
	const taskId = created.task.id;
	try {
		const { task } = await waitForCompletion(client, taskId, waitSettings(options));
		const files = await downloadFiles(fn, client, taskId, requests);
		return [{ json: withFileFacts({ ...task } as unknown as IDataObject, files.facts), binary: files.binary, pairedItem: { item: itemIndex } }];
	} catch (error) {
		throw alreadyCreated(error, taskId);
	}
}

/** After the create, every error says the task exists and how to pick it up, so nobody pays for it twice. */
function alreadyCreated(error: unknown, taskId: string): unknown {
	const own = ownNodeError(error);
	if (!own || own instanceof CancelledError) return error;
	own.description = `${own.description ? `${own.description} ` : ''}The task was created (ID "${taskId}"): to get its file later, use Get Status or Download Content with this ID rather than generating it again.`;
	return own;
}
