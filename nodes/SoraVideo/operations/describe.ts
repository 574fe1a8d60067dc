/** The node's parameters, derived from a registry of operations (the node passes OPERATIONS; tests pass copies). */
import type { IDisplayOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { PROVIDER_IDS, PROVIDERS, providerServes } from '../../shared/providers';
import { operationNotServedNotice } from '../../shared/problems';
import type { AnyOperation } from './index';
import { RESOURCES, resourceProperty } from './resources';

/** `show` conditions added to a property's own (its own win where both name a parameter). */
function shownAlso(property: INodeProperties, show: NonNullable<IDisplayOptions['show']>): INodeProperties {
	return { ...property, displayOptions: { ...property.displayOptions, show: { ...show, ...property.displayOptions?.show } } };
}

/**
 * One Operation parameter per resource, offering every operation to every provider: the action picked in the node
 * panel is the operation the node gets. n8n's editor keeps a saved value only when the shown copy offers it, so a
 * per-provider list would swap an action the credential cannot serve for another one; a notice says so instead.
 */
export function operationParameters(operations: readonly AnyOperation[], defaultOperation: string): INodeProperties[] {
	return RESOURCES.map(({ value: resource }) => {
		const options: INodePropertyOptions[] = operations
			.filter((operation) => operation.resource === resource)
			.map((operation) => ({ name: operation.displayName, value: operation.name, action: operation.action, description: operation.summary }))
			.sort((a, b) => a.name.localeCompare(b.name));
		const operationDefault = options.some((option) => option.value === defaultOperation) ? defaultOperation : String(options[0]?.value ?? '');
		const property: INodeProperties = {
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [resource] } },
			options,
			default: operationDefault,
		};
		return property;
	});
}

/** Per operation, a notice shown to the providers that cannot serve it, naming the ones that can. */
export function notServedNotices(operations: readonly AnyOperation[]): INodeProperties[] {
	return operations.flatMap((operation) => {
		const lacking = PROVIDER_IDS.filter((id) => !providerServes(PROVIDERS[id], operation.needs));
		if (lacking.length === 0) return [];
		const serving = PROVIDER_IDS.filter((id) => providerServes(PROVIDERS[id], operation.needs)).map((id) => PROVIDERS[id]);
		return [
			{
				displayName: operationNotServedNotice(operation, lacking.map((id) => PROVIDERS[id]), serving),
				name: `${operation.name}NotServedNotice`,
				type: 'notice',
				default: '',
				displayOptions: { show: { resource: [operation.resource], operation: [operation.name], provider: lacking } },
			} satisfies INodeProperties,
		];
	});
}

/** Each operation's own fields, shown for its resource and operation. */
export function operationFields(operations: readonly AnyOperation[]): INodeProperties[] {
	return operations.flatMap((operation) =>
		operation.properties.map((property) => shownAlso(property, { resource: [operation.resource], operation: [operation.name] })),
	);
}

/** Resource, Operation, the notices and every operation's fields, in the order the editor shows them. */
export function nodeProperties(operations: readonly AnyOperation[], defaultOperation: string): INodeProperties[] {
	return [resourceProperty, ...operationParameters(operations, defaultOperation), ...notServedNotices(operations), ...operationFields(operations)];
}

/** The canvas subtitle: the chosen operation's. */
export function subtitleExpression(operations: readonly AnyOperation[]): string {
	const entries = operations.map(({ name, subtitle }) => `${JSON.stringify(name)}: ${typeof subtitle === 'string' ? JSON.stringify(subtitle) : subtitle.expression}`);
	return `={{ { ${entries.join(', ')} }[$parameter["operation"]] }}`;
}
