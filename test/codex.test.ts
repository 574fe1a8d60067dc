/**
 * How n8n's node panel (n8n-editor-ui 2.41.1, the node creator) lists this package, encoded from its source:
 *
 * - Search, outside the AI panel and while the canvas has no AI node, drops every node whose codex has the
 *   "AI" category unless its AI subcategories include "Root Nodes" (the rest are AI sub-nodes: models,
 *   memories, tools, which only make sense attached to an agent). A node in "AI" without "Root Nodes" cannot
 *   be found by searching, in the action list or the trigger list.
 * - A node in "AI" without the "Agents" subcategory is drawn as an AI sub-node ("... (sub-nodes)" sections);
 *   "Agents" lists it with the AI agents and vendor nodes (n8n's own OpenAI node has
 *   "Agents", "Miscellaneous", "Root Nodes"). A trigger does not belong there.
 * - A trigger whose type name is another node's name plus "Trigger" is merged into that node: one entry
 *   with the node's display name, the trigger's description, and the node's actions followed by the
 *   trigger's events. The "Events" property's options become "On <name>" unless they set `action`.
 *
 * The browser test (e2e/editor.e2e.ts) checks the same things in the real editor.
 */
import type { INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

import { loadPackage } from './harness/engine';

interface Codex {
	categories?: string[];
	subcategories?: Record<string, string[]>;
	alias?: string[];
}

async function descriptions(): Promise<{ node: INodeTypeDescription; trigger: INodeTypeDescription }> {
	const loader = await loadPackage();
	// Both are plain (not versioned) node types.
	const description = (name: string) => loader.nodeTypes[name].type.description as INodeTypeDescription;
	return { node: description('soraVideo'), trigger: description('soraVideoTrigger') };
}

function codexOf(description: INodeTypeDescription): Codex {
	return (description.codex ?? {}) as Codex;
}

/** The panel's search base outside the AI panel: AI nodes stay only as root nodes. */
function searchable(codex: Codex): boolean {
	if (!codex.categories?.includes('AI')) return true;
	return codex.subcategories?.AI?.includes('Root Nodes') === true;
}

/** Drawn as an AI sub-node (grouped under "(sub-nodes)" sections) rather than as a node of its own. */
function drawnAsSubNode(codex: Codex): boolean {
	return codex.categories?.includes('AI') === true && codex.subcategories?.AI?.includes('Agents') !== true;
}

/** The actions the panel lists for a node: each Operation option's `action`, or a trigger's events. */
function panelActions(description: INodeTypeDescription): string[] {
	if (description.group.includes('trigger')) {
		const events = description.properties.find((property) => ['event', 'events', 'trigger on'].includes(property.displayName.toLowerCase()));
		return ((events?.options ?? []) as INodePropertyOptions[]).map((option) => option.action ?? `On ${option.name.toLowerCase()}`);
	}
	const operation = description.properties.find((property) => property.name === 'operation');
	return ((operation?.options ?? []) as INodePropertyOptions[]).map((option) => option.action ?? option.name);
}

it('both nodes can be found by searching the node panel, and the action node is not drawn as an AI sub-node', async () => {
	const { node, trigger } = await descriptions();
	expect(searchable(codexOf(node))).toBe(true);
	expect(searchable(codexOf(trigger))).toBe(true);
	expect(drawnAsSubNode(codexOf(node))).toBe(false);
	// "Agents" would list the trigger on its own among the AI agents, next to its merged entry.
	expect(codexOf(trigger).subcategories?.AI).not.toContain('Agents');
	for (const description of [node, trigger]) expect(codexOf(description).alias).toContain('Sora');
});

it('the panel merges the trigger into one "Sora Video" entry whose description and actions read right for both', async () => {
	const { node, trigger } = await descriptions();
	// The panel's merge rule: the trigger's type name without "Trigger" is the node's type name.
	expect(trigger.name.replace('Trigger', '')).toBe(node.name);
	const entry = { displayName: node.displayName, description: trigger.description, actions: [...panelActions(node), ...panelActions(trigger)] };
	expect(entry.displayName).toBe('Sora Video');
	expect(entry.description).toMatch(/create/i);
	expect(entry.description).toMatch(/download/i);
	expect(entry.description).toMatch(/start a workflow when one completes or fails/);
	expect(entry.actions).toEqual([
		'Create a video',
		'Create a character',
		'Delete a video',
		'Download the file of a video task',
		'Edit a video',
		'Extend a video',
		'Generate a video',
		'Get a character',
		'Get the status of a video task',
		'List video tasks',
		'Remix a video',
		'On video completed',
		'On video failed',
	]);
});
