/**
 * A local provider simulator: one HTTP server on 127.0.0.1 that speaks every dialect in README.md's
 * "Provider dialects" section. Dev tool only (tests, e2e, demo); never shipped in dist.
 *
 * Paths: /<dialect>/v1/videos/..., and /opeai/api/videos/... for OpeAI's frontend-token mode.
 * The same task store answers every dialect, each in its own words.
 * Control (for tests and demos, no key): POST /_sim/tasks {task}, POST /_sim/tasks/<id>/status {status},
 * POST /_sim/tasks/<id>/faults {fault}, POST /_sim/gateway {behaviour} (how the whole gateway behaves, see
 * GatewayBehaviour), GET /_sim/requests, POST /_sim/reset.
 * A second listener plays a storage bucket on another origin: GET /files/<id>/<variant>, no key needed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'http';
import { createServer } from 'http';
import type { AddressInfo, Socket } from 'net';

import type { Dialect } from './dialects';
import type { CreateFault, CreateRecord, CreateRejection, CreateSettings } from './lifecycle';
import { CREATE_REJECTIONS, DEFAULT_CREATE_SETTINGS, drain, missingParameter, modelsAnswer, newCharacterId, newTaskId, noRouteAnswer, readCreateBody, rejectionAnswer, sourceVideoId, validateCreate } from './lifecycle';

export type { Dialect } from './dialects';
export { DIALECTS } from './dialects';

export type SimStatus = 'queued' | 'in_progress' | 'completed' | 'failed';

export type Fault =
	/** 429 with Retry-After (seconds) for the next `times` requests. */
	| { type: 'rateLimit'; retryAfter: number; times: number }
	/** 503 for the next `times` requests. */
	| { type: 'unavailable'; times: number }
	/** Content: send `bytes` bytes of the file, then drop the connection, for the next `times` requests. */
	| { type: 'cut'; bytes: number; times: number }
	/** Content: send the body at `bytesPerSecond`. */
	| { type: 'slow'; bytesPerSecond: number }
	/** Content: send `bytes` bytes, then nothing more while keeping the connection open, for the next `times` requests. */
	| { type: 'stall'; bytes: number; times: number }
	/** Content: no Accept-Ranges, and a Range header is ignored (the whole file again, 200). */
	| { type: 'noRanges' }
	/** Content: answer 302 to another origin's URL (which serves the file without asking for a key). */
	| { type: 'redirect'; location: string }
	/** Content: answer 302 to this simulator's own storage origin (another port, so another origin). */
	| { type: 'redirectToStorage' }
	/** Status and content: 403, as for a task of another account, for every request. */
	| { type: 'forbidden' }
	/**
	 * Content: 200 with a web page instead of the file (a proxy's, CDN's or captive portal's), labelled `contentType`
	 * (null: no Content-Type), for the next `times` requests. `start` is what the page begins with.
	 */
	| { type: 'webPage'; contentType: string | null; start?: WebPageStart; times: number }
	/** Content: 200 with a short text instead of the file (a mock server's `"string"`), labelled `contentType` (null: none), for the next `times` requests. */
	| { type: 'textBody'; text: string; contentType: string | null; times: number };

/** How the `webPage` fault's page begins: every one of these is HTML a browser would render. */
export type WebPageStart = 'comment' | 'title' | 'meta' | 'doctype';

/** The page the `webPage` fault serves. */
export function webPageBody(start: WebPageStart = 'comment'): string {
	const rest = '<title>Just a moment...</title></head><body><h1>Checking your browser</h1><p>This page is served instead of the file.</p></body></html>';
	switch (start) {
		case 'comment':
			return `<!-- cdn edge 42 --><!-- cache: MISS -->\n<html><head>${rest}`;
		case 'title':
			return `<title>Just a moment...</title><p>This page is served instead of the file.</p>`;
		case 'meta':
			return `<meta charset="utf-8"><meta http-equiv="refresh" content="5">${rest}`;
		default:
			return `<!DOCTYPE html><html><head>${rest}`;
	}
}

/**
 * How the whole gateway behaves, as real gateways do in ways our code does not choose. Every field is
 * optional; `POST /_sim/gateway` merges what it is given, `null` switching a behaviour off.
 */
export interface GatewayBehaviour {
	/** `GET /videos` order: `honour` the `order` query (default), always `asc` (oldest first), or `ignore` it (a fixed order by id hash). */
	listOrder?: 'honour' | 'asc' | 'ignore';
	/** Every task reports this `created_at` (epoch seconds); the list then sorts ties by id, ascending. */
	equalCreatedAt?: number | null;
	/** Every status call (`GET /videos/{id}`) answers 429 with this Retry-After (seconds). */
	rateLimitStatus?: { retryAfter: number } | null;
	/** Every content download is sent at this speed. */
	slowContent?: { bytesPerSecond: number } | null;
	/** Tasks left out of `GET /videos` (listed later, once removed from here). */
	hiddenFromList?: string[];
}

export interface SimTask {
	id: string;
	model: string;
	size: string;
	seconds: string;
	prompt: string;
	createdAt: number;
	/** When set, the status follows the clock: queued until `startsAt`, running until `finishesAt`. */
	startsAt: number;
	finishesAt: number;
	outcome: 'completed' | 'failed';
	/** A status forced by a test; wins over the clock. */
	forced?: SimStatus;
	failReason: string;
	expiresAt: number | null;
	contentBytes: number;
	faults: Fault[];
	/** For a remix: the task it was made from. */
	remixedFromVideoId?: string;
	/** Usage figures new-api adds to a task (`{completion_tokens, total_tokens}`), sent by the `newapi` and `openai` dialects when set. */
	usage?: Record<string, number>;
}

export interface SimRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingMessage['headers'];
}

export interface SimulatorOptions {
	apiKey: string;
	/** Frontend JWT accepted on /opeai/api/... with a `token:` header. */
	frontendToken?: string;
	/** Latency added to every request, in ms. */
	latencyMs?: number;
	/** Seconds since epoch "now" offset, for expiry tests. */
	now?: () => number;
}


/** Content repeats a 64 KiB block after a format header, so serving a GiB costs no computation. */
const BLOCK = 64 * 1024;
const periods = new Map<string, Buffer>();

function headerFor(variant: string): Buffer {
	if (variant === 'thumbnail') return Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1');
	if (variant === 'spritesheet') return Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
	return Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom\x00\x00\x02\x00isomiso2mp41', 'latin1')]);
}

/** Two copies of the task's block back to back: any window of up to BLOCK bytes is one subarray. */
function periodFor(taskId: string, variant: string): Buffer {
	const key = `${taskId}:${variant}`;
	let period = periods.get(key);
	if (!period) {
		let seed = 7;
		for (const char of key) seed = (seed * 31 + char.charCodeAt(0)) & 0xff;
		period = Buffer.alloc(2 * BLOCK);
		for (let i = 0; i < period.length; i++) period[i] = ((i % BLOCK) * 131 + seed) & 0xff;
		periods.set(key, period);
	}
	return period;
}

/** Bytes [offset, offset + length) of a task's content: a view when possible, a copy where the header is. */
function contentSlice(taskId: string, variant: string, offset: number, length: number): Buffer {
	const start = offset % BLOCK;
	const view = periodFor(taskId, variant).subarray(start, start + length);
	const header = headerFor(variant);
	if (offset >= header.length) return view;
	const copy = Buffer.from(view);
	header.copy(copy, 0, offset, Math.min(header.length, offset + length));
	return copy;
}

/** Deterministic file bytes: the same (id, variant, size) always gives the same bytes. */
export function contentBytes(taskId: string, variant: string, size: number): Buffer {
	const out = Buffer.alloc(size);
	for (let offset = 0; offset < size; offset += BLOCK) contentSlice(taskId, variant, offset, Math.min(BLOCK, size - offset)).copy(out, offset);
	return out;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	return text ? (JSON.parse(text) as unknown) : {};
}

const MIME: Record<string, string> = { video: 'video/mp4', thumbnail: 'image/webp', spritesheet: 'image/jpeg' };

/** The routes of OpenAI's document that make something new from a video (extensions: see `lifecycleRoute`). */
const DERIVED_ROUTES: Record<string, 'edit' | 'character' | undefined> = { '/videos/edits': 'edit', '/videos/characters': 'character' };

/** The dialects that serve edits and characters: OpenAI's (and LiteLLM's proxy, which speaks it). */
const DERIVED_DIALECTS = new Set<Dialect>(['openai']);

export class ProviderSimulator {
	readonly tasks = new Map<string, SimTask>();
	readonly requests: SimRequest[] = [];
	/** In-process tests only: called as each request arrives, before it is answered (e.g. to starve the process of CPU). */
	onRequest?: (request: SimRequest) => void;
	private server: Server | undefined;
	private storage: Server | undefined;
	private readonly sockets = new Set<Socket>();
	private created = 0;
	url = '';
	storageUrl = '';
	/** Requests the storage origin received, with the headers it was sent. */
	readonly storageRequests: SimRequest[] = [];
	/** Gateway-wide behaviour (see GatewayBehaviour); tests may also set it directly. */
	gateway: GatewayBehaviour = {};

	constructor(readonly options: SimulatorOptions) {}

	private now(): number {
		return this.options.now ? this.options.now() : Date.now() / 1000;
	}

	/** Base URL (API root) for a dialect, e.g. http://127.0.0.1:PORT/voidai/v1. */
	baseUrl(dialect: Dialect): string {
		return `${this.url}/${dialect}/v1`;
	}

	addTask(partial: Partial<SimTask> & { id: string }): SimTask {
		const now = this.now();
		const task: SimTask = {
			model: 'sora-2',
			size: '1280x720',
			seconds: '8',
			prompt: 'A calm timelapse of clouds over mountains',
			createdAt: now + this.created++ * 1e-3,
			startsAt: now,
			finishesAt: now,
			outcome: 'completed',
			failReason: 'The video could not be generated: content policy violation',
			expiresAt: null,
			contentBytes: 256 * 1024,
			faults: [],
			...partial,
		};
		this.tasks.set(task.id, task);
		return task;
	}

	setStatus(id: string, status: SimStatus): void {
		const task = this.tasks.get(id);
		if (!task) throw new Error(`no task ${id}`);
		task.forced = status;
		if (status === 'completed' || status === 'failed') task.outcome = status;
	}

	/** Merges gateway behaviour; a `null` field switches it off. */
	setGateway(behaviour: GatewayBehaviour): void {
		const merged: Record<string, unknown> = { ...this.gateway, ...behaviour };
		for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
		this.gateway = merged as GatewayBehaviour;
	}

	/** `created_at` as the gateway reports it. */
	private reportedCreatedAt(task: SimTask): number {
		return this.gateway.equalCreatedAt ?? Math.floor(task.createdAt);
	}

	statusOf(task: SimTask): SimStatus {
		if (task.forced) return task.forced;
		const now = this.now();
		if (now < task.startsAt) return 'queued';
		if (now < task.finishesAt) return 'in_progress';
		return task.outcome;
	}

	progressOf(task: SimTask): number {
		const status = this.statusOf(task);
		if (status === 'completed') return 100;
		if (status === 'queued') return 0;
		if (status === 'failed') return 0;
		if (task.forced) return 50;
		const span = Math.max(0.001, task.finishesAt - task.startsAt);
		return Math.min(99, Math.max(1, Math.floor(((this.now() - task.startsAt) / span) * 100)));
	}

	async start(port = 0): Promise<string> {
		this.server = await this.listen(port, (req, res) => void this.handle(req, res));
		this.storage = await this.listen(0, (req, res) => this.serveStorage(req, res));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		this.storageUrl = `http://127.0.0.1:${(this.storage.address() as AddressInfo).port}`;
		return this.url;
	}

	private async listen(port: number, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
		const server = createServer(handler);
		server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
		return server;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		for (const server of [this.server, this.storage]) {
			await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
		}
	}

	/** The storage origin: serves content without a key, like a pre-signed bucket URL. */
	private serveStorage(req: IncomingMessage, res: ServerResponse): void {
		const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
		this.storageRequests.push({ method: req.method ?? 'GET', path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), headers: req.headers });
		const match = /^\/files\/([^/]+)\/(video|thumbnail|spritesheet)$/.exec(parsed.pathname);
		const task = match ? this.tasks.get(decodeURIComponent(match[1])) : undefined;
		if (!match || !task) return this.json(res, 404, { error: 'NoSuchKey' });
		const variant = match[2];
		const size = variant === 'video' ? task.contentBytes : 2048;
		res.writeHead(200, { 'Content-Type': 'binary/octet-stream', 'Content-Length': String(size) });
		this.stream(res, task, variant, size, 0, undefined);
	}

	/** The control surface used by e2e tests and the demo. */
	private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		const body = req.method === 'POST' ? await readJson(req) : {};
		if (this.lifecycleControl(req, res, path, body)) return;
		if (req.method === 'GET' && path === '/_sim/requests') return this.json(res, 200, this.requests);
		if (req.method === 'GET' && path === '/_sim/storage-requests') return this.json(res, 200, this.storageRequests);
		if (req.method === 'POST' && path === '/_sim/reset') {
			this.requests.length = 0;
			this.storageRequests.length = 0;
			return this.json(res, 200, { ok: true });
		}
		if (req.method === 'POST' && path === '/_sim/tasks') {
			const task = this.addTask(body as Partial<SimTask> & { id: string });
			return this.json(res, 200, task);
		}
		const status = /^\/_sim\/tasks\/([^/]+)\/status$/.exec(path);
		if (req.method === 'POST' && status && this.tasks.has(decodeURIComponent(status[1]))) {
			this.setStatus(decodeURIComponent(status[1]), (body as { status: SimStatus }).status);
			return this.json(res, 200, { ok: true });
		}
		if (req.method === 'POST' && path === '/_sim/gateway') {
			this.setGateway(body as GatewayBehaviour);
			return this.json(res, 200, this.gateway);
		}
		const faults = /^\/_sim\/tasks\/([^/]+)\/faults$/.exec(path);
		if (req.method === 'POST' && faults && this.tasks.has(decodeURIComponent(faults[1]))) {
			this.tasks.get(decodeURIComponent(faults[1]))?.faults.push(body as Fault);
			return this.json(res, 200, { ok: true });
		}
		return this.json(res, 404, { error: `no control route ${req.method} ${path}` });
	}

	// ---------------------------------------------------------------------------------------------

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
		const query = Object.fromEntries(parsed.searchParams);
		if (parsed.pathname.startsWith('/_sim/')) return this.control(req, res, parsed.pathname);
		const request: SimRequest = { method: req.method ?? 'GET', path: parsed.pathname, query, headers: req.headers };
		this.requests.push(request);
		this.onRequest?.(request);
		if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
		const match = /^\/(opeai|wisdomgate|ezmodel|voidai|newapi|openai)\/(v1|api)(\/.*)$/.exec(parsed.pathname);
		if (!match) return this.json(res, 404, { error: { message: `Invalid URL (${req.method} ${parsed.pathname})`, type: 'invalid_request_error' } });
		const dialect = match[1] as Dialect;
		const frontend = match[2] === 'api';
		const rest = match[3];
		if (!this.authorized(req, dialect, frontend)) return this.unauthorized(res, dialect);
		if (!frontend && (await this.lifecycleRoute(req, res, dialect, rest, parsed.pathname))) return;
		if (req.method !== 'GET') return this.json(res, 405, { error: { message: 'Method not allowed' } });
		if (rest === '/models' || (frontend && rest === '/user/self')) {
			return this.json(res, 200, rest === '/models' ? modelsAnswer() : { success: true, data: { id: 1 } });
		}
		if (rest === '/videos') return this.list(res, dialect, query);
		const content = /^\/videos\/([^/]+)\/content$/.exec(rest);
		if (content) return this.content(req, res, dialect, decodeURIComponent(content[1]), query);
		const status = /^\/videos\/([^/]+)$/.exec(rest);
		if (status) return this.status(res, dialect, decodeURIComponent(status[1]));
		return this.json(res, 404, { error: { message: `Invalid URL (GET ${parsed.pathname})`, type: 'invalid_request_error' } });
	}

	private authorized(req: IncomingMessage, dialect: Dialect, frontend: boolean): boolean {
		if (frontend) return dialect === 'opeai' && !!this.options.frontendToken && req.headers.token === this.options.frontendToken;
		const key = this.options.apiKey;
		if (dialect === 'openai' && req.headers['api-key'] === key) return true;
		return req.headers.authorization === `Bearer ${key}`;
	}

	private unauthorized(res: ServerResponse, dialect: Dialect): void {
		if (dialect === 'ezmodel') return this.json(res, 401, { error: { message: 'Invalid API key', code: 'unauthorized' } });
		if (dialect === 'newapi') return this.json(res, 401, { error: { message: '无效的令牌 (invalid token)', type: 'new_api_error' } });
		return this.json(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
	}

	/** Applies a pending fault; returns true when it answered the request. */
	private applyFault(res: ServerResponse, task: SimTask, forContent: boolean): Fault | undefined {
		const fault = task.faults[0];
		if (!fault) return undefined;
		if (fault.type === 'forbidden') {
			this.json(res, 403, { error: { message: 'You do not have access to this video', type: 'invalid_request_error', code: 'forbidden' } });
			return fault;
		}
		if (fault.type === 'rateLimit' || fault.type === 'unavailable') {
			fault.times--;
			if (fault.times <= 0) task.faults.shift();
			if (fault.type === 'rateLimit') {
				res.setHeader('Retry-After', String(fault.retryAfter));
				this.json(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } });
			} else {
				this.json(res, 503, { error: { message: 'Upstream service returned status 503', type: 'server_error' } });
			}
			return fault;
		}
		return forContent ? fault : undefined;
	}

	private taskObject(dialect: Dialect, task: SimTask): Record<string, unknown> {
		const status = this.statusOf(task);
		const progress = this.progressOf(task);
		const completedAt = status === 'completed' || status === 'failed' ? Math.floor(Math.max(task.finishesAt, task.createdAt)) : null;
		if (dialect === 'opeai') {
			const words: Record<SimStatus, string> = { queued: 'QUEUED', in_progress: 'IN_PROGRESS', completed: 'SUCCESS', failed: 'FAILURE' };
			// The documented object; on failure new-api's task table adds `fail_reason`.
			const base = { id: task.id, status: words[status], model: task.model, created_at: this.reportedCreatedAt(task), object: 'video', prompt: task.prompt, size: task.size };
			return status === 'failed' ? { ...base, fail_reason: task.failReason } : base;
		}
		if (dialect === 'newapi') {
			const words: Record<SimStatus, string> = { queued: 'queued', in_progress: 'processing', completed: 'succeeded', failed: 'failed' };
			return {
				task_id: task.id,
				status: words[status],
				progress: `${progress}%`,
				url: status === 'completed' ? `${this.url}/newapi/v1/videos/${task.id}/content` : '',
				format: 'mp4',
				fail_reason: status === 'failed' ? task.failReason : '',
				submit_time: this.reportedCreatedAt(task),
				finish_time: completedAt ?? 0,
				...(task.usage ? { usage: task.usage } : {}),
			};
		}
		return {
			id: task.id,
			object: 'video',
			model: task.model,
			status,
			progress,
			created_at: this.reportedCreatedAt(task),
			completed_at: completedAt,
			expires_at: task.expiresAt,
			size: task.size,
			seconds: task.seconds,
			prompt: task.prompt,
			remixed_from_video_id: task.remixedFromVideoId ?? null,
			error: status === 'failed' ? { code: 'video_generation_failed', message: task.failReason } : null,
			...(task.usage && dialect === 'openai' ? { usage: task.usage } : {}),
		};
	}

	private status(res: ServerResponse, dialect: Dialect, id: string): void {
		const task = this.tasks.get(id);
		if (this.gateway.rateLimitStatus) {
			res.setHeader('Retry-After', String(this.gateway.rateLimitStatus.retryAfter));
			return this.json(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } });
		}
		if (!task) return this.notFound(res, dialect, false);
		if (this.applyFault(res, task, false)) return;
		const body = this.taskObject(dialect, task);
		this.json(res, 200, dialect === 'newapi' ? { code: 'success', message: '', data: body } : body);
	}

	private list(res: ServerResponse, dialect: Dialect, query: Record<string, string>): void {
		if (dialect !== 'voidai' && dialect !== 'openai') {
			return this.json(res, 404, { error: { message: 'Invalid URL (GET /v1/videos)', type: 'invalid_request_error' } });
		}
		const hidden = new Set(this.gateway.hiddenFromList ?? []);
		const all = [...this.tasks.values()].filter((task) => !hidden.has(task.id)).sort(this.listComparator(query.order));
		let start = 0;
		if (query.after) {
			const index = all.findIndex((task) => task.id === query.after);
			start = index >= 0 ? index + 1 : all.length;
		}
		const limit = Math.min(100, Math.max(1, Number(query.limit ?? 20) || 20));
		const page = all.slice(start, start + limit);
		this.json(res, 200, {
			object: 'list',
			data: page.map((task) => this.taskObject(dialect, task)),
			first_id: page[0]?.id ?? null,
			last_id: page[page.length - 1]?.id ?? null,
			has_more: start + page.length < all.length,
		});
	}

	/** The list's order, as the gateway behaviour says. */
	private listComparator(requested: string | undefined): (a: SimTask, b: SimTask) => number {
		const mode = this.gateway.listOrder ?? 'honour';
		if (mode === 'ignore') {
			const hash = (id: string) => {
				let h = 2166136261;
				for (const char of id) h = Math.imul(h ^ char.charCodeAt(0), 16777619);
				// Mix, so IDs that differ in one character land far apart.
				h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
				h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
				return (h ^ (h >>> 16)) >>> 0;
			};
			return (a, b) => hash(a.id) - hash(b.id) || (a.id < b.id ? -1 : 1);
		}
		const direction = mode === 'asc' || requested === 'asc' ? 1 : -1;
		if (this.gateway.equalCreatedAt !== undefined) {
			// Equal timestamps: the database breaks ties by id, whatever the order asked for.
			return (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
		}
		return (a, b) => direction * (a.createdAt - b.createdAt);
	}

	private notFound(res: ServerResponse, dialect: Dialect, content: boolean): void {
		switch (dialect) {
			case 'opeai':
				return content
					? this.json(res, 404, { error: { message: 'task not found', type: 'not_found_error', param: null, code: 'task_not_found' } })
					: this.json(res, 404, { error: { message: 'video not found', type: 'NotFound', param: '', code: 'ResourceNotFound' } });
			case 'ezmodel':
				return this.json(res, 404, { error: { message: 'Video not found', code: 'video_not_found' } });
			case 'newapi':
				return this.json(res, 400, { code: 'task_not_exist', message: 'task_not_exist', data: null });
			default:
				return this.json(res, 404, { error: { message: 'Video not found', type: 'invalid_request_error', param: null, code: null } });
		}
	}

	private notReady(res: ServerResponse, dialect: Dialect, task: SimTask): void {
		const status = this.statusOf(task);
		switch (dialect) {
			case 'opeai':
				return this.json(res, 400, { error: { message: 'task not ready', type: 'invalid_request_error', param: null, code: 'task_not_ready' } });
			case 'ezmodel':
				return this.json(res, 404, { error: { message: 'Video not ready', code: 'video_not_ready' } });
			case 'wisdomgate':
				// Wisdom Gate answers 202 while queued, and 200 with a JSON error while processing.
				if (status === 'queued') {
					res.writeHead(202, { 'Content-Type': 'application/json' });
					res.end(JSON.stringify({ message: 'Video generation still in progress' }));
					return;
				}
				return this.json(res, 200, {
					message: 'Video generation still in progress',
					data: { error: { message: 'Video generation is still in progress. Please check the status endpoint.', type: 'video_not_ready', code: 'video_processing', param: null } },
				});
			case 'newapi':
				return this.json(res, 400, { error: { message: `Task is not completed yet, current status: ${status.toUpperCase()}`, type: 'invalid_request_error' } });
			default:
				return this.json(res, 400, { error: { message: `Video is not ready yet, status: ${status}`, type: 'invalid_request_error', param: null, code: 'video_not_ready' } });
		}
	}

	private content(req: IncomingMessage, res: ServerResponse, dialect: Dialect, id: string, query: Record<string, string>): void {
		const task = this.tasks.get(id);
		if (!task) return this.notFound(res, dialect, true);
		const fault = this.applyFault(res, task, true);
		if (fault && (fault.type === 'rateLimit' || fault.type === 'unavailable' || fault.type === 'forbidden')) return;
		if (this.statusOf(task) !== 'completed') return this.notReady(res, dialect, task);
		if (task.expiresAt !== null && this.now() >= task.expiresAt) {
			if (dialect === 'ezmodel') return this.json(res, 404, { error: { message: 'Video has expired', code: 'video_expired' } });
			return this.notFound(res, dialect, true);
		}
		const variant = query.variant ?? 'video';
		const supportsVariants = dialect === 'voidai' || dialect === 'openai';
		if (variant !== 'video' && !supportsVariants) return this.json(res, 400, { error: { message: `unsupported variant ${variant}` } });
		if (!(variant in MIME)) return this.json(res, 400, { error: { message: `invalid variant ${variant}`, code: 'invalid_value' } });
		if (fault?.type === 'webPage' || fault?.type === 'textBody') {
			fault.times--;
			if (fault.times <= 0) task.faults.shift();
			const text = fault.type === 'webPage' ? webPageBody(fault.start) : fault.text;
			const headers: Record<string, string> = { 'Content-Length': String(Buffer.byteLength(text)) };
			if (fault.contentType !== null) headers['Content-Type'] = fault.contentType;
			res.writeHead(200, headers);
			res.end(text);
			return;
		}
		if (fault?.type === 'redirect' || fault?.type === 'redirectToStorage') {
			const location = fault.type === 'redirect' ? fault.location : `${this.storageUrl}/files/${encodeURIComponent(task.id)}/${variant}`;
			res.writeHead(302, { Location: location });
			res.end();
			return;
		}
		const size = variant === 'video' ? task.contentBytes : 2048;
		const headers: Record<string, string> = { 'Cache-Control': 'public, max-age=86400' };
		if (dialect === 'newapi') {
			// new-api proxies the storage bucket's headers verbatim: generic type, chunked, the bucket's ETag.
			headers['Content-Type'] = 'binary/octet-stream';
			headers.ETag = `"${task.id}-${variant}-${size}"`;
		} else {
			headers['Content-Type'] = MIME[variant];
			headers['Content-Length'] = String(size);
		}
		if (dialect === 'ezmodel') headers['Content-Disposition'] = 'attachment; filename="video.mp4"';
		const ranges = !task.faults.some((entry) => entry.type === 'noRanges');
		if (ranges) headers['Accept-Ranges'] = 'bytes';
		let start = 0;
		const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
		if (ranges && range && Number(range[1]) < size) {
			start = Number(range[1]);
			headers['Content-Range'] = `bytes ${start}-${size - 1}/${size}`;
			if (headers['Content-Length']) headers['Content-Length'] = String(size - start);
			res.writeHead(206, headers);
		} else {
			res.writeHead(200, headers);
		}
		const slow = this.gateway.slowContent;
		this.stream(res, task, variant, size, start, fault ?? (slow ? { type: 'slow', bytesPerSecond: slow.bytesPerSecond } : undefined));
	}

	/** Streams the content in chunks, honouring backpressure, cut, stall and slow faults. */
	private stream(res: ServerResponse, task: SimTask, variant: string, size: number, start: number, fault: Fault | undefined): void {
		let offset = start;
		let stopAt = size;
		if (fault?.type === 'cut' || fault?.type === 'stall') {
			stopAt = Math.min(size, start + fault.bytes);
			fault.times--;
			if (fault.times <= 0) task.faults.shift();
		}
		const chunkSize = fault?.type === 'slow' ? Math.max(1, Math.floor(fault.bytesPerSecond / 10)) : BLOCK;
		const delay = fault?.type === 'slow' ? 100 : 0;
		const writeMore = (): void => {
			// The client went away (a download aborted mid-body): stop sending.
			if (res.destroyed) return;
			while (offset < stopAt) {
				const length = Math.min(chunkSize, BLOCK, stopAt - offset);
				const ok = res.write(contentSlice(task.id, variant, offset, length));
				offset += length;
				if (delay) {
					setTimeout(writeMore, delay);
					return;
				}
				if (!ok) {
					res.once('drain', writeMore);
					return;
				}
			}
			if (stopAt < size) {
				// A stall keeps the socket open and silent; a cut drops it.
				if (fault?.type === 'cut') res.socket?.destroy();
				return;
			}
			res.end();
		};
		writeMore();
	}

	private json(res: ServerResponse, code: number, body: unknown): void {
		const text = JSON.stringify(body);
		res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
		res.end(text);
	}

	// ---------------------------------------------------------------------------------------------
	// Create, remix, delete. POST /videos (multipart, JSON or urlencoded), POST /videos/<id>/remix,
	// DELETE /videos/<id> (not on new-api). Created tasks run on the clock (createSettings); every create and
	// remix is journaled (createJournal). Control: GET /_sim/creates (the journal), POST /_sim/creates/settings
	// {durationMs, queuedMs, outcome, failReason, contentBytes}, POST /_sim/creates/reject {kind, times?},
	// POST /_sim/creates/fault {type: 'hang'|'reset', times?}; POST /_sim/reset also clears the journal and
	// the pending rejections and faults.

	/** Every create and remix request, in arrival order. */
	readonly createJournal: CreateRecord[] = [];
	/** How created tasks run; tests may change it directly or through the control API. */
	createSettings: CreateSettings = { ...DEFAULT_CREATE_SETTINGS };
	private readonly createRejections: CreateRejection[] = [];
	private readonly createFaults: CreateFault[] = [];

	/** The next `times` creates (and remixes) are rejected as `kind`. */
	rejectNextCreates(kind: CreateRejection, times = 1): void {
		for (let i = 0; i < times; i++) this.createRejections.push(kind);
	}

	/** The next `times` creates (and remixes) create their task, then never answer (`hang`) or drop the connection (`reset`). */
	faultNextCreates(type: CreateFault, times = 1): void {
		for (let i = 0; i < times; i++) this.createFaults.push(type);
	}

	/** Merges create settings. */
	setCreateSettings(settings: Partial<CreateSettings>): void {
		this.createSettings = { ...this.createSettings, ...settings };
	}

	/** Handles create, remix and delete; false when the request is none of them. */
	private async lifecycleRoute(req: IncomingMessage, res: ServerResponse, dialect: Dialect, rest: string, path: string): Promise<boolean> {
		const derived = DERIVED_ROUTES[rest];
		const character = /^\/videos\/characters\/([^/]+)$/.exec(rest);
		if ((req.method === 'POST' && derived) || (req.method === 'GET' && character)) {
			// Only the OpenAI dialect (OpenAI's document; LiteLLM's proxy) serves these; the named gateways' routers know no such path.
			if (!DERIVED_DIALECTS.has(dialect)) {
				await drain(req);
				const answer = noRouteAnswer(req.method, path);
				this.json(res, answer.status, answer.body);
				return true;
			}
			if (character) this.readCharacter(res, decodeURIComponent(character[1]));
			else if (derived === 'character') await this.createCharacter(req, res, dialect, path);
			else if (derived === 'edit') await this.edit(req, res, dialect, path);
			return true;
		}
		if (req.method === 'POST' && rest === '/videos') {
			await this.createOrRemix(req, res, dialect, path, undefined);
			return true;
		}
		// OpenAI's extensions route, as LiteLLM serves it (the "openai" dialect); new-api and the named gateways have none.
		if (req.method === 'POST' && rest === '/videos/extensions') {
			if (dialect !== 'openai') {
				await drain(req);
				const answer = noRouteAnswer('POST', path);
				this.json(res, answer.status, answer.body);
				return true;
			}
			await this.createOrRemix(req, res, dialect, path, undefined, 'extend');
			return true;
		}
		const remix = /^\/videos\/([^/]+)\/remix$/.exec(rest);
		if (req.method === 'POST' && remix) {
			await this.createOrRemix(req, res, dialect, path, decodeURIComponent(remix[1]));
			return true;
		}
		const remove = /^\/videos\/([^/]+)$/.exec(rest);
		if (req.method === 'DELETE' && remove) {
			await drain(req);
			this.deleteTask(res, dialect, decodeURIComponent(remove[1]), path);
			return true;
		}
		return false;
	}

	private async createOrRemix(req: IncomingMessage, res: ServerResponse, dialect: Dialect, path: string, pathSourceId: string | undefined, kind: CreateRecord['kind'] = pathSourceId === undefined ? 'create' : 'remix'): Promise<void> {
		const at = Date.now();
		const body = await readCreateBody(req);
		// An extension names its source in the body: {"video": {"id": ...}}.
		const named = body.fields.video;
		const bodySourceId = kind === 'extend' && named !== null && typeof named === 'object' && typeof (named as { id?: unknown }).id === 'string' ? (named as { id: string }).id : undefined;
		const sourceId = kind === 'extend' ? (bodySourceId ?? '') : pathSourceId;
		const record: CreateRecord = {
			kind,
			at,
			method: req.method ?? 'POST',
			path,
			dialect,
			contentType: req.headers['content-type'] ?? null,
			bodyType: body.bodyType,
			fields: body.fields,
			files: body.files,
			inputReference: body.files.find((file) => file.field === 'input_reference') ?? null,
			...(sourceId === undefined ? {} : { sourceId }),
			outcome: 'invalid',
			httpStatus: null,
			taskId: null,
			...(body.error ? { bodyError: body.error } : {}),
		};
		this.createJournal.push(record);
		const answer = (status: number, payload: unknown, outcome: CreateRecord['outcome']): void => {
			record.httpStatus = status;
			record.outcome = outcome;
			this.json(res, status, payload);
		};
		if (body.error) return answer(400, { error: { message: `Could not parse the request body: ${body.error}`, type: 'invalid_request_error', param: null, code: 'invalid_request' } }, 'invalid');
		if (body.bodyType === 'unsupported' || body.bodyType === 'none') {
			return answer(400, { error: { message: `Unsupported content type: '${record.contentType ?? ''}'. Send multipart/form-data or application/json.`, type: 'invalid_request_error', param: null, code: 'unsupported_content_type' } }, 'invalid');
		}
		const source = sourceId === undefined ? undefined : this.tasks.get(sourceId);
		if (sourceId !== undefined && !source) {
			record.outcome = 'invalid';
			record.httpStatus = dialect === 'newapi' ? 400 : 404;
			return this.notFound(res, dialect, false);
		}
		const rejection = this.createRejections.shift();
		if (rejection) {
			record.rejection = rejection;
			const rejected = rejectionAnswer(dialect, rejection, body.fields);
			return answer(rejected.status, rejected.body, 'rejected');
		}
		const invalid = validateCreate(dialect, body.fields, source !== undefined);
		if (invalid) return answer(invalid.status, invalid.body, 'invalid');
		if (source && this.statusOf(source) !== 'completed') {
			return answer(400, { error: { message: `Video ${source.id} is not completed yet (status: ${this.statusOf(source)}); only completed videos can be ${kind === 'extend' ? 'extended' : 'remixed'}.`, type: 'invalid_request_error', param: null, code: 'invalid_request' } }, 'invalid');
		}
		const task = this.createTask(dialect, body.fields, source, kind);
		record.taskId = task.id;
		const fault = this.createFaults.shift();
		if (fault) {
			record.fault = fault;
			record.outcome = 'fault';
			// The task exists and runs; only the answer is lost.
			if (fault === 'reset') res.socket?.destroy();
			return;
		}
		const object = this.taskObject(dialect, task);
		answer(200, dialect === 'newapi' ? { code: 'success', message: '', data: object } : object, 'created');
	}

	private createTask(dialect: Dialect, fields: Record<string, unknown>, source: SimTask | undefined, kind: CreateRecord['kind']): SimTask {
		const settings = this.createSettings;
		const now = this.now();
		const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);
		return this.addTask({
			id: newTaskId(dialect),
			model: source?.model ?? text(fields.model) ?? 'sora-2',
			size: source?.size ?? text(fields.size) ?? '720x1280',
			// An extension is its source plus the added segment.
			seconds: kind === 'extend' && source ? String(Number(source.seconds) + Number(text(fields.seconds) ?? '4')) : (source?.seconds ?? text(fields.seconds) ?? '4'),
			prompt: String(fields.prompt),
			startsAt: now + Math.min(settings.queuedMs, settings.durationMs) / 1000,
			finishesAt: now + settings.durationMs / 1000,
			outcome: settings.outcome,
			failReason: settings.failReason,
			contentBytes: settings.contentBytes,
			...(source && kind === 'remix' ? { remixedFromVideoId: source.id } : {}),
		});
	}

	/** Characters made by `POST /videos/characters`. */
	readonly characters = new Map<string, { id: string; name: string; created_at: number }>();

	/** A journal record for a request of `kind`, its answer function, and the body read. */
	private async journalled(req: IncomingMessage, res: ServerResponse, dialect: Dialect, path: string, kind: CreateRecord['kind']) {
		const body = await readCreateBody(req);
		const record: CreateRecord = {
			kind,
			at: Date.now(),
			method: req.method ?? 'POST',
			path,
			dialect,
			contentType: req.headers['content-type'] ?? null,
			bodyType: body.bodyType,
			fields: body.fields,
			files: body.files,
			inputReference: body.files.find((file) => file.field === 'input_reference') ?? null,
			outcome: 'invalid',
			httpStatus: null,
			taskId: null,
			...(body.error ? { bodyError: body.error } : {}),
		};
		this.createJournal.push(record);
		const answer = (status: number, payload: unknown, outcome: CreateRecord['outcome']): void => {
			record.httpStatus = status;
			record.outcome = outcome;
			this.json(res, status, payload);
		};
		const unreadable = body.error
			? { error: { message: `Could not parse the request body: ${body.error}`, type: 'invalid_request_error', param: null, code: 'invalid_request' } }
			: body.bodyType === 'unsupported' || body.bodyType === 'none'
				? { error: { message: `Unsupported content type: '${record.contentType ?? ''}'. Send multipart/form-data or application/json.`, type: 'invalid_request_error', param: null, code: 'unsupported_content_type' } }
				: null;
		return { body, record, answer, unreadable };
	}

	/** The pending create fault, if any: the work is done, only the answer is lost. True when it took the answer. */
	private faulted(res: ServerResponse, record: CreateRecord): boolean {
		const fault = this.createFaults.shift();
		if (!fault) return false;
		record.fault = fault;
		record.outcome = 'fault';
		if (fault === 'reset') res.socket?.destroy();
		return true;
	}

	/** `POST /videos/edits`: a new task from a completed one (`video: {id}`) or from an uploaded `video` file. */
	private async edit(req: IncomingMessage, res: ServerResponse, dialect: Dialect, path: string): Promise<void> {
		const { body, record, answer, unreadable } = await this.journalled(req, res, dialect, path, 'edit');
		if (unreadable) return answer(400, unreadable, 'invalid');
		const fields = body.fields;
		if (typeof fields.prompt !== 'string' || fields.prompt.trim() === '') return answer(400, missingParameter('prompt').body, 'invalid');
		const uploaded = body.files.find((file) => file.field === 'video');
		const sourceId = uploaded ? undefined : sourceVideoId(fields);
		if (!uploaded && sourceId === undefined) return answer(400, missingParameter('video').body, 'invalid');
		const source = sourceId === undefined ? undefined : this.tasks.get(sourceId);
		if (sourceId !== undefined) {
			record.sourceId = sourceId;
			if (!source) {
				record.httpStatus = 404;
				return this.notFound(res, dialect, false);
			}
			if (this.statusOf(source) !== 'completed') {
				return answer(400, { error: { message: `Video ${source.id} is not completed yet (status: ${this.statusOf(source)}).`, type: 'invalid_request_error', param: 'video', code: 'invalid_request' } }, 'invalid');
			}
		}
		const rejection = this.createRejections.shift();
		if (rejection) {
			record.rejection = rejection;
			const rejected = rejectionAnswer(dialect, rejection, fields);
			return answer(rejected.status, rejected.body, 'rejected');
		}
		const settings = this.createSettings;
		const now = this.now();
		const task = this.addTask({
			id: newTaskId(dialect),
			model: source?.model ?? 'sora-2',
			size: source?.size ?? '720x1280',
			seconds: source?.seconds ?? '4',
			prompt: String(fields.prompt),
			startsAt: now + Math.min(settings.queuedMs, settings.durationMs) / 1000,
			finishesAt: now + settings.durationMs / 1000,
			outcome: settings.outcome,
			failReason: settings.failReason,
			contentBytes: settings.contentBytes,
		});
		record.taskId = task.id;
		if (this.faulted(res, record)) return;
		answer(200, this.taskObject(dialect, task), 'created');
	}

	/** `POST /videos/characters`: multipart `video` (a file) and `name` (1 to 80 characters). */
	private async createCharacter(req: IncomingMessage, res: ServerResponse, dialect: Dialect, path: string): Promise<void> {
		const { body, record, answer, unreadable } = await this.journalled(req, res, dialect, path, 'character');
		if (unreadable) return answer(400, unreadable, 'invalid');
		if (body.bodyType !== 'multipart') {
			return answer(400, { error: { message: 'Send the character as multipart/form-data with a video file and a name.', type: 'invalid_request_error', param: null, code: 'unsupported_content_type' } }, 'invalid');
		}
		const name = body.fields.name;
		if (typeof name !== 'string' || name.trim() === '') return answer(400, missingParameter('name').body, 'invalid');
		if ([...name].length > 80) {
			return answer(400, { error: { message: `Invalid 'name': string too long. Expected a string with maximum length 80, but got a string with length ${[...name].length} instead.`, type: 'invalid_request_error', param: 'name', code: 'string_above_max_length' } }, 'invalid');
		}
		if (!body.files.some((file) => file.field === 'video')) return answer(400, missingParameter('video').body, 'invalid');
		const character = { id: newCharacterId(), name, created_at: Math.floor(this.now()) };
		this.characters.set(character.id, character);
		record.taskId = character.id;
		if (this.faulted(res, record)) return;
		answer(200, character, 'created');
	}

	private readCharacter(res: ServerResponse, id: string): void {
		const character = this.characters.get(id);
		if (!character) return this.json(res, 404, { error: { message: `Character ${id} not found`, type: 'invalid_request_error', param: 'character_id', code: null } });
		this.json(res, 200, character);
	}

	private deleteTask(res: ServerResponse, dialect: Dialect, id: string, path: string): void {
		if (dialect === 'newapi') {
			const answer = noRouteAnswer('DELETE', path);
			return this.json(res, answer.status, answer.body);
		}
		if (!this.tasks.has(id)) return this.notFound(res, dialect, false);
		this.tasks.delete(id);
		this.json(res, 200, { id, object: 'video.deleted', deleted: true });
	}

	/** The control routes of this section; false when the request is none of them. */
	private lifecycleControl(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): boolean {
		const input = (body ?? {}) as Record<string, unknown>;
		if (req.method === 'GET' && path === '/_sim/creates') {
			this.json(res, 200, this.createJournal);
			return true;
		}
		if (req.method === 'POST' && path === '/_sim/reset') {
			// The common reset answers; this only adds what it clears.
			this.createJournal.length = 0;
			this.createRejections.length = 0;
			this.createFaults.length = 0;
			return false;
		}
		if (req.method === 'POST' && path === '/_sim/creates/settings') {
			this.setCreateSettings(input as Partial<CreateSettings>);
			this.json(res, 200, this.createSettings);
			return true;
		}
		const times = typeof input.times === 'number' && input.times > 0 ? Math.floor(input.times) : 1;
		if (req.method === 'POST' && path === '/_sim/creates/reject') {
			if (!CREATE_REJECTIONS.includes(input.kind as CreateRejection)) {
				this.json(res, 400, { error: `kind must be one of ${CREATE_REJECTIONS.join(', ')}` });
				return true;
			}
			this.rejectNextCreates(input.kind as CreateRejection, times);
			this.json(res, 200, { ok: true, pending: this.createRejections });
			return true;
		}
		if (req.method === 'POST' && path === '/_sim/creates/fault') {
			if (input.type !== 'hang' && input.type !== 'reset') {
				this.json(res, 400, { error: "type must be 'hang' or 'reset'" });
				return true;
			}
			this.faultNextCreates(input.type, times);
			this.json(res, 200, { ok: true, pending: this.createFaults });
			return true;
		}
		return false;
	}
}
