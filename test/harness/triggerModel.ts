/**
 * A model gateway and a model n8n for the Sora Video Trigger's model-based test (test/triggerModel.test.ts).
 *
 * How n8n 2.41.1 schedules polls, read from its source (n8n-core dist/execution-engine, n8n CLI dist):
 * - `ActiveWorkflowTriggers.activatePollTrigger` (active-workflow-triggers.js) builds ONE poll context per
 *   activation (`getPollFunctions(workflow, node, …, activation)`), runs the activation poll with it and
 *   awaits it (`await executePollTrigger(true)`: its error fails the activation), then registers one cron
 *   job per poll time whose callback is `void executePollTrigger()`: polls are not awaited, so a slow one
 *   overlaps the next. All polls of one activation share that context (TriggersAndPollers.runPollFunction,
 *   triggers-and-pollers.js, calls `nodeType.poll.call(pollFunctions)` with it every time), its Workflow,
 *   and so one static data object. Deactivate, re-activate and saving an active workflow (`addAllTriggers` → `remove` then
 *   add, activation mode `update`) build a NEW Workflow from the database and a NEW poll context: the next
 *   poll is an activation poll again, awaited by the user's click, in the same process.
 * - `PollTriggerExecutor.create` (poll-trigger-executor.js): a poll that returns items is emitted
 *   (`__emit`); n8n saves the static data of an emitting poll (WorkflowStaticDataService.saveStaticData,
 *   not awaited by the poll); a poll that returns null is not saved. A poll of a superseded activation
 *   (`isCurrent()` false) is skipped, and its in-flight result discarded.
 * - With a durable poll job manager (`PollJobManager`, N8N_SCHEDULER_POLL_TRIGGERS_ENABLED), activation
 *   registers the job and runs the activation poll only when the job was newly inserted; later polls run
 *   from the scheduler with a fresh Workflow (static data as last saved) and a fresh context each time,
 *   missed times are run one after another after a restart, and a poll past N8N_SCHEDULER_POLL_TIMEOUT is
 *   abandoned (its items dropped).
 * - After activation (the activation poll included) ActiveWorkflowManager.add saves the workflow's static data
 *   (active-workflow-manager.js, `saveStaticData(workflow)`), whether or not the activation poll emitted.
 * - A kill between a poll's emit and its static data write loses the write: after the restart the
 *   previous saved state is read and the process memory (coordination.ts) is empty.
 *
 * The model n8n below does exactly these things; the model gateway answers as the gateways README lists do.
 */
import type { IncomingMessage, Server, ServerResponse } from 'http';
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsHelper,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IPollFunctions,
	WorkflowActivateMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import { getExecutePollFunctions, PollContext } from 'n8n-core';

import { authenticateWithHeader } from '../../credentials/common';
import { contentBytes } from '../../simulator/simulator';
import { SoraVideoTrigger } from '../../nodes/SoraVideoTrigger/SoraVideoTrigger.node';
import { additionalDataFor } from './engine';

export type ModelStatus = 'queued' | 'in_progress' | 'completed' | 'failed';

export interface ModelTask {
	id: string;
	/** Seconds since epoch. */
	createdAt: number;
	status: ModelStatus;
	deleted: boolean;
}

export interface GatewayShape {
	order: 'desc' | 'asc' | 'unordered';
	ignoreAfter: boolean;
	noCreatedAt: boolean;
	/** The most a page holds, whatever `limit` asks (1..100). */
	pageMax: number;
	equalCreatedAt: boolean;
	/** Wisdom Gate's 200 "still in progress" envelope for a running task's status. */
	notReadyEnvelope: boolean;
}

export type Fault = { kind: 'rateLimit'; retryAfterSeconds: number } | { kind: 'serverError' } | { kind: 'slow'; ms: number };

export const API_KEY = 'sk-model-0123456789abcdef';

function hash(id: string): number {
	let h = 2166136261;
	for (const char of id) h = Math.imul(h ^ char.charCodeAt(0), 16777619);
	return h >>> 0;
}

/** An OpenAI-style video gateway whose misbehaviours are chosen by the test. Time is `Date.now()` (the test's fake clock). */
export class ModelGateway {
	readonly tasks = new Map<string, ModelTask>();
	shape: GatewayShape = { order: 'desc', ignoreAfter: false, noCreatedAt: false, pageMax: 100, equalCreatedAt: false, notReadyEnvelope: false };
	/** Answered one per request, in order, before the request is served. */
	faults: Fault[] = [];
	/** Every request answered (counted by the test per poll). */
	requests = 0;
	/** Content downloads served. */
	downloads = 0;
	/** Slow answers given so far. */
	slowAnswered = 0;
	/** Moves the test's clock (a slow answer). */
	advanceClock: (ms: number) => void = () => {};
	private server: Server | undefined;
	private counter = 0;

	get baseUrl(): string {
		return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/v1`;
	}

	async start(): Promise<void> {
		this.server = createServer((req, res) => this.handle(req, res));
		await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	reset(shape: GatewayShape): void {
		this.tasks.clear();
		this.faults = [];
		this.requests = 0;
		this.shape = shape;
	}

	create(status: ModelStatus = 'queued'): ModelTask {
		const id = `video_${(++this.counter).toString(36).padStart(6, '0')}`;
		const task: ModelTask = { id, createdAt: Math.floor(Date.now() / 1000), status, deleted: false };
		this.tasks.set(id, task);
		return task;
	}

	visible(): ModelTask[] {
		return [...this.tasks.values()].filter((task) => !task.deleted);
	}

	private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
		res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
		res.end(JSON.stringify(body));
	}

	private taskObject(task: ModelTask): IDataObject {
		const created = this.shape.equalCreatedAt ? 1_700_000_000 : task.createdAt;
		return {
			id: task.id,
			object: 'video',
			model: 'sora-2',
			status: task.status,
			progress: task.status === 'completed' ? 100 : task.status === 'in_progress' ? 50 : 0,
			...(this.shape.noCreatedAt ? {} : { created_at: created }),
			...(task.status === 'failed' ? { error: { message: 'blocked by moderation' } } : {}),
		};
	}

	private handle(req: IncomingMessage, res: ServerResponse): void {
		this.requests++;
		const fault = this.faults.shift();
		if (fault?.kind === 'slow') {
			this.slowAnswered++;
			this.advanceClock(fault.ms);
		}
		if (req.headers.authorization !== `Bearer ${API_KEY}`) return this.json(res, 401, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } });
		if (fault?.kind === 'rateLimit') {
			return this.json(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }, { 'Retry-After': String(fault.retryAfterSeconds) });
		}
		if (fault?.kind === 'serverError') return this.json(res, 502, { error: { message: 'Bad gateway', type: 'server_error' } });
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const content = /^\/v1\/videos\/([^/]+)\/content$/.exec(url.pathname);
		if (content) {
			const task = this.tasks.get(decodeURIComponent(content[1]));
			if (!task || task.deleted) return this.json(res, 404, { error: { message: 'Video not found', type: 'invalid_request_error', param: null, code: null } });
			if (task.status !== 'completed') return this.json(res, 400, { error: { message: `Video is not ready yet, status: ${task.status}`, type: 'invalid_request_error', param: null, code: 'video_not_ready' } });
			this.downloads++;
			const bytes = contentBytes(task.id, 'video', 4096);
			res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(bytes.length) });
			res.end(bytes);
			return;
		}
		const status = /^\/v1\/videos\/([^/]+)$/.exec(url.pathname);
		if (status) {
			const task = this.tasks.get(decodeURIComponent(status[1]));
			if (!task || task.deleted) return this.json(res, 404, { error: { message: 'Video not found', type: 'invalid_request_error', param: null, code: null } });
			if (this.shape.notReadyEnvelope && (task.status === 'in_progress' || task.status === 'queued')) {
				return this.json(res, 200, {
					message: 'Video generation still in progress',
					data: { error: { message: 'Video generation is still in progress. Please check the status endpoint.', type: 'video_not_ready', code: 'video_processing', param: null } },
				});
			}
			return this.json(res, 200, this.taskObject(task));
		}
		if (url.pathname === '/v1/videos') return this.list(res, url.searchParams);
		return this.json(res, 404, { error: { message: 'no route' } });
	}

	/** The list in the gateway's order. */
	private listed(): ModelTask[] {
		const all = this.visible();
		const { order } = this.shape;
		if (this.shape.equalCreatedAt || order === 'unordered') all.sort((a, b) => hash(a.id) - hash(b.id) || (a.id < b.id ? -1 : 1));
		else all.sort((a, b) => (order === 'asc' ? 1 : -1) * (a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)));
		return all;
	}

	/** The IDs on the list's first page (all a gateway ignoring `after` ever shows). */
	firstPage(limit: number): string[] {
		return this.listed()
			.slice(0, Math.min(limit, this.shape.pageMax))
			.map((task) => task.id);
	}

	private list(res: ServerResponse, query: URLSearchParams): void {
		const all = this.listed();
		const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), this.shape.pageMax);
		const after = query.get('after');
		let start = 0;
		if (after && !this.shape.ignoreAfter) {
			const index = all.findIndex((task) => task.id === after);
			start = index < 0 ? all.length : index + 1;
		}
		const page = all.slice(start, start + limit);
		this.json(res, 200, {
			object: 'list',
			data: page.map((task) => this.taskObject(task)),
			first_id: page[0]?.id ?? null,
			last_id: page[page.length - 1]?.id ?? null,
			has_more: start + page.length < all.length,
		});
	}
}

class ModelCredentialsHelper implements ICredentialsHelper {
	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(credentials: ICredentialDataDecryptedObject, _type: string, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return await authenticateWithHeader(credentials, requestOptions);
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
	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return { ...this.data };
	}
	async updateCredentials(): Promise<void> {}
	async updateCredentialsOauthTokenData(): Promise<void> {}
	getCredentialsProperties() {
		return [];
	}
	constructor(private readonly data: ICredentialDataDecryptedObject) {}
}

/** The trigger's code as n8n loads it. */
export function loadTriggerType(): INodeType {
	return new SoraVideoTrigger();
}

export type Engine = 'legacy' | 'durable';

export interface PollOutcome {
	items: INodeExecutionData[];
	error: Error | null;
	/** The poll that n8n awaited at activation. */
	activation: boolean;
	/** The durable scheduler dropped its items (past its timeout). */
	dropped: boolean;
}

let workflowCounter = 0;

/**
 * One Sora Video Trigger in a model n8n: the static data in the database (`saved`), the activation's
 * shared Workflow and poll context (legacy engine), and the durable scheduler's fresh ones.
 */
export class ModelTrigger {
	private readonly id = `wf-model-${++workflowCounter}`;
	/**
	 * Restarts so far. The trigger keeps its process memory per workflow ID (coordination.ts); a restarted
	 * process has none, which a new ID per boot reproduces without reloading every module (seconds per load).
	 */
	private boots = 0;
	/** The static data as the database holds it. */
	saved: IDataObject = {};
	private workflow: Workflow | undefined;
	private context: IPollFunctions | undefined;
	private activationPending = true;
	private readonly node: INode;
	private readonly helper: ModelCredentialsHelper;
	private executions = 0;
	/** Static-data writes n8n has started and not finished (lost on a kill). */
	private pendingWrites: Array<{ data: IDataObject; landed: boolean }> = [];

	constructor(
		private readonly nodeType: INodeType,
		parameters: IDataObject,
		baseUrl: string,
		readonly engine: Engine,
		private readonly pollBudgetMs = 25_000,
	) {
		this.node = {
			id: 'trigger-node',
			name: 'Sora Video Trigger',
			type: 'n8n-nodes-sora-video.soraVideoTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: { provider: 'openAiCompatible', options: { retries: 0, retryDelay: 1 }, ...parameters } as INode['parameters'],
			credentials: { openAiCompatibleVideoApi: { id: 'cred', name: 'model gateway' } },
		};
		this.helper = new ModelCredentialsHelper({ apiKey: API_KEY, baseUrl });
	}

	private nodeTypes(): INodeTypes {
		const type = this.nodeType;
		return {
			getByName: () => type,
			getByNameAndVersion: () => NodeHelpers.getVersionedNodeType(type, 1) as INodeType,
			getKnownTypes: () => ({}),
		};
	}

	private freshWorkflow(): Workflow {
		return new Workflow({
			id: this.workflowId,
			name: 'model',
			nodes: [this.node],
			connections: {},
			active: true,
			nodeTypes: this.nodeTypes(),
			staticData: JSON.parse(JSON.stringify(this.saved)) as IDataObject,
			settings: {},
		});
	}

	/** Deactivate then activate, or save an active workflow: a new Workflow and context; the next poll is awaited by the user. */
	reactivate(): void {
		this.workflow = undefined;
		this.context = undefined;
		this.activationPending = true;
	}

	get workflowId(): string {
		return `${this.id}-boot${this.boots}`;
	}

	/** The process is killed and restarted: writes in flight are lost, the process memory is empty, n8n activates it at start-up. */
	restart(): void {
		for (const write of this.pendingWrites) write.landed = true;
		this.pendingWrites = [];
		this.boots++;
		this.reactivate();
	}

	/** Every started static-data write lands, in the order they were started. */
	flushWrites(): void {
		for (const write of this.pendingWrites) if (!write.landed) this.saved = write.data;
		this.pendingWrites = [];
	}

	/** A write that lands at once: those started before it land first. */
	private landWrite(data: IDataObject): void {
		this.flushWrites();
		this.saved = data;
	}

	/** The static data n8n holds in memory (legacy) or last saved (durable). */
	get staticData(): IDataObject {
		return this.workflow?.staticData ?? this.saved;
	}

	/** One poll as n8n runs it. `delaySave`: the write of an emitting poll lands later (flushWrites) instead of at once. */
	async poll(options: { delaySave?: boolean } = {}): Promise<PollOutcome> {
		const activation = this.activationPending;
		this.activationPending = false;
		const additionalData = additionalDataFor(this.helper, `model-${this.workflowId}-${++this.executions}`);
		let workflow: Workflow;
		let context: IPollFunctions;
		if (this.engine === 'legacy' || activation) {
			if (!this.workflow || !this.context) {
				this.workflow = this.freshWorkflow();
				const mode: WorkflowActivateMode = 'activate';
				this.context = getExecutePollFunctions(this.workflow, this.node, additionalData, 'trigger', mode);
			}
			workflow = this.workflow;
			context = this.context;
		} else {
			workflow = this.freshWorkflow();
			context = new PollContext(workflow, this.node, additionalData, 'trigger', 'update', undefined, undefined, undefined, undefined, undefined, () => this.pollBudgetMs);
		}
		const pollFn = this.nodeType.poll as (this: IPollFunctions) => Promise<INodeExecutionData[][] | null>;
		let result: INodeExecutionData[][] | null;
		try {
			result = await pollFn.call(context);
		} catch (error) {
			// A failed activation leaves the workflow inactive: the user activates it again.
			if (activation) this.reactivate();
			return { items: [], error: error as Error, activation, dropped: false };
		}
		const items = result?.[0] ?? [];
		if (result !== null) {
			// n8n saves the static data of a poll that emitted, without awaiting the write.
			const data = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
			if (options.delaySave) this.pendingWrites.push({ data, landed: false });
			else this.landWrite(data);
		}
		// After the activation poll n8n saves the workflow's static data whether or not it emitted
		// (ActiveWorkflowManager.add → workflowStaticDataService.saveStaticData).
		if (activation) this.landWrite(JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject);
		return { items, error: null, activation, dropped: false };
	}
}
