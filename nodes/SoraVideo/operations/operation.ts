/** The shape of one operation of the Sora Video node: everything the node, the router and the errors derive from. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { VideoApiClient } from '../../shared/transport';
import type { ResourceName } from './resources';
import type { Capability } from './routes';

export interface OperationContext {
	fn: IExecuteFunctions;
	client: VideoApiClient;
}

export type OperationExecute = (ctx: OperationContext, itemIndex: number) => Promise<INodeExecutionData[]>;

export interface Operation<Name extends string = string> {
	/** The `operation` value saved in workflows: never rename one. */
	name: Name;
	resource: ResourceName;
	/** The option's name in the Operation list. */
	displayName: string;
	/** The node panel's entry, and the name n8n gives a node added through it ("Generate a video"). */
	action: string;
	/** One line under the option. */
	summary: string;
	/** The subtitle under the node on the canvas: a text, or the JavaScript of an n8n expression giving one. */
	subtitle: string | { expression: string };
	/** Its own fields, without displayOptions for resource and operation: the node adds those. */
	properties: INodeProperties[];
	/** The provider route it cannot work without; providers that lack it are told before any request. */
	needs: Capability;
	execute: OperationExecute;
}

/** Keeps an operation's name as a literal type, so the registry yields the `OperationName` union. */
export function defineOperation<Name extends string>(operation: Operation<Name>): Operation<Name> {
	return operation;
}
