/**
 * The node's resources. n8n groups the node panel's actions by resource and names a new node after its action
 * ("Generate a video") only when a node has a `resource` parameter.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

export const RESOURCES = [
	{ name: 'Video', value: 'video', description: 'AI video tasks: create, check, download, list, remix, delete' },
] as const satisfies readonly INodePropertyOptions[];

export type ResourceName = (typeof RESOURCES)[number]['value'];

/**
 * Workflows saved before the resource level have no `resource`: its default reads them as the video resource,
 * so their `operation` is shown and run as before.
 */
export const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [...RESOURCES],
	default: 'video',
};
