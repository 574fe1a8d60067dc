/**
 * What the provider simulator needs to create, remix and delete tasks: reading a create request (multipart,
 * streamed; JSON; or a urlencoded form), the journal it keeps of them, the models it offers, and the errors
 * gateways send to a create, each in its dialect. The routes themselves are in simulator.ts ("Create, remix,
 * delete"). Dev tool only (tests, e2e, demo); never shipped in dist.
 */
import { createHash, randomBytes } from 'crypto';
import type { IncomingMessage } from 'http';

import { boundaryOf, readMultipart } from './multipart';
import type { Dialect } from './dialects';

/** Answers a gateway gives instead of creating a task. */
export type CreateRejection = 'moderation' | 'quota' | 'badSize' | 'unknownModel';

export const CREATE_REJECTIONS: CreateRejection[] = ['moderation', 'quota', 'badSize', 'unknownModel'];

/**
 * A create that reached the provider (the task exists and runs) but whose answer never comes back:
 * `hang` keeps the connection open and silent, `reset` drops it right after the body was read.
 */
export type CreateFault = 'hang' | 'reset';

export interface CreateSettings {
	/** From the create to the task's end (completed or failed), in ms. */
	durationMs: number;
	/** How long a created task stays queued before it runs, in ms (at most durationMs). */
	queuedMs: number;
	/** How created tasks end. */
	outcome: 'completed' | 'failed';
	/** The failure message of a task that ends `failed`. */
	failReason: string;
	/** The size of a created task's video, in bytes. */
	contentBytes: number;
}

export const DEFAULT_CREATE_SETTINGS: CreateSettings = {
	durationMs: 4000,
	queuedMs: 1000,
	outcome: 'completed',
	failReason: 'The video could not be generated: content policy violation',
	contentBytes: 512 * 1024 + 7,
};

/** A file part of a create request, as the simulator received it. */
export interface ReceivedFile {
	field: string;
	filename: string | null;
	/** The part's own Content-Type header, or null. */
	contentType: string | null;
	bytes: number;
	sha256: string;
	/** The first 16 bytes, in hex (magic numbers). */
	head: string;
}

/** One create or remix request, in the journal (`GET /_sim/creates`). */
export interface CreateRecord {
	kind: 'create' | 'remix' | 'extend' | 'edit' | 'character';
	/** When it arrived, ms since epoch. */
	at: number;
	method: string;
	path: string;
	dialect: Dialect;
	/** The request's Content-Type header, as sent. */
	contentType: string | null;
	/** How the body was read. */
	bodyType: 'multipart' | 'json' | 'urlencoded' | 'none' | 'unsupported';
	/** Form fields (strings), or a JSON body's values as sent. */
	fields: Record<string, unknown>;
	/** Every file part, in order. */
	files: ReceivedFile[];
	/** The `input_reference` file part, if there was one. */
	inputReference: ReceivedFile | null;
	/** For a remix, an extension or an edit by ID: the task it starts from. */
	sourceId?: string;
	/** What the simulator did: created the task (and answered), rejected or refused it, or created it and then faulted. */
	outcome: 'created' | 'rejected' | 'invalid' | 'fault';
	/** The HTTP status answered (null when a fault sent no answer). */
	httpStatus: number | null;
	/** The task created, if any (also for a fault: the task exists). */
	taskId: string | null;
	rejection?: CreateRejection;
	fault?: CreateFault;
	/** Why the body could not be read, if it could not. */
	bodyError?: string;
}

export interface ReadBody {
	bodyType: CreateRecord['bodyType'];
	fields: Record<string, unknown>;
	files: ReceivedFile[];
	error?: string;
}

const MAX_FIELD_BYTES = 1024 * 1024;
const MAX_JSON_BYTES = 4 * 1024 * 1024;

async function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		// Keep reading (so the client can finish sending), but stop keeping.
		if (size <= limit) chunks.push(chunk as Buffer);
	}
	if (size > limit) throw new Error(`body over ${limit} bytes`);
	return Buffer.concat(chunks);
}

/** Drains what is left of a request body, so an answer can be read by a client still sending. */
export async function drain(req: IncomingMessage): Promise<void> {
	if (req.readableEnded) return;
	for await (const chunk of req) void chunk;
}

/** Reads a create (or remix) body: multipart streamed part by part, JSON, or a urlencoded form. */
export async function readCreateBody(req: IncomingMessage): Promise<ReadBody> {
	const contentType = req.headers['content-type'];
	const boundary = boundaryOf(contentType);
	const fields: Record<string, unknown> = {};
	const files: ReceivedFile[] = [];
	try {
		if (boundary) {
			await readMultipart(req, boundary, (headers) => {
				if (headers.filename !== null) {
					const hash = createHash('sha256');
					let bytes = 0;
					const head: Buffer[] = [];
					let headBytes = 0;
					return {
						data(chunk) {
							hash.update(chunk);
							bytes += chunk.length;
							if (headBytes < 16) {
								head.push(Buffer.from(chunk.subarray(0, 16 - headBytes)));
								headBytes += Math.min(chunk.length, 16 - headBytes);
							}
						},
						end() {
							files.push({ field: headers.name, filename: headers.filename, contentType: headers.contentType, bytes, sha256: hash.digest('hex'), head: Buffer.concat(head).toString('hex') });
						},
					};
				}
				const chunks: Buffer[] = [];
				let size = 0;
				return {
					data(chunk) {
						size += chunk.length;
						if (size > MAX_FIELD_BYTES) throw new Error(`field ${headers.name} over ${MAX_FIELD_BYTES} bytes`);
						chunks.push(Buffer.from(chunk));
					},
					end() {
						fields[headers.name] = Buffer.concat(chunks).toString('utf8');
					},
				};
			});
			return { bodyType: 'multipart', fields, files };
		}
		const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
		if (type === 'application/json' || type.endsWith('+json')) {
			const text = (await readAll(req, MAX_JSON_BYTES)).toString('utf8');
			const parsed = text.trim() ? (JSON.parse(text) as unknown) : {};
			if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the JSON body is not an object');
			return { bodyType: 'json', fields: parsed as Record<string, unknown>, files };
		}
		if (type === 'application/x-www-form-urlencoded') {
			const text = (await readAll(req, MAX_JSON_BYTES)).toString('utf8');
			for (const [key, value] of new URLSearchParams(text)) fields[key] = value;
			return { bodyType: 'urlencoded', fields, files };
		}
		const rest = await readAll(req, MAX_JSON_BYTES).catch(() => Buffer.alloc(0));
		return { bodyType: rest.length === 0 && !contentType ? 'none' : 'unsupported', fields, files };
	} catch (error) {
		await drain(req).catch(() => undefined);
		return { bodyType: boundary ? 'multipart' : 'json', fields, files, error: (error as Error).message };
	}
}

/** The models `GET /models` lists; the video ones can be created. */
export const MODELS: Array<{ id: string; owned_by: string; video: boolean }> = [
	{ id: 'sora-2', owned_by: 'openai', video: true },
	{ id: 'sora-2-pro', owned_by: 'openai', video: true },
	{ id: 'sora-2-2025-10-06', owned_by: 'openai', video: true },
	{ id: 'sora-2-pro-2025-10-06', owned_by: 'openai', video: true },
	{ id: 'veo-3', owned_by: 'google', video: true },
	{ id: 'veo-3-fast', owned_by: 'google', video: true },
	{ id: 'kling-v2-1', owned_by: 'kling', video: true },
	{ id: 'gpt-4o', owned_by: 'openai', video: false },
	{ id: 'gpt-image-1', owned_by: 'openai', video: false },
	{ id: 'whisper-1', owned_by: 'openai', video: false },
];

export function modelsAnswer(): object {
	return { object: 'list', data: MODELS.map((model) => ({ id: model.id, object: 'model', created: 1_759_708_800, owned_by: model.owned_by })) };
}

/** A new task ID as the dialect's gateway makes them: new-api's public `task_...`, else OpenAI's `video_...`. */
export function newTaskId(dialect: Dialect): string {
	if (dialect === 'newapi') return `task_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x').slice(0, 24)}`;
	return `video_${randomBytes(16).toString('hex')}`;
}

export const SUPPORTED_SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'];

export interface Answer {
	status: number;
	body: object;
}

function openAiError(status: number, message: string, type: string, param: string | null, code: string | null): Answer {
	return { status, body: { error: { message, type, param, code } } };
}

/** What the gateway of `dialect` answers to a create it rejects for `kind`. */
export function rejectionAnswer(dialect: Dialect, kind: CreateRejection, fields: Record<string, unknown>): Answer {
	const model = typeof fields.model === 'string' && fields.model ? fields.model : 'sora-2';
	switch (kind) {
		case 'moderation':
			return openAiError(400, 'Your request was blocked by our moderation system.', 'invalid_request_error', null, 'moderation_blocked');
		case 'quota':
			// OpenAI itself says 429 insufficient_quota; the new-api-based gateways say 403.
			if (dialect === 'openai') return openAiError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', null, 'insufficient_quota');
			return { status: 403, body: { error: { message: 'user quota is not enough', type: 'new_api_error', code: 'insufficient_user_quota' } } };
		case 'badSize': {
			const size = typeof fields.size === 'string' ? fields.size : '999x999';
			const supported = `${SUPPORTED_SIZES.slice(0, -1).map((value) => `'${value}'`).join(', ')}, and '${SUPPORTED_SIZES[SUPPORTED_SIZES.length - 1]}'`;
			return openAiError(400, `Invalid value: '${size}'. Supported values are: ${supported}.`, 'invalid_request_error', 'size', 'invalid_value');
		}
		case 'unknownModel':
			if (dialect === 'newapi') return { status: 503, body: { error: { message: `No available channel for model ${model} under group default`, type: 'new_api_error' } } };
			return openAiError(dialect === 'openai' || dialect === 'voidai' ? 404 : 400, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
	}
}

/** A create's own mistakes, as a gateway checks them (prompt, model, size and seconds); null when it is fine. */
export function validateCreate(dialect: Dialect, fields: Record<string, unknown>, remix: boolean): Answer | null {
	const prompt = fields.prompt;
	if (typeof prompt !== 'string' || prompt.trim() === '') {
		return openAiError(400, "Missing required parameter: 'prompt'.", 'invalid_request_error', 'prompt', 'missing_required_parameter');
	}
	if (remix) return null;
	if (fields.model !== undefined && (typeof fields.model !== 'string' || !MODELS.some((model) => model.video && model.id === fields.model))) {
		return rejectionAnswer(dialect, 'unknownModel', fields);
	}
	// Gateways take sizes outside OpenAI's list (VoidAI: 1920x1080); a size that is not WIDTHxHEIGHT is refused.
	if (fields.size !== undefined && (typeof fields.size !== 'string' || !/^[1-9]\d{1,4}x[1-9]\d{1,4}$/.test(fields.size))) {
		return rejectionAnswer(dialect, 'badSize', fields);
	}
	const seconds = fields.seconds;
	if (seconds !== undefined && !((typeof seconds === 'string' && /^[1-9]\d{0,2}$/.test(seconds)) || (typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 && seconds < 1000))) {
		return openAiError(400, `Invalid value: '${String(seconds)}'. Supported values are: '4', '8', and '12'.`, 'invalid_request_error', 'seconds', 'invalid_value');
	}
	return null;
}

/** new-api has no delete route: its router answers like any unknown path. */
export function noRouteAnswer(method: string, path: string): Answer {
	return openAiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error', null, null);
}

/** A new character ID, as OpenAI makes them (`char_...`). */
export function newCharacterId(): string {
	return `char_${randomBytes(12).toString('hex')}`;
}

/** The source video an extension or an edit names: `video: {id}` (JSON, or JSON text in a form field). */
export function sourceVideoId(fields: Record<string, unknown>): string | undefined {
	let video = fields.video;
	if (typeof video === 'string' && video.trim().startsWith('{')) {
		try {
			video = JSON.parse(video) as unknown;
		} catch {
			return undefined;
		}
	}
	if (video !== null && typeof video === 'object' && typeof (video as { id?: unknown }).id === 'string') return (video as { id: string }).id;
	return undefined;
}

/** A missing required field, as OpenAI words it. */
export function missingParameter(name: string): Answer {
	return openAiError(400, `Missing required parameter: '${name}'.`, 'invalid_request_error', name, 'missing_required_parameter');
}
