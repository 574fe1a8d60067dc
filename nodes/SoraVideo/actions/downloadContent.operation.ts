import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ContentVariant } from '../../shared/providers';
import { binaryPropertyNameProperty, requestOptions, variantProperties } from '../../shared/descriptions';
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
	return [{ json: { ...json }, binary: { [binaryPropertyName]: binary }, pairedItem: { item: itemIndex } }];
}
