/** Get Character: `GET /videos/characters/{id}` -> `{id, name, createdAt}`. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import { getCharacter as getCharacterAt } from '../../shared/taskWrites';
import { characterIdError } from '../../shared/problems';
import { invalidTaskIdReason } from '../../shared/taskReads';
import { optionsCollection } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	const value = fn.getNodeParameter('characterId', itemIndex, '');
	const characterId = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	// The same rule as a task ID: nothing that would change the request's path.
	const reason = characterId === '' ? undefined : invalidTaskIdReason(characterId);
	if (characterId === '' || reason) throw characterIdError(fn.getNode(), characterId, itemIndex, reason ?? undefined);
	const character = await getCharacterAt(client, characterId);
	return [{ json: { ...character } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}

export const getCharacter = defineOperation({
	name: 'getCharacter',
	resource: 'video',
	displayName: 'Get Character',
	action: 'Get a character',
	summary: "Get a character's name and creation time, given its ID",
	subtitle: 'Get Character',
	properties: [
		{
			displayName: 'Character ID',
			name: 'characterId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'char_123',
			description: 'The ID Create Character returned. A create uses the character through its Extra Fields and by naming it in the prompt.',
			// The JSON key is lowercase "id", which n8n's description rule would rewrite: the example lives in the hint.
			hint: 'In Create\'s Extra Fields: {"characters": [{"id": "char_..."}]}',
		},
		optionsCollection([...requestOptions]),
	],
	needs: 'getCharacter',
	execute,
});
