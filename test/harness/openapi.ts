/**
 * Validates requests and answers against OpenAI's published OpenAPI document (the `/videos*` part of it, in
 * test/fixtures/openai-videos.openapi.json). OpenAPI 3.1 schemas are JSON Schema 2020-12, so ajv's 2020 build checks
 * them as published; this file only finds the operation, reads the parameters and bodies, and reports in words.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { IncomingHttpHeaders } from 'http';

import fixture from '../fixtures/openai-videos.openapi.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Verdict {
	/** The document's operationId, when the method and path name one. */
	operationId: string | null;
	errors: string[];
	valid: boolean;
}

interface Parameter {
	name: string;
	in: 'path' | 'query' | 'header' | 'cookie';
	required?: boolean;
	schema: Json;
}

interface Operation {
	operationId: string;
	parameters?: Parameter[];
	requestBody?: { required?: boolean; content: Record<string, { schema: Json }> };
	responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}

interface Route {
	template: string;
	pattern: RegExp;
	names: string[];
	literalSegments: number;
	operations: Record<string, Operation>;
}

const DOCUMENT_ID = 'https://fixtures.test/openai-videos.openapi.json';
const document = fixture as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Json> } };

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);
// The document's own formats: file parts (`binary`) and epoch seconds (`unixtime`).
ajv.addFormat('binary', true);
ajv.addFormat('unixtime', { type: 'number', validate: (value: number) => Number.isInteger(value) && value >= 0 });
ajv.addSchema({ ...(fixture as object), $id: DOCUMENT_ID });

const compiled = new Map<string, ValidateFunction>();

/** A validator for a schema of the document, found by JSON pointer (so its `#/components/...` refs resolve). */
function validatorAt(pointer: string): ValidateFunction {
	let validate = compiled.get(pointer);
	if (!validate) {
		validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
		compiled.set(pointer, validate);
	}
	return validate;
}

function pointerPart(value: string): string {
	return value.replace(/~/g, '~0').replace(/\//g, '~1');
}

const ROUTES: Route[] = Object.entries(document.paths)
	.map(([template, operations]) => {
		const names: string[] = [];
		const segments = template.split('/').slice(1);
		const pattern = new RegExp(
			`^/${segments
				.map((segment) => {
					const parameter = /^\{(.+)\}$/.exec(segment);
					if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
					names.push(parameter[1]);
					return '([^/]+)';
				})
				.join('/')}$`,
		);
		return { template, pattern, names, literalSegments: segments.length - names.length, operations };
	})
	// OpenAPI: a concrete path wins over a templated one of the same shape (`/videos/edits` over `/videos/{video_id}`).
	.sort((a, b) => b.literalSegments - a.literalSegments);

function describeErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
	return (errors ?? []).map((error) => {
		const at = error.instancePath ? `${where}${error.instancePath}` : where;
		const extra = error.keyword === 'enum' ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.map((value) => JSON.stringify(value)).join(', ')})` : '';
		return `${at} ${error.message ?? error.keyword}${extra}`;
	});
}

/** The operation a method and path (relative to the API root, query allowed) name, with its path parameters. */
function findOperation(method: string, path: string): { route: Route; operation: Operation; pathValues: Record<string, string>; query: URLSearchParams } | string {
	const url = new URL(path, 'http://api.test');
	for (const route of ROUTES) {
		const match = route.pattern.exec(url.pathname);
		if (!match) continue;
		const operation = route.operations[method.toLowerCase()];
		if (!operation) return `${method.toUpperCase()} ${route.template} is not in the document (it has ${Object.keys(route.operations).join(', ').toUpperCase()})`;
		const pathValues = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1])]));
		return { route, operation, pathValues, query: url.searchParams };
	}
	return `no path of the document matches ${url.pathname}`;
}

function operationPointer(route: Route, method: string): string {
	return `/paths/${pointerPart(route.template)}/${method.toLowerCase()}`;
}

/** A query value as its schema's type reads it (query strings are text). */
function queryValue(text: string, schema: Json): Json {
	const type = typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? schema.type : undefined;
	if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
	if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
	return text;
}

function checkParameters(found: Exclude<ReturnType<typeof findOperation>, string>, method: string, errors: string[]): void {
	const { route, operation, pathValues, query } = found;
	const parameters = operation.parameters ?? [];
	parameters.forEach((parameter, index) => {
		const pointer = `${operationPointer(route, method)}/parameters/${index}/schema`;
		if (parameter.in === 'path') {
			const value = pathValues[parameter.name];
			if (value === undefined || value === '') errors.push(`path parameter ${parameter.name} is missing`);
			else if (!validatorAt(pointer)(value)) errors.push(...describeErrors(`path parameter ${parameter.name}`, validatorAt(pointer).errors));
		}
		if (parameter.in === 'query') {
			const values = query.getAll(parameter.name);
			if (values.length === 0) {
				if (parameter.required) errors.push(`query parameter ${parameter.name} is required`);
				return;
			}
			if (values.length > 1) errors.push(`query parameter ${parameter.name} is sent ${values.length} times`);
			const validate = validatorAt(pointer);
			if (!validate(queryValue(values[0], parameter.schema))) errors.push(...describeErrors(`query parameter ${parameter.name}`, validate.errors));
		}
	});
	const known = new Set(parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name));
	for (const name of new Set(query.keys())) if (!known.has(name)) errors.push(`query parameter ${name} is not in the document`);
}

function mediaType(contentType: string | undefined): string {
	return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function headerValue(headers: IncomingHttpHeaders | Record<string, string | undefined>, name: string): string | undefined {
	const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
	const value = entry?.[1];
	return Array.isArray(value) ? value[0] : (value as string | undefined);
}

export interface MultipartPart {
	name: string;
	/** Set for a file part (a `filename` in its Content-Disposition). */
	fileName: string | null;
	contentType: string | null;
	data: Buffer;
}

/**
 * A multipart/form-data body (RFC 7578) read strictly: every part framed by the boundary and CRLFs, a
 * Content-Disposition of `form-data` with a name, and the closing delimiter. Throws with the reason otherwise.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
	const boundaryMatch = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	if (!boundaryMatch) throw new Error('the multipart Content-Type has no boundary');
	const boundary = boundaryMatch[1] ?? boundaryMatch[2];
	const delimiter = Buffer.from(`--${boundary}`);
	if (!body.subarray(0, delimiter.length).equals(delimiter)) throw new Error('the body does not start with the boundary');
	const parts: MultipartPart[] = [];
	let position = delimiter.length;
	for (;;) {
		const after = body.subarray(position, position + 2).toString('latin1');
		if (after === '--') {
			const rest = body.subarray(position + 2).toString('latin1');
			if (rest !== '' && rest !== '\r\n') throw new Error('bytes after the closing boundary');
			return parts;
		}
		if (after !== '\r\n') throw new Error('a boundary is not followed by CRLF');
		const headerEnd = body.indexOf('\r\n\r\n', position + 2, 'latin1');
		if (headerEnd < 0) throw new Error('a part has no end of headers');
		const headers = new Map<string, string>();
		for (const line of body.subarray(position + 2, headerEnd).toString('utf8').split('\r\n')) {
			const colon = line.indexOf(':');
			if (colon <= 0) throw new Error(`a part header is malformed: ${JSON.stringify(line)}`);
			headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
		}
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
		if (next < 0) throw new Error('a part is not closed by the boundary (no closing delimiter)');
		const disposition = headers.get('content-disposition') ?? '';
		if (!/^form-data\s*(;|$)/i.test(disposition)) throw new Error(`a part's Content-Disposition is not form-data: ${JSON.stringify(disposition)}`);
		const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
		if (name === undefined || name === '') throw new Error(`a part has no name: ${JSON.stringify(disposition)}`);
		const fileName = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
		parts.push({ name, fileName, contentType: headers.get('content-type') ?? null, data: body.subarray(headerEnd + 4, next) });
		position = next + 2 + delimiter.length;
	}
}

/** Whether a schema (or one of its alternatives, through references) is a file: `type: string, format: binary`. */
function acceptsBinary(schema: Json, depth = 0): boolean {
	if (depth > 8 || typeof schema !== 'object' || schema === null || Array.isArray(schema)) return false;
	if (schema.type === 'string' && schema.format === 'binary') return true;
	if (typeof schema.$ref === 'string') return acceptsBinary(resolve(schema.$ref), depth + 1);
	return ['oneOf', 'anyOf'].some((key) => Array.isArray(schema[key]) && (schema[key] as Json[]).some((entry) => acceptsBinary(entry, depth + 1)));
}

/** Whether a schema accepts anything but a file (text, or an object sent as JSON text). */
function acceptsNonBinary(schema: Json, depth = 0): boolean {
	if (depth > 8 || typeof schema !== 'object' || schema === null || Array.isArray(schema)) return true;
	if (schema.type === 'string' && schema.format === 'binary') return false;
	if (typeof schema.$ref === 'string') return acceptsNonBinary(resolve(schema.$ref), depth + 1);
	for (const key of ['oneOf', 'anyOf']) {
		if (Array.isArray(schema[key])) return (schema[key] as Json[]).some((entry) => acceptsNonBinary(entry, depth + 1));
	}
	return true;
}

function resolve(ref: string): Json {
	const prefix = '#/components/schemas/';
	if (!ref.startsWith(prefix)) throw new Error(`unexpected reference ${ref}`);
	return document.components.schemas[ref.slice(prefix.length)] ?? null;
}

/**
 * A multipart body as the object its schema describes: a text part is its text (or, when it is JSON of an object
 * or a list, that value: OpenAPI sends object properties of a form as JSON); a file part is a string of format
 * binary. A field sent twice becomes a list, which no property of these schemas accepts.
 */
function multipartObject(parts: MultipartPart[], schema: Json, errors: string[]): JsonObject {
	const properties = (typeof schema === 'object' && schema !== null && !Array.isArray(schema) && typeof schema.properties === 'object' ? schema.properties : {}) as JsonObject;
	const out: JsonObject = {};
	const repeated = new Map<string, Json[]>();
	for (const part of parts) {
		const property = properties[part.name];
		let value: Json;
		if (part.fileName !== null) {
			if (property !== undefined && !acceptsBinary(property)) errors.push(`multipart field ${part.name} is sent as a file, but the document has it as text`);
			value = `<file ${part.fileName}, ${part.data.length} bytes>`;
		} else {
			const text = part.data.toString('utf8');
			if (property !== undefined && !acceptsNonBinary(property)) errors.push(`multipart field ${part.name} is sent as text, but the document has it as a file`);
			value = text;
			if (/^\s*[[{]/.test(text)) {
				try {
					value = JSON.parse(text) as Json;
				} catch {
					value = text;
				}
			}
		}
		const earlier = repeated.get(part.name);
		repeated.set(part.name, earlier === undefined ? [value] : [...earlier, value]);
	}
	for (const [name, values] of repeated) out[name] = values.length === 1 ? values[0] : values;
	return out;
}

/**
 * Checks a request against the document: its method and path (relative to the API root, e.g.
 * `/videos/video_1/content?variant=thumbnail`), path and query parameters (unknown ones are errors), and its body:
 * JSON parsed and validated, multipart/form-data parsed into fields (file parts as strings of format binary) and
 * validated against the multipart schema. `body` may be a Buffer, a string, a parsed JSON value, or undefined.
 */
export function validateRequest(method: string, path: string, headers: IncomingHttpHeaders | Record<string, string | undefined>, body?: Buffer | string | Json): Verdict {
	const found = findOperation(method, path);
	if (typeof found === 'string') return { operationId: null, errors: [found], valid: false };
	const errors: string[] = [];
	checkParameters(found, method, errors);
	const { route, operation } = found;
	const contentType = headerValue(headers, 'content-type');
	const hasBody = body !== undefined && !(Buffer.isBuffer(body) && body.length === 0) && body !== '';
	if (!operation.requestBody) {
		if (hasBody) errors.push(`${method.toUpperCase()} ${route.template} takes no body, but one is sent`);
		return { operationId: operation.operationId, errors, valid: errors.length === 0 };
	}
	if (!hasBody) {
		if (operation.requestBody.required) errors.push('the request body is required');
		return { operationId: operation.operationId, errors, valid: errors.length === 0 };
	}
	const type = mediaType(contentType);
	const media = operation.requestBody.content[type];
	if (!media) {
		errors.push(`Content-Type ${JSON.stringify(contentType ?? null)} is not one of the document's (${Object.keys(operation.requestBody.content).join(', ')})`);
		return { operationId: operation.operationId, errors, valid: false };
	}
	const pointer = `${operationPointer(route, method)}/requestBody/content/${pointerPart(type)}/schema`;
	let value: Json;
	if (type === 'multipart/form-data') {
		const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
		let parts: MultipartPart[];
		try {
			parts = parseMultipart(bytes, contentType ?? '');
		} catch (error) {
			errors.push(`the multipart body is malformed: ${(error as Error).message}`);
			return { operationId: operation.operationId, errors, valid: false };
		}
		const schema = media.schema as JsonObject;
		value = multipartObject(parts, typeof schema.$ref === 'string' ? resolve(schema.$ref) : schema, errors);
	} else if (Buffer.isBuffer(body) || typeof body === 'string') {
		try {
			value = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : body) as Json;
		} catch {
			errors.push('the JSON body does not parse');
			return { operationId: operation.operationId, errors, valid: false };
		}
	} else {
		value = body as Json;
	}
	const validate = validatorAt(pointer);
	if (!validate(value)) errors.push(...describeErrors('body', validate.errors));
	return { operationId: operation.operationId, errors, valid: errors.length === 0 };
}

/**
 * Checks an answer against the document: the status must be one the operation documents, the Content-Type one
 * of that response's (JSON when not given), and a JSON body must match its schema; a file body (Buffer) is a
 * string of format binary.
 */
export function validateResponse(method: string, path: string, status: number, body: Buffer | string | Json, contentType = 'application/json'): Verdict {
	const found = findOperation(method, path);
	if (typeof found === 'string') return { operationId: null, errors: [found], valid: false };
	const { route, operation } = found;
	const key = String(status) in operation.responses ? String(status) : `${String(status)[0]}XX` in operation.responses ? `${String(status)[0]}XX` : 'default' in operation.responses ? 'default' : null;
	if (key === null) return { operationId: operation.operationId, errors: [`status ${status} is not documented (${Object.keys(operation.responses).join(', ')})`], valid: false };
	const content = operation.responses[key].content ?? {};
	const type = mediaType(contentType);
	const media = content[type];
	if (!media) return { operationId: operation.operationId, errors: [`Content-Type ${JSON.stringify(contentType)} is not one of the document's (${Object.keys(content).join(', ')})`], valid: false };
	let value: Json;
	if (type === 'application/json') {
		if (Buffer.isBuffer(body) || typeof body === 'string') {
			try {
				value = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : body) as Json;
			} catch {
				return { operationId: operation.operationId, errors: ['the JSON body does not parse'], valid: false };
			}
		} else value = body;
	} else {
		value = Buffer.isBuffer(body) ? `<${body.length} bytes>` : (body as Json);
	}
	const validate = validatorAt(`${operationPointer(route, method)}/responses/${key}/content/${pointerPart(type)}/schema`);
	const errors = validate(value) ? [] : describeErrors('body', validate.errors);
	return { operationId: operation.operationId, errors, valid: errors.length === 0 };
}

/** Every operation of the document, as `METHOD /template` (operationId). */
export function documentedOperations(): Array<{ method: string; template: string; operationId: string }> {
	return Object.entries(document.paths).flatMap(([template, operations]) =>
		Object.entries(operations).map(([method, operation]) => ({ method: method.toUpperCase(), template, operationId: operation.operationId })),
	);
}
