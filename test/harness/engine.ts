/**
 * Runs the built package inside n8n's real engine: PackageDirectoryLoader loads dist/ as n8n does,
 * WorkflowExecute runs the workflow, credentials are applied by the credential type's own `authenticate`.
 */
import { Container } from '@n8n/di';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsHelper,
	ICredentialType,
	IBinaryData,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	INodeTypes,
	IPollFunctions,
	IRun,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers, Workflow } from 'n8n-workflow';
import {
	BinaryDataConfig,
	BinaryDataService,
	ExecutionLifecycleHooks,
	getExecutePollFunctions,
	LoadOptionsContext,
	PackageDirectoryLoader,
	PollContext,
	WorkflowExecute,
} from 'n8n-core';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

/** The package root (with dist/), whether this runs from source or compiled into .build/ by the bench. */
function findPackageRoot(start: string): string {
	for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
		const manifest = join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'n8n-nodes-sora-video') return dir;
	}
	throw new Error(`no n8n-nodes-sora-video package above ${start}`);
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
export const PACKAGE_NAME = 'n8n-nodes-sora-video';

let loaderPromise: Promise<PackageDirectoryLoader> | undefined;

/** Loads dist/ once per test file, exactly as n8n loads an installed community package. */
export async function loadPackage(): Promise<PackageDirectoryLoader> {
	loaderPromise ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		return loader;
	})();
	return await loaderPromise;
}

function nodeTypesFrom(loader: PackageDirectoryLoader): INodeTypes {
	const lookup = (name: string): INodeType | IVersionedNodeType => {
		const short = name.startsWith(`${PACKAGE_NAME}.`) ? name.slice(PACKAGE_NAME.length + 1) : name;
		const entry = loader.nodeTypes[short] ?? loader.nodeTypes[name];
		if (!entry) throw new Error(`Unknown node type ${name}`);
		return entry.type;
	};
	return {
		getByName: lookup,
		getByNameAndVersion: (name, version) => NodeHelpers.getVersionedNodeType(lookup(name), version),
		getKnownTypes: () => ({}),
	};
}

/** A credentials helper that hands out test data and applies the credential type's real `authenticate`. */
export class TestCredentialsHelper implements ICredentialsHelper {
	constructor(
		private readonly loader: PackageDirectoryLoader,
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
	) {}

	private type(name: string): ICredentialType {
		const entry = this.loader.credentialTypes[name];
		if (!entry) throw new Error(`Unknown credential type ${name}`);
		return entry.type;
	}

	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const authenticate = this.type(typeName).authenticate;
		if (typeof authenticate !== 'function') throw new Error(`Credential ${typeName} must authenticate with a function`);
		return await authenticate(credentials, requestOptions);
	}
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}
	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}
	async getDecrypted(_additionalData: unknown, _nodeCredentials: unknown, type: string): Promise<ICredentialDataDecryptedObject> {
		const found = this.data[type];
		if (!found) throw new Error(`No test credentials of type ${type}`);
		return { ...found };
	}
	async updateCredentials(): Promise<void> {}
	async updateCredentialsOauthTokenData(): Promise<void> {}
	getCredentialsProperties(type: string) {
		return this.type(type).properties;
	}
}

export type BinaryMode = 'default' | 'filesystem';

let currentMode: BinaryMode | 'database' | undefined;

/** Switches n8n's binary data store, as N8N_DEFAULT_BINARY_DATA_MODE would. */
export async function useBinaryMode(mode: BinaryMode): Promise<void> {
	if (currentMode === mode) return;
	await useBinaryModeInitialized(mode);
}

/** Sets the mode and initializes n8n's binary data service afresh; `then` registers a manager n8n's CLI would add (database). */
export async function useBinaryModeInitialized(mode: BinaryMode | 'database', then?: () => void): Promise<void> {
	const config = Container.get(BinaryDataConfig);
	config.mode = mode;
	config.localStoragePath = mkdtempSync(join(tmpdir(), 'sora-video-binary-'));
	(config as unknown as { availableModes: string[] }).availableModes = ['default', 'filesystem', 'database'];
	await Container.get(BinaryDataService).init();
	then?.();
	currentMode = mode;
}

/** Every binary in n8n's filesystem binary store (its data file; all executions), to check that nothing was stored. */
export function storedFiles(): string[] {
	const root = Container.get(BinaryDataConfig).localStoragePath;
	if (!root || !existsSync(root)) return [];
	const files: string[] = [];
	const walk = (dir: string): void => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) walk(path);
			else if (!entry.name.endsWith('.metadata')) files.push(path);
		}
	};
	walk(root);
	return files;
}

export async function readBinary(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`item has no binary property ${property}`);
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

export interface EngineRunOptions {
	nodeType: 'soraVideo';
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** The node's "On Error" setting, as the editor stores it. */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	mode?: WorkflowExecuteMode;
	/** Cancels the execution (as the editor's Stop button does) after this many ms. */
	cancelAfterMs?: number;
	/** The node's version as the workflow saved it (default 1, what every older workflow holds). */
	typeVersion?: number;
}

export interface EngineRunResult {
	run: IRun | undefined;
	/** The first (success) output. */
	items: INodeExecutionData[];
	/** Every output as n8n split them: with "continueErrorOutput", [success, error]. */
	outputs: INodeExecutionData[][];
	error: Error | undefined;
}

export function additionalDataFor(helper: ICredentialsHelper, executionId: string, hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: helper,
		hooks,
		executionId,
		variables: {},
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('not used');
		},
		logAiEvent: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
}

let executionCounter = 0;

/** A node of this package as a workflow holds it, with a reference to each test credential. */
function packageNode(name: string, nodeType: string, parameters: INodeParameters, credentials: Record<string, unknown>, typeVersion = 1): INode {
	return {
		id: `${nodeType}-under-test`,
		name,
		type: `${PACKAGE_NAME}.${nodeType}`,
		typeVersion,
		position: [0, 0],
		parameters,
		credentials: Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: `cred-${type}`, name: type }])),
	};
}

/** Runs one node of this package in a real n8n workflow execution and returns its output items. */
export async function runNode(options: EngineRunOptions): Promise<EngineRunResult> {
	const loader = await loadPackage();
	const node: INode = {
		...packageNode('Sora Video', options.nodeType, options.parameters, options.credentials),
		typeVersion: options.typeVersion ?? 1,
		continueOnFail: options.continueOnFail,
		...(options.onError ? { onError: options.onError } : {}),
	};
	const workflowData = {
		id: 'wf-test',
		name: 'test',
		active: false,
		nodes: [node],
		connections: {},
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
		isArchived: false,
		activeVersionId: null,
	};
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: nodeTypesFrom(loader),
		staticData: {},
		settings: {},
	});
	const executionId = `exec-${++executionCounter}`;
	const mode = options.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData as never);
	const additionalData = additionalDataFor(new TestCredentialsHelper(loader, options.credentials), executionId, hooks);
	const runData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node, data: { main: [options.items ?? [{ json: {} }]] }, source: null }],
		},
	});
	let run: IRun;
	try {
		const execution = new WorkflowExecute(additionalData, mode, runData).processRunExecutionData(workflow);
		if (options.cancelAfterMs !== undefined) setTimeout(() => execution.cancel(), options.cancelAfterMs);
		run = await execution;
	} catch (error) {
		// n8n refuses some workflows before running them (e.g. a required parameter left empty).
		return { run: undefined, items: [], outputs: [], error: error as Error };
	}
	const taskData = run.data.resultData.runData[node.name]?.[0];
	const outputs = (taskData?.data?.main ?? []).map((output) => output ?? []);
	const items = outputs[0] ?? [];
	const error = (taskData?.error ?? run.data.resultData.error) as Error | undefined;
	return { run, items, outputs, error };
}

export interface PollHarness {
	/** A poll as n8n's default engine runs it: every poll of the activation shares one Workflow (and its static data). */
	poll(mode?: 'trigger' | 'manual'): Promise<INodeExecutionData[][] | null>;
	/**
	 * A poll as n8n's durable scheduler runs it (scheduling/poll-trigger-node): a fresh Workflow per poll, with
	 * the static data as last saved (n8n saves it when a poll emits), and `getPollBudgetMs()` from its timeout.
	 */
	/**
	 * One poll as n8n's durable scheduler runs it (PollTriggerTaskHandler, TriggerExecutionContextFactory in
	 * n8n 2.41): a fresh Workflow from the database's static data, n8n's poll budget (`getPollBudgetMs`), the
	 * items dropped when the poll outlives the scheduler's timeout, and the static data saved only when the
	 * poll emits, by a write n8n does not wait for (`saveDelayMs` later). Resolves when n8n would move on.
	 */
	durablePoll(budgetMs: number, options?: DurablePollOptions): Promise<INodeExecutionData[][] | null>;
	/** Resolves when every static data write the durable polls started has landed. */
	saved(): Promise<void>;
	staticData: IDataObject;
	/** The durable scheduler's saved static data (as JSON in the database). */
	savedStaticData: IDataObject;
	workflow: Workflow;
}

export interface DurablePollOptions {
	/** How long n8n's static data write takes to land in the database (ms). */
	saveDelayMs?: number;
	/** The scheduler's N8N_SCHEDULER_POLL_TIMEOUT (ms); n8n's poll budget is this less a margin. */
	timeoutMs?: number;
}

let workflowCounter = 0;

/**
 * A real poll context for a trigger node, with static data carried from poll to poll. Each harness is its own
 * workflow (its own id), as a restart or another workflow would be, unless `workflowId` is given.
 */
export async function createPoller(options: {
	nodeType: string;
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	staticData?: IDataObject;
	workflowId?: string;
	/** Like n8n's default engine: one poll context for every poll of this activation (else one per poll). */
	oneContext?: boolean;
	/** The trigger's version (1 unless given). */
	typeVersion?: number;
}): Promise<PollHarness> {
	const loader = await loadPackage();
	const node = packageNode('Sora Video Trigger', options.nodeType, options.parameters, options.credentials, options.typeVersion);
	const nodeTypes = nodeTypesFrom(loader);
	const staticData = options.staticData ?? {};
	const workflowId = options.workflowId ?? `wf-trigger-${++workflowCounter}`;
	const makeWorkflow = (data: IDataObject) =>
		new Workflow({ id: workflowId, name: 'trigger test', nodes: [node], connections: {}, active: true, nodeTypes, staticData: data, settings: {} });
	const workflow = makeWorkflow(staticData);
	const helper = new TestCredentialsHelper(loader, options.credentials);
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (!nodeType.poll) throw new Error(`${node.type} is not a polling trigger`);
	const pollFn = nodeType.poll;
	let saved: IDataObject = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	const writes: Array<Promise<void>> = [];
	let activationContext: IPollFunctions | undefined;
	return {
		workflow,
		get staticData() {
			return workflow.staticData;
		},
		get savedStaticData() {
			return saved;
		},
		async poll(mode = 'trigger') {
			const additionalData = additionalDataFor(helper, `poll-${++executionCounter}`);
			const context: IPollFunctions = activationContext ?? getExecutePollFunctions(workflow, node, additionalData, mode, 'activate');
			if (options.oneContext) activationContext = context;
			return await pollFn.call(context);
		},
		async durablePoll(budgetMs: number, { saveDelayMs = 0, timeoutMs = budgetMs * 1.25 }: DurablePollOptions = {}) {
			const fresh = makeWorkflow(JSON.parse(JSON.stringify(saved)) as IDataObject);
			const additionalData = additionalDataFor(helper, `poll-${++executionCounter}`);
			const context = new PollContext(fresh, node, additionalData, 'trigger', 'update', undefined, undefined, undefined, undefined, undefined, () => budgetMs);
			const startedAt = Date.now();
			const result = await pollFn.call(context);
			// The scheduler races the poll against N8N_SCHEDULER_POLL_TIMEOUT; past it, the items are dropped unseen.
			if (Date.now() - startedAt > timeoutMs) return null;
			// n8n saves the static data when a poll emits (`void saveStaticData` on __emit), and only then.
			if (result !== null) {
				const write = (async () => {
					if (saveDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, saveDelayMs));
					saved = JSON.parse(JSON.stringify(fresh.staticData)) as IDataObject;
				})();
				writes.push(write);
			}
			return result;
		},
		async saved() {
			await Promise.all(writes);
		},
	};
}

/** Puts a file into n8n's binary store (as an upstream node would) and returns its binary data. */
export async function storeBinary(bytes: Buffer, fileName: string, mimeType: string): Promise<IBinaryData> {
	const binary: IBinaryData = { data: '', mimeType, fileName, fileExtension: fileName.split('.').pop() };
	return await Container.get(BinaryDataService).store({ type: 'execution', workflowId: 'wf-test', executionId: `upstream-${++executionCounter}` }, bytes, binary);
}

/** Calls a node's list-search method (a resource locator's "From List") in n8n's real load-options context. */
export async function searchList(options: {
	nodeType: string;
	method: string;
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	filter?: string;
}): Promise<INodeListSearchResult> {
	const loader = await loadPackage();
	const node = packageNode('Sora Video', options.nodeType, options.parameters, options.credentials);
	const nodeTypes = nodeTypesFrom(loader);
	const workflow = new Workflow({ id: 'wf-editor', name: 'editor', nodes: [node], connections: {}, active: false, nodeTypes, staticData: {}, settings: {} });
	const additionalData = additionalDataFor(new TestCredentialsHelper(loader, options.credentials), `load-${++executionCounter}`);
	// As n8n's server does for the editor's request: the parameters being edited.
	additionalData.currentNodeParameters = options.parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters.model');
	const method = nodeTypes.getByNameAndVersion(node.type, 1).methods?.listSearch?.[options.method];
	if (!method) throw new Error(`${node.type} has no list search method ${options.method}`);
	return await method.call(context, options.filter);
}
