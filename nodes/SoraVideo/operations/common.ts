/** The options several operations of the Sora Video node share. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { clampOption, NUMERIC_OPTIONS, rangeOf } from '../../shared/descriptions';

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

/** Node versions: 2 shows Wait for Completion as a switch of its own; workflows saved with 1 keep it among the options. */
const VERSION_1 = { '@version': [1] };
const FROM_VERSION_2 = { '@version': [{ _cnd: { gte: 2 } }] };

/** Version 2's visible switch (Get Status and Download Content). */
export const waitForCompletionField: INodeProperties = { ...waitOptions[0], displayOptions: { show: FROM_VERSION_2 } };

/**
 * Get Status's and Download Content's fields that depend on the version: the switch (version 2), and the options
 * collection, with Poll Interval and Max Wait shown while waiting (after the switch in 2, after the option in 1).
 */
export function waitingFields(options: INodeProperties[], requestOptions: INodeProperties[]): INodeProperties[] {
	const [waitOption, ...settings] = waitOptions;
	const afterSwitch = settings.map((setting) => ({ ...setting, displayOptions: { show: { '/waitForCompletion': [true] } } }));
	return [
		waitForCompletionField,
		{ ...optionsCollection([...options, waitOption, ...settings, ...requestOptions]), displayOptions: { show: VERSION_1 } },
		{ ...optionsCollection([...options, ...afterSwitch, ...requestOptions]), displayOptions: { show: FROM_VERSION_2 } },
	];
}

/** Whether to wait: the switch from version 2 on, the option in version 1. */
export function waitsForCompletion(fn: IExecuteFunctions, itemIndex: number, options: WaitOptionValues): boolean {
	if (fn.getNode().typeVersion >= 2) return fn.getNodeParameter('waitForCompletion', itemIndex, false) === true;
	return options.waitForCompletion === true;
}

/** The one `options` collection an operation shows (n8n keeps one value per name; each operation shows its own). */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options,
	};
}

/** The task an operation acts on: the ID the create answered with. */
export const taskIdField: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	required: true,
	// What it usually is: the `id` of the task the previous node created, checked or listed.
	default: '={{ $json.id }}',
	placeholder: 'video_68e688d4950481918ec389280c2f7814',
	description: 'The ID the provider returned when the video was created, usually mapped from the node that created it',
};

/** The prompt, worded for the operation that shows it. */
export function promptField(description: string): INodeProperties {
	return {
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'A timelapse of clouds moving over a mountain at sunrise',
		description,
	};
}
