/** Create Character: `POST /videos/characters`, a short video (multipart `video`, streamed) and a `name`. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { createCharacter as createCharacterAt } from '../../shared/taskWrites';
import { createInputProblems } from '../../shared/problems';
import { optionsCollection } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';
import { videoFieldProperty, videoFromBinaryField } from './sourceVideo';

/** OpenAI's API takes a name of 1 to 80 characters. */
const MAX_NAME = 80;

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const node = fn.getNode();
	const name = String(fn.getNodeParameter('characterName', itemIndex, '') ?? '').trim();
	if (!name) throw createInputProblems.emptyCharacterName(node, itemIndex);
	if ([...name].length > MAX_NAME) throw createInputProblems.characterNameTooLong(node, [...name].length, itemIndex);
	const field = String(fn.getNodeParameter('videoField', itemIndex, '') ?? '').trim();
	const video = await videoFromBinaryField(fn, field, itemIndex);
	const character = await createCharacterAt(client, { name, video });
	return [{ json: { ...character } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}

export const createCharacter = defineOperation({
	name: 'createCharacter',
	resource: 'video',
	displayName: 'Create Character',
	action: 'Create a character',
	summary: 'Make a reusable character from a short video; returns its ID for later creates',
	subtitle: 'Create Character',
	properties: [
		{
			...videoFieldProperty,
			description:
				"Name of the input item's binary field holding a short video of the character; it is streamed to the provider as the multipart `video` file",
		},
		{
			displayName: 'Character Name',
			name: 'characterName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'Mia',
			description:
				'Up to 80 characters. To use the character, Create sends its ID in Extra Fields and the prompt names the character by this name (the gateway decides how else it may be used).',
			// The JSON key is lowercase "id", which n8n's description rule would rewrite: the example lives in the hint.
			hint: 'In Create\'s Extra Fields: {"characters": [{"id": "char_..."}]}',
		},
		optionsCollection([...requestOptions]),
	],
	needs: 'createCharacter',
	execute,
});
