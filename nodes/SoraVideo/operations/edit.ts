/** Edit: `POST /videos/edits`, the source video by task ID (JSON) or from a binary field (multipart, streamed). */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import type { EditRequest } from '../../shared/taskWrites';
import { editTask } from '../../shared/taskWrites';
import { createInputProblems } from '../../shared/problems';
import { requireTaskId } from '../../shared/taskReads';
import { optionsCollection, promptField, taskIdField } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';
import { videoFieldProperty, videoFromBinaryField } from './sourceVideo';

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const node = fn.getNode();
	const prompt = String(fn.getNodeParameter('prompt', itemIndex, '') ?? '').trim();
	if (!prompt) throw createInputProblems.emptyEditPrompt(node, itemIndex);
	const from = fn.getNodeParameter('videoSource', itemIndex, 'taskId') as string;
	let source: EditRequest['source'];
	if (from === 'binaryField') {
		const field = String(fn.getNodeParameter('videoField', itemIndex, '') ?? '').trim();
		source = { file: await videoFromBinaryField(fn, field, itemIndex) };
	} else {
		source = { taskId: requireTaskId(node, fn.getNodeParameter('taskId', itemIndex), itemIndex) };
	}
	const { task } = await editTask(client, { prompt, source });
	const editedFrom = 'taskId' in source ? { editedFromVideoId: source.taskId } : {};
	return [{ json: { ...task, ...editedFrom } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}

export const edit = defineOperation({
	name: 'edit',
	resource: 'video',
	displayName: 'Edit',
	action: 'Edit a video',
	summary: 'Change a finished video, or an uploaded one, with a prompt; returns the new task',
	subtitle: 'Edit Video',
	properties: [
		{
			displayName: 'Video Source',
			name: 'videoSource',
			type: 'options',
			options: [
				{ name: 'Task ID', value: 'taskId', description: 'A completed video of this provider, by its ID' },
				{ name: 'Binary Field', value: 'binaryField', description: "A video file from the input item's binary field, uploaded (streamed)" },
			],
			default: 'taskId',
			description: 'Where the video to edit comes from',
		},
		{ ...taskIdField, displayOptions: { show: { videoSource: ['taskId'] } } },
		{ ...videoFieldProperty, displayOptions: { show: { videoSource: ['binaryField'] } } },
		promptField('The change to make to the video'),
		optionsCollection([...requestOptions]),
	],
	needs: 'edit',
	execute,
});
