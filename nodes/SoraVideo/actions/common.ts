/** What every operation of the Sora Video node gets, and the options several of them share. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { clampOption, NUMERIC_OPTIONS, rangeOf } from '../../shared/descriptions';
import type { VideoApiClient } from '../../shared/transport';

export interface OperationContext {
	fn: IExecuteFunctions;
	client: VideoApiClient;
}

export type OperationExecute = (ctx: OperationContext, itemIndex: number) => Promise<INodeExecutionData[]>;

export interface WaitOptionValues {
	waitForCompletion?: boolean;
	pollInterval?: number;
	maxWait?: number;
}

export const waitOptions: INodeProperties[] = [
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description: 'Whether to poll the task until it completes or fails before returning. A failed task becomes an error carrying the provider\'s reason.',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: rangeOf(NUMERIC_OPTIONS.pollInterval),
		default: 10,
		description: 'Time between status checks while waiting',
		displayOptions: { show: { waitForCompletion: [true] } },
	},
	{
		displayName: 'Max Wait (Minutes)',
		name: 'maxWait',
		type: 'number',
		typeOptions: rangeOf(NUMERIC_OPTIONS.maxWait),
		default: 15,
		description: 'Give up (with an error that names the last status seen) when the task has not finished after this long',
		displayOptions: { show: { waitForCompletion: [true] } },
	},
];

/** Poll Interval and Max Wait in ms, each within its range (an expression's value skips the editor's bounds). */
export function waitSettings(values: WaitOptionValues): { intervalMs: number; maxWaitMs: number } {
	return {
		intervalMs: clampOption(values.pollInterval, NUMERIC_OPTIONS.pollInterval) * 1000,
		maxWaitMs: Math.round(clampOption(values.maxWait, NUMERIC_OPTIONS.maxWait) * 60_000),
	};
}

/** The one `options` collection an operation shows (n8n keeps one value per name; each operation shows its own). */
export function optionsCollection(operations: string[], options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: operations } },
		options,
	};
}
