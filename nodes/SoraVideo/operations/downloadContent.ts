import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ContentVariant } from '../../shared/providers';
import { binaryPropertyNameProperty, requestOptions, variantProperties } from '../../shared/descriptions';
import { requireTaskId, waitForCompletion } from '../../shared/taskReads';
import type { WaitOptionValues } from './common';
import { taskIdField, waitingFields, waitSettings, waitsForCompletion } from './common';
import { alsoDownloadOption, downloadFiles, fileNameOption, fileRequests, withFileFacts } from './files';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';

const properties: INodeProperties[] = [
	taskIdField,
	...variantProperties(undefined),
	binaryPropertyNameProperty,
	...waitingFields([fileNameOption, alsoDownloadOption], requestOptions),
];

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const taskId = requireTaskId(fn.getNode(), fn.getNodeParameter('taskId', itemIndex), itemIndex);
	const variant = fn.getNodeParameter('variant', itemIndex, 'video') as ContentVariant;
	const binaryPropertyName = (fn.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim() || 'data';
	const options = fn.getNodeParameter('options', itemIndex, {}) as WaitOptionValues & { fileName?: string; alsoDownload?: string[] };
	const requests = fileRequests(client, { variant, property: binaryPropertyName, fileName: options.fileName }, options.alsoDownload, itemIndex);
	const wait = waitSettings(options);
	if (waitsForCompletion(fn, itemIndex, options)) await waitForCompletion(client, taskId, wait);
	const files = await downloadFiles(fn, client, taskId, requests);
	// The input item, kept (as n8n's Google Drive and S3 downloads do), plus the files and their facts.
	const input = fn.getInputData()[itemIndex];
	return [{ json: withFileFacts(input?.json ?? {}, files.facts), binary: { ...(input?.binary ?? {}), ...files.binary }, pairedItem: { item: itemIndex } }];
}

export const downloadContent = defineOperation({
	name: 'downloadContent',
	resource: 'video',
	displayName: 'Download Content',
	action: 'Download the file of a video task',
	summary: "Download a finished task's video, thumbnail or spritesheet as binary data",
	subtitle: { expression: '"Download " + ($parameter["variant"] || "video")' },
	properties,
	needs: 'download',
	execute,
});
