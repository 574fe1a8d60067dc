/**
 * The example workflows use only parameters the nodes have and the editor shows for those values (as n8n-workflow's
 * NodeHelpers decides, on the node descriptions n8n loads from dist/), so an example never carries a setting that
 * silently does nothing, and every credential they name is the one the examples' e2e credential provides.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { INode, INodeParameters, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { EXAMPLE_CREDENTIAL, EXAMPLE_GATEWAY_CREDENTIAL, EXAMPLES } from '../scripts/harness/scenario';
import { loadPackage } from './harness/engine';

interface ExampleNode {
	name: string;
	type: string;
	parameters: INodeParameters;
	credentials?: Record<string, { id: string; name: string }>;
}

const DIRECTORY = join(__dirname, '..', 'examples');
const FILES = readdirSync(DIRECTORY).filter((file) => file.endsWith('.json'));

function ourNodes(file: string): ExampleNode[] {
	const workflow = JSON.parse(readFileSync(join(DIRECTORY, file), 'utf8')) as { nodes: ExampleNode[] };
	return workflow.nodes.filter((node) => node.type.startsWith('n8n-nodes-sora-video.'));
}

async function descriptionOf(type: string): Promise<INodeTypeDescription> {
	const loader = await loadPackage();
	const name = type.replace('n8n-nodes-sora-video.', '');
	return loader.nodeTypes[name].type.description as INodeTypeDescription;
}

it('every example file is in the list the e2e tests and the demo import', () => {
	expect([...EXAMPLES].sort()).toEqual(FILES.map((file) => file.replace(/\.json$/, '')).sort());
});

describe.each(FILES)('%s', (file) => {
	it.each(ourNodes(file).map((node) => [node.name, node] as const))('"%s" sets only parameters its node shows for them', async (_name, node) => {
		const description = await descriptionOf(node.type);
		const instance: INode = { id: 'n', name: node.name, type: node.type, typeVersion: 1, position: [0, 0], parameters: node.parameters };
		const values = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, instance, description) ?? {};
		const shown = (key: string): INodeProperties[] =>
			description.properties.filter((property) => property.name === key && NodeHelpers.displayParameterPath({ parameters: values }, property, 'parameters', instance, description));
		for (const [key, value] of Object.entries(node.parameters)) {
			const copies = shown(key);
			expect([key, copies.length]).toEqual([key, 1]);
			const property = copies[0];
			if (property.type === 'options' && typeof value === 'string' && !value.startsWith('=') && !property.allowArbitraryValues) {
				expect((property.options ?? []).map((option) => ('value' in option ? option.value : undefined))).toContain(value);
			}
			if (property.type === 'collection' && value && typeof value === 'object') {
				const names = (property.options ?? []).map((option) => option.name);
				for (const option of Object.keys(value)) expect([key, option, names.includes(option)]).toEqual([key, option, true]);
			}
		}
		// VoidAI's account, or an OpenAI-compatible gateway's for what only such a gateway offers (Extend).
		const credential = node.parameters.provider === 'openAiCompatible' ? EXAMPLE_GATEWAY_CREDENTIAL : EXAMPLE_CREDENTIAL;
		expect(Object.keys(node.credentials ?? {})).toEqual([credential.type]);
		expect(node.credentials?.[credential.type]).toEqual({ id: credential.id, name: credential.name });
	});
});
