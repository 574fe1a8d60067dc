import type { IBinaryData, IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ContentVariant } from '../../shared/providers';
import { binaryPropertyNameProperty, requestOptions, variantProperties } from '../../shared/descriptions';
import type { DownloadResult } from '../../shared/content';
import { assertVariantSupported, downloadContent } from '../../shared/content';
import { requireTaskId, waitForCompletion } from '../../shared/tasks';
import type { OperationContext, WaitOptionValues } from './common';
import { waitOptions, waitSettings } from './common';

const showFor = { show: { operation: ['downloadContent'] } };

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
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'my-video.mp4',
				description: 'Name of the output file. By default the provider\'s Content-Disposition name, else &lt;taskId&gt;.&lt;ext&gt;.',
			},
			...waitOptions,
			...requestOptions,
		],
	},
];

export async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const variant = fn.getNodeParameter('variant', itemIndex, 'video') as ContentVariant;
	const binaryPropertyName = (fn.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim() || 'data';
	const options = fn.getNodeParameter('options', itemIndex, {}) as WaitOptionValues & { fileName?: string };
	assertVariantSupported(client, variant);
	if (options.waitForCompletion) await waitForCompletion(client, taskId, waitSettings(options));
	const { binary, json } = await downloadContent(fn, client, { taskId, variant, fileName: options.fileName });
	return [keepItemWithFile(fn.getInputData()[itemIndex], binaryPropertyName, binary, json, itemIndex)];
}

/** Where the download's facts go in the output JSON: one key of ours, so the user's fields stay as they were. */
export const FILES_FIELD = 'soraVideoFiles';

/**
 * The input item, unchanged, plus the file under its binary property (as n8n's Google Drive and S3
 * downloads do) and the download's facts under `soraVideoFiles.<binary property>`.
 */
function keepItemWithFile(input: INodeExecutionData | undefined, property: string, binary: IBinaryData, facts: DownloadResult['json'], itemIndex: number): INodeExecutionData {
	const json: IDataObject = { ...(input?.json ?? {}) };
	const previous = json[FILES_FIELD];
	const files: IDataObject = previous !== null && typeof previous === 'object' && !Array.isArray(previous) ? { ...(previous as IDataObject) } : {};
	files[property] = { ...facts };
	json[FILES_FIELD] = files;
	return { json, binary: { ...(input?.binary ?? {}), [property]: binary }, pairedItem: { item: itemIndex } };
}
