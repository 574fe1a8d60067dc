/** What every operation of the Sora Video node gets, and the options several of them share. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { RetryOptions, VideoApiClient } from '../../shared/transport';
import { DEFAULT_RETRY_OPTIONS } from '../../shared/transport';

export interface OperationContext {
	fn: IExecuteFunctions;
	client: VideoApiClient;
}

export type OperationExecute = (ctx: OperationContext, itemIndex: number) => Promise<INodeExecutionData[]>;

export interface RequestOptionValues {
	retries?: number;
	retryDelay?: number;
	timeout?: number;
}

export interface WaitOptionValues {
	waitForCompletion?: boolean;
	pollInterval?: number;
	maxWait?: number;
}

export const retriesOption: INodeProperties = {
	displayName: 'Retries',
	name: 'retries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 10 },
	default: DEFAULT_RETRY_OPTIONS.maxRetries,
	description: 'How many times to retry after a rate limit (429, honouring Retry-After), a server error (5xx) or a network failure',
};

export const retryDelayOption: INodeProperties = {
	displayName: 'Retry Delay (Ms)',
	name: 'retryDelay',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: DEFAULT_RETRY_OPTIONS.retryDelayMs,
	description: 'First wait before a retry; it doubles on each further retry, with random jitter',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_RETRY_OPTIONS.timeoutMs / 1000,
	description: 'How long the provider may stay silent before the request is abandoned (and retried)',
};

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
		typeOptions: { minValue: 1 },
		default: 10,
		description: 'Time between status checks while waiting',
		displayOptions: { show: { waitForCompletion: [true] } },
	},
	{
		displayName: 'Max Wait (Minutes)',
		name: 'maxWait',
		type: 'number',
		typeOptions: { minValue: 0.1 },
		default: 15,
		description: 'Give up (with an error that names the last status seen) when the task has not finished after this long',
		displayOptions: { show: { waitForCompletion: [true] } },
	},
];

export function retryOptionsFrom(values: RequestOptionValues): RetryOptions {
	return {
		...DEFAULT_RETRY_OPTIONS,
		maxRetries: values.retries ?? DEFAULT_RETRY_OPTIONS.maxRetries,
		retryDelayMs: values.retryDelay ?? DEFAULT_RETRY_OPTIONS.retryDelayMs,
		timeoutMs: (values.timeout ?? DEFAULT_RETRY_OPTIONS.timeoutMs / 1000) * 1000,
	};
}

export function waitSettings(values: WaitOptionValues): { intervalMs: number; maxWaitMs: number } {
	return {
		intervalMs: (values.pollInterval ?? 10) * 1000,
		maxWaitMs: (values.maxWait ?? 15) * 60_000,
	};
}
