/** Creating, remixing, extending and deleting tasks: the writes of the video API. */
import type { IDataObject, NodeOperationError } from 'n8n-workflow';

import type { Capability } from '../SoraVideo/operations/routes';
import { ROUTES } from '../SoraVideo/operations/routes';
import type { NormalizedTask, ProviderProblem } from './dialect';
import { hasTaskId, isJsonObject, normalizeTask, toIsoTime } from './dialect';
import type { FilePart } from './multipart';
import { multipartBody } from './multipart';
import { characterWithoutIdError, createWithoutIdError, unsupportedOperationError } from './problems';
import type { OutgoingBody, VideoApiClient } from './transport';
import { BODY_LIMITS, taskPath } from './transport';

export interface CreateRequest {
	model: string;
	prompt: string;
	seconds?: string;
	size?: string;
	/** An image from the input item, sent as the `input_reference` file of a multipart form. */
	referenceImage?: FilePart;
	/** An image by URL: the request goes as JSON with `input_reference: {image_url}`. */
	referenceImageUrl?: string;
	/** Gateway- and vendor-specific fields merged into the request (e.g. new-api's `metadata`). */
	extraFields?: IDataObject;
}

export interface CreatedTask {
	task: NormalizedTask;
	raw: unknown;
}

/** Where to look when a create's answer was lost, said in the error. */
function findHow(client: VideoApiClient): string {
	return client.provider.supportsList
		? 'run this node\'s List operation (newest first) or look in the provider\'s dashboard'
		: 'look in the provider\'s dashboard or usage log (this provider has no list endpoint)';
}

/** A form field's text: objects (new-api's `metadata`) go as JSON, as gateways expect in a form. */
function formValue(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

export function createBody(request: CreateRequest): () => Promise<OutgoingBody> {
	const fields: IDataObject = { model: request.model, prompt: request.prompt };
	if (request.seconds) fields.seconds = request.seconds;
	if (request.size) fields.size = request.size;
	Object.assign(fields, request.extraFields ?? {});
	if (request.referenceImageUrl) {
		const json = JSON.stringify({ ...fields, input_reference: { image_url: request.referenceImageUrl } });
		return async () => ({ data: json, contentType: 'application/json', length: Buffer.byteLength(json) });
	}
	const entries = Object.entries(fields)
		.filter(([, value]) => value !== undefined && value !== null)
		.map(([name, value]): [string, string] => [name, formValue(value)]);
	return multipartBody(entries, request.referenceImage ? [request.referenceImage] : []);
}

function taskFrom(client: VideoApiClient, body: unknown, action: string): CreatedTask {
	if (!hasTaskId(body)) throw createWithoutIdError(client.problemContext(action), findHow(client));
	return { task: normalizeTask(body, { provider: client.provider.id }), raw: body };
}

/** `POST /videos`: sent once; never again once it may have reached the provider (it may be a paid task). */
export async function createTask(client: VideoApiClient, request: CreateRequest): Promise<CreatedTask> {
	const action = 'create';
	const result = await client.submit({
		method: 'POST',
		path: '/videos',
		action,
		model: request.model,
		body: createBody(request),
		billable: true,
		findHow: findHow(client),
		maxBytes: BODY_LIMITS.status,
	});
	if (!result.ok) throw client.errorFor(result.problem, action, undefined, result.attempts, request.model);
	return taskFrom(client, result.body, action);
}

/** `POST /videos/{id}/remix` with a new prompt: a new (paid) task, sent once like a create. */
export async function remixTask(client: VideoApiClient, taskId: string, prompt: string): Promise<CreatedTask> {
	const action = 'remix';
	const json = JSON.stringify({ prompt });
	const result = await client.submit({
		method: 'POST',
		path: `${taskPath(taskId)}/remix`,
		action,
		taskId,
		body: async () => ({ data: json, contentType: 'application/json', length: Buffer.byteLength(json) }),
		billable: true,
		findHow: findHow(client),
		maxBytes: BODY_LIMITS.status,
	});
	if (!result.ok) throw missingEndpoint(client, result.problem, 'remix') ?? client.errorFor(result.problem, action, taskId, result.attempts);
	const created = taskFrom(client, result.body, action);
	return { ...created, task: { ...created.task, remixedFromVideoId: created.task.remixedFromVideoId ?? taskId } };
}

function jsonBody(value: unknown): () => Promise<OutgoingBody> {
	const json = JSON.stringify(value);
	return async () => ({ data: json, contentType: 'application/json', length: Buffer.byteLength(json) });
}

export interface ExtendRequest {
	/** The completed video to continue. */
	taskId: string;
	prompt: string;
	/** The added segment's length; OpenAI's document requires it (the answer's `seconds` is the stitched total). */
	seconds: string;
}

/**
 * `POST /videos/extensions` as OpenAI publishes it: JSON `{prompt, seconds, video: {id}}`. A new (paid) task, sent
 * once like a create; errors name the source video, whose ID the answer does not always repeat.
 */
export async function extendTask(client: VideoApiClient, request: ExtendRequest): Promise<CreatedTask> {
	const action = 'extension';
	const result = await client.submit({
		method: 'POST',
		path: '/videos/extensions',
		action,
		taskId: request.taskId,
		body: jsonBody({ prompt: request.prompt, seconds: request.seconds, video: { id: request.taskId } }),
		billable: true,
		findHow: findHow(client),
		maxBytes: BODY_LIMITS.status,
	});
	if (!result.ok) throw missingEndpoint(client, result.problem, 'extend') ?? client.errorFor(result.problem, action, request.taskId, result.attempts);
	return taskFrom(client, result.body, action);
}

export interface EditRequest {
	prompt: string;
	/** The video to edit: a completed task by ID (JSON `video: {id}`), or a file streamed as the multipart `video` part. */
	source: { taskId: string } | { file: FilePart };
}

/** `POST /videos/edits`: JSON with the source task's ID, or multipart with the source video streamed; sent once. */
export async function editTask(client: VideoApiClient, request: EditRequest): Promise<CreatedTask> {
	const action = 'edit';
	const taskId = 'taskId' in request.source ? request.source.taskId : undefined;
	const body = 'taskId' in request.source
		? jsonBody({ prompt: request.prompt, video: { id: request.source.taskId } })
		: multipartBody([['prompt', request.prompt]], [{ ...request.source.file, field: 'video' }]);
	const result = await client.submit({ method: 'POST', path: '/videos/edits', action, taskId, body, billable: true, findHow: findHow(client), maxBytes: BODY_LIMITS.status });
	if (!result.ok) throw missingEndpoint(client, result.problem, 'edit') ?? client.errorFor(result.problem, action, taskId, result.attempts);
	return taskFrom(client, result.body, action);
}

/** A character as the node outputs it: `{id, name, createdAt}` (OpenAI: `{id, name, created_at}`, each may be null). */
export interface VideoCharacter {
	id: string;
	name: string | null;
	createdAt: string | null;
	provider: string;
}

function characterFrom(client: VideoApiClient, body: unknown, action: string, requestedId?: string): VideoCharacter {
	const object = isJsonObject(body) && isJsonObject(body.data) && body.id === undefined ? body.data : body;
	const id = isJsonObject(object) && typeof object.id === 'string' && object.id.trim() !== '' ? object.id : requestedId;
	if (!id || !isJsonObject(object)) throw characterWithoutIdError(client.problemContext(action), findHow(client));
	return {
		id,
		name: typeof object.name === 'string' ? object.name : null,
		createdAt: toIsoTime(object.created_at),
		provider: client.provider.id,
	};
}

/**
 * `POST /videos/characters`: multipart `video` (the file, streamed) and `name`. Sent once: a retry could make a
 * second character.
 */
export async function createCharacter(client: VideoApiClient, request: { name: string; video: FilePart }): Promise<VideoCharacter> {
	const action = 'character create';
	const result = await client.submit({
		method: 'POST',
		path: '/videos/characters',
		action,
		body: multipartBody([['name', request.name]], [{ ...request.video, field: 'video' }]),
		billable: true,
		findHow: findHow(client),
		maxBytes: BODY_LIMITS.status,
	});
	if (!result.ok) throw missingEndpoint(client, result.problem, 'createCharacter') ?? client.errorFor(result.problem, action, undefined, result.attempts);
	return characterFrom(client, result.body, action);
}

/** `GET /videos/characters/{id}`: a read, retried like one. */
export async function getCharacter(client: VideoApiClient, characterId: string): Promise<VideoCharacter> {
	const action = 'character lookup';
	const result = await client.getJson(`/videos/characters/${encodeURIComponent(characterId)}`, { action, maxBytes: BODY_LIMITS.status });
	if (!result.ok) throw missingEndpoint(client, result.problem, 'getCharacter') ?? client.errorFor(result.problem, action, undefined, result.attempts);
	return characterFrom(client, result.body, action, characterId);
}

export interface DeletedTask {
	id: string;
	deleted: boolean;
	/** The provider no longer knew the task when a retry asked: the earlier attempt, whose answer was lost, deleted it. */
	alreadyGone?: true;
}

/**
 * `DELETE /videos/{id}` -> `{id, deleted}`. Safe to repeat, so retried like a read. A retry answered "not found"
 * after an attempt that may have been carried out (its answer lost, or a 5xx) is the delete having worked.
 */
export async function deleteTask(client: VideoApiClient, taskId: string): Promise<DeletedTask> {
	const action = 'delete';
	const result = await client.submit({ method: 'DELETE', path: taskPath(taskId), action, taskId, billable: false, findHow: findHow(client), maxBytes: BODY_LIMITS.status });
	if (!result.ok && result.problem.kind === 'notFound' && result.earlierMayHaveArrived) return { id: taskId, deleted: true, alreadyGone: true };
	if (!result.ok) throw missingEndpoint(client, result.problem, 'delete') ?? client.errorFor(result.problem, action, taskId, result.attempts);
	const body = result.body;
	const deleted = isJsonObject(body) && typeof body.deleted === 'boolean' ? body.deleted : true;
	return { id: taskId, deleted };
}

/**
 * A gateway without the route answers "Invalid URL" (404/405) although its other routes work: that is a missing
 * endpoint (new-api has no delete), not a wrong base URL.
 */
function missingEndpoint(client: VideoApiClient, problem: ProviderProblem, capability: Capability): NodeOperationError | undefined {
	if (problem.kind !== 'badEndpoint' && problem.httpCode !== 405) return undefined;
	return unsupportedOperationError(client.node, client.provider, capability, undefined, `HTTP ${problem.httpCode} for ${ROUTES[capability]}`);
}
