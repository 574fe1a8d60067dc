import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { normalizeTask } from '../../shared/dialect';
import type { ListOptions } from '../../shared/taskReads';
import { assertListSupported, listPage } from '../../shared/taskReads';
import { clampOption, isNotANumber, NUMERIC_OPTIONS, requestOptions } from '../../shared/descriptions';
import { listCursorRepeatedError, listTooLongError, notANumberError } from '../../shared/problems';
import { optionsCollection } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';

const PAGE_SIZE = 100;
/** Return All stops here with an error rather than page forever through a gateway that never ends. */
export const MAX_LIST_PAGES = 1000;

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: NUMERIC_OPTIONS.limit.min, maxValue: NUMERIC_OPTIONS.limit.max },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	optionsCollection([
		{
			displayName: 'Order',
			name: 'order',
			type: 'options',
			options: [
				{ name: 'Newest First', value: 'desc' },
				{ name: 'Oldest First', value: 'asc' },
			],
			default: 'desc',
			description: 'Sort order of the tasks by creation time',
		},
		{
			displayName: 'Include Raw Response',
			name: 'includeRawResponse',
			type: 'boolean',
			default: false,
			description: 'Whether to add each task\'s untouched object under "rawResponse"',
		},
		...requestOptions,
	]),
];

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const { fn, client } = ctx;
	assertListSupported(client);
	const returnAll = fn.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limitValue = returnAll ? undefined : fn.getNodeParameter('limit', itemIndex, 50);
	if (isNotANumber(limitValue)) throw notANumberError(fn.getNode(), NUMERIC_OPTIONS.limit, limitValue, itemIndex);
	const limit = returnAll ? Infinity : clampOption(limitValue, NUMERIC_OPTIONS.limit);
	const options = fn.getNodeParameter('options', itemIndex, {}) as { order?: ListOptions['order']; includeRawResponse?: boolean };
	const out: INodeExecutionData[] = [];
	const cursorsSeen = new Set<string>();
	let after: string | undefined;
	for (let pages = 0; out.length < limit; pages++) {
		if (pages >= MAX_LIST_PAGES) throw listTooLongError(client, MAX_LIST_PAGES, out.length);
		const page = await listPage(client, { limit: Math.min(PAGE_SIZE, limit - out.length), after, order: options.order });
		for (const raw of page.tasks) {
			if (out.length >= limit) break;
			const json = { ...normalizeTask(raw, { provider: client.provider.id }) } as unknown as IDataObject;
			if (options.includeRawResponse) json.rawResponse = raw as IDataObject;
			out.push({ json, pairedItem: { item: itemIndex } });
		}
		if (!page.hasMore || page.tasks.length === 0 || out.length >= limit) break;
		// A gateway that ignores `after` hands back a page already read: going on would never end.
		if (page.lastId === null || cursorsSeen.has(page.lastId)) throw listCursorRepeatedError(client, page.lastId, out.length);
		cursorsSeen.add(page.lastId);
		after = page.lastId;
	}
	return out;
}

export const list = defineOperation({
	name: 'list',
	resource: 'video',
	displayName: 'List',
	action: 'List video tasks',
	summary: "List the account's video tasks",
	subtitle: 'List Tasks',
	properties,
	needs: 'list',
	execute,
});
