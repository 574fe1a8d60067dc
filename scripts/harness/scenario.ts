/** What the e2e tests and the demo both do: a fresh n8n user folder with this package installed, and the examples. */
import { readFileSync, rmSync } from 'fs';
import { join } from 'path';

import type { Dialect, ProviderSimulator } from '../../simulator/simulator';
import { N8nInstance } from './n8n';
import { buildAndPack, installIntoUserFolder } from './pack';
import type { Runtime } from './runtime';
import { REPO_ROOT } from './runtime';

/** The credential the examples reference; e2e and the demo point it at the simulator. */
export const EXAMPLE_CREDENTIAL = { id: 'soraExampleCred1', name: 'VoidAI account', type: 'voidAiApi' };
/** The examples that need a route only an OpenAI-compatible gateway offers (Extend) use this one. */
export const EXAMPLE_GATEWAY_CREDENTIAL = { id: 'soraExampleCred2', name: 'OpenAI-compatible gateway', type: 'openAiCompatibleVideoApi' };

export interface ExampleWorkflow {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export const EXAMPLES = ['check-status-wait-download', 'archive-to-google-drive', 'notify-slack', 'generate-to-drive-and-slack', 'extend-a-video'] as const;

export function loadExample(name: (typeof EXAMPLES)[number]): ExampleWorkflow {
	return JSON.parse(readFileSync(join(REPO_ROOT, 'examples', `${name}.json`), 'utf8')) as ExampleWorkflow;
}

/** n8n's own nodes that feed ours and need no account (a manual start and the rows it makes). */
const FEEDING_NODES = ['n8n-nodes-base.manualTrigger', 'n8n-nodes-base.set', 'n8n-nodes-base.splitOut'];

/** This package's nodes of an example and the account-free nodes that feed them (the parts that run without Google or Slack accounts). */
export function ourPartOf(example: ExampleWorkflow, id: string, name: string): ExampleWorkflow {
	const nodes = example.nodes.filter((node) => node.type.startsWith('n8n-nodes-sora-video.') || FEEDING_NODES.includes(node.type));
	const kept = new Set(nodes.map((node) => node.name));
	const connections = Object.fromEntries(
		Object.entries(example.connections as Record<string, { main: Array<Array<{ node: string }>> }>)
			.filter(([from]) => kept.has(from))
			.map(([from, value]) => [from, { main: value.main.map((outputs) => outputs.filter((target) => kept.has(target.node))) }]),
	);
	return { ...example, id, name, nodes, connections };
}

/** A fresh user folder with the package installed from its `npm pack` tarball, as users get it. */
export async function prepareInstance(runtime: Runtime, userFolder: string, port: number): Promise<N8nInstance> {
	rmSync(userFolder, { recursive: true, force: true });
	const tarball = await buildAndPack(join(REPO_ROOT, '.cache', 'pack'));
	await installIntoUserFolder(tarball, userFolder);
	return new N8nInstance(runtime, userFolder, port);
}

/** The frontend JWT the simulator accepts for OpeAI's token mode in the tests. */
export const SIM_FRONTEND_TOKEN = 'e2e-frontend-jwt';

/** One way to reach the simulator: a provider, its credential type, and the dialect it speaks. */
export interface DialectSetup {
	label: string;
	dialect: Dialect;
	provider: string;
	type: string;
	extra?: Record<string, unknown>;
	variants: boolean;
	/** What a download of an expired task says: providers that do not report expiry can only say "not found". */
	expired: RegExp;
}

/** Every provider dialect, and both of OpeAI's authentication modes. */
export const DIALECT_SETUPS: DialectSetup[] = [
	{ label: 'opeai', dialect: 'opeai', provider: 'opeAi', type: 'opeAiApi', extra: { authMode: 'apiKey' }, variants: false, expired: /is no longer available at OpeAI \(HTTP 404\)/ },
	{ label: 'opeai-token', dialect: 'opeai', provider: 'opeAi', type: 'opeAiApi', extra: { authMode: 'frontendToken', apiKey: SIM_FRONTEND_TOKEN }, variants: false, expired: /is no longer available at OpeAI \(HTTP 404\)/ },
	{ label: 'wisdomgate', dialect: 'wisdomgate', provider: 'wisdomGate', type: 'wisdomGateApi', variants: false, expired: /expired at/ },
	{ label: 'ezmodel', dialect: 'ezmodel', provider: 'ezModel', type: 'ezModelApi', variants: false, expired: /has expired at EzModel|expired at/ },
	{ label: 'voidai', dialect: 'voidai', provider: 'voidAi', type: 'voidAiApi', variants: true, expired: /expired at/ },
	{ label: 'newapi', dialect: 'newapi', provider: 'openAiCompatible', type: 'openAiCompatibleVideoApi', extra: { headerName: 'Authorization', headerPrefix: 'Bearer ' }, variants: false, expired: /is no longer available at OpenAI-Compatible Gateway \(HTTP 400\)/ },
	{ label: 'azure-style', dialect: 'openai', provider: 'openAiCompatible', type: 'openAiCompatibleVideoApi', extra: { headerName: 'api-key', headerPrefix: '' }, variants: true, expired: /expired at/ },
];

/** A credential of `type` pointing at the simulator's `dialect`. */
export function simulatorCredential(sim: ProviderSimulator, dialect: Dialect, type: string, id: string, name: string, extra: Record<string, unknown> = {}): object {
	return { id, name, type, data: { apiKey: sim.options.apiKey, baseUrl: sim.baseUrl(dialect), ...extra } };
}
