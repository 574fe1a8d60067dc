import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { clientFor } from '../../shared/clientFor';
import { getProvider, providerServes } from '../../shared/providers';
import { customApiCallError, notANumberError, unknownOperationError, unknownProviderError, unsupportedOperationError } from '../../shared/problems';
import { cancelled, CancelledError } from '../../shared/transport';
import type { NumericOptionName, RequestOptionValues } from '../../shared/descriptions';
import { isNotANumber, NUMERIC_OPTIONS, retryOptionsFrom } from '../../shared/descriptions';
import type { AnyOperation } from './index';

/** The options of the options collection that are numbers (Limit is a parameter of its own, checked by List). */
const OPTION_NUMBERS: NumericOptionName[] = ['retries', 'retryDelay', 'timeout', 'pollInterval', 'maxWait'];

/**
 * Runs the chosen operation for every input item; with Continue On Fail a bad item becomes an error item.
 * An error item's JSON holds `error` (the message) and `details` (what to do). n8n's "Continue (using error
 * output)" routes an item to the error output only when its JSON keys are all among `error`, `message`,
 * `details`, or when `item.error` is set; and it then replaces the JSON of an item with `item.error` by
 * `{error: <message>}` (n8n-core 2.41 WorkflowExecute.handleNodeErrorOutput and normalizeNodeErrors). So the
 * created task's ID of a failed Generate goes as `taskId` on the item only with "Continue (regular output)";
 * on the error output it is in `error` and `details`.
 */
export async function route(this: IExecuteFunctions, operations: readonly AnyOperation[]): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const providerId = this.getNodeParameter('provider', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	// A workflow saved before the resource level has none: its operations are the video ones.
	const resource = this.getNodeParameter('resource', 0, 'video') as string;
	const provider = getProvider(providerId);
	if (!provider) throw unknownProviderError(node, providerId);
	// n8n's editor offers "Custom API Call" in every node with a credential; this node has no such operation.
	if (operationName === '__CUSTOM_API_CALL__') throw customApiCallError(node, provider);
	const operation = operations.find((candidate) => candidate.name === operationName && candidate.resource === resource);
	if (!operation) throw unknownOperationError(node, operationName, operations.map((candidate) => candidate.name));
	// Refused before the credential is read or anything is sent.
	if (!providerServes(provider, operation.needs)) throw unsupportedOperationError(node, provider, operation.needs);
	const { client: clientWith } = await clientFor(this, providerId);

	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		if (this.getExecutionCancelSignal()?.aborted) throw cancelled(node);
		try {
			const options = this.getNodeParameter('options', itemIndex, {}) as RequestOptionValues & Record<string, unknown>;
			// Expressions skip the editor's bounds: what is out of range is clamped, what is not a number refused.
			for (const name of OPTION_NUMBERS) {
				if (isNotANumber(options[name])) throw notANumberError(node, NUMERIC_OPTIONS[name], options[name], itemIndex);
			}
			const client = clientWith(retryOptionsFrom(options));
			returnData.push(...(await operation.execute({ fn: this, client }, itemIndex)));
		} catch (error) {
			// Stop means stop, with Continue On Fail too: whatever the abort broke is not an item's failure.
			if (error instanceof CancelledError) throw asNodeError(this, error, itemIndex);
			if (this.getExecutionCancelSignal()?.aborted) throw asNodeError(this, cancelled(node), itemIndex);
			if (this.continueOnFail()) {
				const { message, description, context } = asNodeError(this, error, itemIndex);
				const taskId = typeof context.taskId === 'string' && node.onError !== 'continueErrorOutput' ? context.taskId : undefined;
				returnData.push({
					json: { error: message, ...(description ? { details: description } : {}), ...(taskId ? { taskId } : {}) },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw asNodeError(this, error, itemIndex);
		}
	}
	return [returnData];
}

/** Our errors keep their message and gain the item index; anything else is wrapped. */
function asNodeError(fn: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(fn.getNode(), error instanceof Error ? error : String(error), { itemIndex });
}
