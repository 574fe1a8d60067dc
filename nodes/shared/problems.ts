/** Every user-facing error of the package, worded so a non-programmer knows what to do next. */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { NormalizedTask, ProviderProblem } from './dialect';
import type { Capability } from '../SoraVideo/operations/routes';
import type { ProviderDefinition } from './providers';
import { PROVIDER_IDS, PROVIDERS, providersServing } from './providers';

export interface ProblemContext {
	node: INode;
	provider: ProviderDefinition;
	taskId?: string;
	/** What was being done, for messages: "download", "status check", "list". */
	action: string;
	attempts?: number;
	/** Strings that must never appear in a message (the API key and its header value). */
	secrets: string[];
	/** The model a create asked for, to name it when the provider does not have it. */
	model?: string;
}

/** Replaces every secret in a string with `***`. */
export function redact(text: string, secrets: string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 3 && out.includes(secret)) out = out.split(secret).join('***');
	}
	return out;
}

type JsonContainer = Record<string, unknown> | unknown[];

/** Module constants: called per value of a body (see transport.ts, where globals are looked up slowly). */
const isArray = Array.isArray;
const objectKeys = Object.keys;

function isContainer(value: unknown): value is JsonContainer {
	return value !== null && typeof value === 'object';
}

/** Whether any string or key of a JSON value contains a secret; an explicit stack, no recursion (bodies may nest deep). */
function holdsSecret(value: JsonContainer, secrets: string[]): boolean {
	const found = (text: string) => secrets.some((secret) => text.includes(secret));
	const stack: JsonContainer[] = [value];
	while (stack.length > 0) {
		const container = stack.pop() as JsonContainer;
		const inArray = isArray(container);
		const keys: string[] | null = inArray ? null : objectKeys(container);
		const length = keys === null ? (container as unknown[]).length : keys.length;
		for (let index = 0; index < length; index++) {
			const key = keys === null ? index : keys[index];
			if (typeof key === 'string' && found(key)) return true;
			const entry: unknown = (container as Record<string | number, unknown>)[key];
			if (typeof entry === 'string') {
				if (found(entry)) return true;
			} else if (isContainer(entry) && !(isArray(entry) && entry.length === 0)) {
				stack.push(entry);
			}
		}
	}
	return false;
}

/** Sets a property as the JSON had it, `__proto__` included (a plain assignment would change the prototype). */
function setOwn(target: JsonContainer, key: string, value: unknown): void {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A JSON value with every secret redacted from its strings and keys: the value itself when it holds none,
 * else a copy. Iterative, so a body nested a million deep is handled like any other.
 */
export function redactDeep(value: unknown, secrets: string[]): unknown {
	if (typeof value === 'string') return redact(value, secrets);
	const active = secrets.filter((secret) => secret && secret.length >= 3);
	if (!isContainer(value) || active.length === 0 || !holdsSecret(value, active)) return value;
	const copyOf = (source: JsonContainer): JsonContainer => (isArray(source) ? new Array<unknown>(source.length) : {});
	const root = copyOf(value);
	const work: Array<[JsonContainer, JsonContainer]> = [[value, root]];
	while (work.length > 0) {
		const [source, target] = work.pop() as [JsonContainer, JsonContainer];
		const keys: string[] | null = isArray(source) ? null : objectKeys(source);
		const length = keys === null ? (source as unknown[]).length : keys.length;
		for (let index = 0; index < length; index++) {
			const key = keys === null ? index : keys[index];
			const entry: unknown = (source as Record<string | number, unknown>)[key];
			let copied: unknown = entry;
			if (typeof entry === 'string') copied = redact(entry, active);
			else if (isContainer(entry)) {
				copied = copyOf(entry);
				work.push([entry, copied as JsonContainer]);
			}
			if (typeof key === 'number') (target as unknown[])[key] = copied;
			else setOwn(target, redact(key, active), copied);
		}
	}
	return root;
}

/**
 * A NodeApiError whose message stays ours: n8n otherwise swaps any message that mentions a network
 * code (ECONNRESET, ...) for a generic sentence, losing which host and how many attempts.
 */
function apiError(node: INode, response: JsonObject, message: string, description: string | undefined, httpCode?: number): NodeApiError {
	const error = new NodeApiError(node, response, {
		message,
		description,
		httpCode: httpCode === undefined ? undefined : String(httpCode),
	});
	error.message = message;
	return error;
}

/**
 * Marks an error as worth retrying later (5xx, 429, network, a body cut short):
 * the trigger then keeps the task for the next poll instead of reporting it.
 */
export function markTransient<T extends NodeApiError | NodeOperationError>(error: T): T {
	error.context.transient = true;
	return error;
}

/** The error itself when it is already one of n8n's (and so carries our message); else undefined. */
export function ownNodeError(error: unknown): NodeApiError | NodeOperationError | undefined {
	return error instanceof NodeApiError || error instanceof NodeOperationError ? error : undefined;
}

/**
 * Marks an answer that may change within minutes but not within a retry's seconds (the file not yet in storage
 * although the task completed, an expired signed link): the trigger asks again on its next polls, a bounded number.
 */
export function markRetryLater<T extends NodeApiError | NodeOperationError>(error: T): T {
	error.context.retryLater = true;
	return error;
}

export function isRetryLater(error: unknown): boolean {
	return (error as { context?: { retryLater?: unknown } } | null)?.context?.retryLater === true;
}

export function isTransient(error: unknown): boolean {
	return (error as { context?: { transient?: unknown } } | null)?.context?.transient === true;
}

function quoteTask(taskId: string | undefined): string {
	return taskId ? `Task "${taskId}"` : 'The task';
}

/** The same, inside a sentence: the ID keeps its case exactly as given. */
function taskInSentence(taskId: string | undefined): string {
	return taskId ? `task "${taskId}"` : 'the task';
}

/** What the provider said, for a message; web pages and unreadable bytes are described, never quoted. */
function providerSaid(problem: ProviderProblem, secrets: string[]): { quote: string | null; suffix: string } {
	if (problem.form === 'webPage') {
		const title = problem.message ? ` titled "${redact(problem.message, secrets)}"` : '';
		return { quote: null, suffix: ` The answer was a web page${title} (from a proxy or web server), not the API's JSON.` };
	}
	if (problem.form === 'binary') return { quote: null, suffix: ' The answer was unreadable binary data, not the API\'s JSON.' };
	const quote = problem.message ? redact(problem.message, secrets) : null;
	return { quote, suffix: quote ? ` The provider said: "${quote}"` : '' };
}

function exampleBaseUrl(provider: ProviderDefinition): string {
	return provider.defaultBaseUrl || 'https://gateway.example.com/v1';
}

function retried(attempts: number | undefined): string {
	return attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
}

function describeStatus(task: Pick<NormalizedTask, 'status' | 'rawStatus' | 'progress'>): string {
	const raw = task.rawStatus && task.rawStatus !== task.status ? ` ("${task.rawStatus}")` : '';
	const progress = task.progress !== null && task.status !== 'completed' ? `, ${task.progress}%` : '';
	return `${task.status}${raw}${progress}`;
}

/** Turns a classified provider answer into a NodeApiError with an actionable message. */
export function problemError(problem: ProviderProblem, ctx: ProblemContext): NodeApiError {
	if (problem.answeredBy) return storageProblemError(problem, problem.answeredBy, ctx);
	const name = ctx.provider.displayName;
	const { quote: said, suffix: saidSuffix } = providerSaid(problem, ctx.secrets);
	const http = `HTTP ${problem.httpCode}`;
	let message: string;
	let description: string | undefined;
	switch (problem.kind) {
		case 'notFound':
			message = `${quoteTask(ctx.taskId)} was not found at ${name} (${http})`;
			description = `Check the task ID, and that the task was created with the same account as the "${ctx.provider.credentialDisplayName}" credential.${saidSuffix}`;
			break;
		case 'notReady':
			message = `${quoteTask(ctx.taskId)} is not ready yet${problem.mentionedStatus ? ` (status: ${problem.mentionedStatus})` : ''}`;
			description = `The video is still being generated. Run again later, or turn on the "Wait for Completion" option.${saidSuffix}`;
			break;
		case 'expired':
			message = `The content of ${taskInSentence(ctx.taskId)} has expired at ${name}`;
			description = `Providers delete finished videos after a while; it cannot be downloaded any more. Generate the video again, and download it soon after it completes.${saidSuffix}`;
			break;
		case 'unauthorized':
			message = `${name} rejected the API key (${http})`;
			description = `Check the API key and the base URL in the "${ctx.provider.credentialDisplayName}" credential.${saidSuffix}`;
			break;
		case 'forbidden':
			message = `${name} refused access (${http})`;
			description = `The key in the "${ctx.provider.credentialDisplayName}" credential is valid but may not use this task or endpoint. Check the key's permissions and that the task belongs to this account.${saidSuffix}`;
			break;
		case 'rateLimited':
			message = `${name} is rate limiting requests (${http})${retried(ctx.attempts)}`;
			description = `Try again later, raise the "Retries" option, or process fewer items at a time.${saidSuffix}`;
			break;
		case 'serverError':
			message = `${name} had a server error during the ${ctx.action} (${http})${retried(ctx.attempts)}`;
			description = `This is a problem on the provider's side. Try again later, or raise the "Retries" option.${saidSuffix}`;
			break;
		case 'badRequest':
			message = `${name} rejected the ${ctx.action} request (${http})${said ? `: ${said}` : ''}`;
			description = `Check the task ID and the node parameters.${said ? '' : saidSuffix}`;
			break;
		case 'badEndpoint':
			message = `${name} does not serve this address (${http}): the base URL in the credential is probably wrong`;
			description = `The base URL in the "${ctx.provider.credentialDisplayName}" credential must be the API root that /videos is appended to, for example ${exampleBaseUrl(ctx.provider)}. A missing or extra "/v1" is the usual cause.${saidSuffix}`;
			break;
		case 'moderation':
			message = `${name} refused the prompt: it was blocked by moderation (${http})`;
			description = `Nothing was generated. Rephrase the prompt (and check any reference image), then run again.${saidSuffix}`;
			break;
		case 'quota':
			message = `${name} refused the ${ctx.action}: the account has no quota or balance left (${http})`;
			description = `Top up or raise the limit of the account behind the "${ctx.provider.credentialDisplayName}" credential, then run again. Nothing was created.${saidSuffix}`;
			break;
		case 'invalidParameter':
			message = `${name} rejected ${problem.param ? `the "${problem.param}" value` : 'a value'} of the ${ctx.action} request (${http})${said ? `: ${said}` : ''}`;
			description =
				ctx.action === 'create'
					? 'The model does not accept this value. Check Seconds and Size against what the gateway offers for this model (OpenAI\'s sora-2 took 4, 8 or 12 seconds and 720x1280, 1280x720, 1024x1792 or 1792x1024). Nothing was created.'
					: `Check the task ID and the node parameters.${said ? '' : saidSuffix}`;
			break;
		case 'modelNotFound':
			message = `${name} does not offer the model ${ctx.model ? `"${ctx.model}"` : 'asked for'} (${http})`;
			description = `Pick the model from the list (Model > From List reads what this gateway offers), or check its exact name with the provider. Nothing was created.${saidSuffix}`;
			break;
		default:
			message = `${name} answered the ${ctx.action} with an unexpected response (${http})${said ? `: ${said}` : ''}`;
			description = `The response was not the expected data. Check the base URL in the credential.${said ? '' : saidSuffix}`;
	}
	const response: JsonObject = {
		kind: problem.kind,
		httpCode: problem.httpCode,
		code: problem.code,
		message: said,
	};
	const error = apiError(ctx.node, response, message, description, problem.httpCode);
	return problem.kind === 'serverError' || problem.kind === 'rateLimited' ? markTransient(error) : error;
}

/** A task that reached `failed`: the provider's reason is the message. */
export function taskFailedError(task: NormalizedTask, ctx: ProblemContext): NodeOperationError {
	const reason = task.error ? redact(task.error.message, ctx.secrets) : 'no reason given';
	const code = task.error?.code ? ` (${task.error.code})` : '';
	return new NodeOperationError(ctx.node, `${quoteTask(task.id || ctx.taskId)} failed at ${ctx.provider.displayName}: ${reason}${code}`, {
		description: 'The provider could not generate this video. Adjust the prompt or settings and create a new task.',
	});
}

export function notReadyError(task: NormalizedTask, ctx: ProblemContext): NodeOperationError {
	return markRetryLater(new NodeOperationError(ctx.node, `${quoteTask(task.id || ctx.taskId)} is not ready yet (status: ${describeStatus(task)})`, {
		description: 'The video is still being generated. Run again later, or turn on the "Wait for Completion" option.',
	}));
}

export function expiredError(task: NormalizedTask, ctx: ProblemContext): NodeOperationError {
	return new NodeOperationError(ctx.node, `The content of ${taskInSentence(task.id || ctx.taskId)} expired${task.expiresAt ? ` at ${task.expiresAt}` : ''}`, {
		description: 'Providers delete finished videos after a while; it cannot be downloaded any more. Generate the video again, and download it soon after it completes.',
	});
}

export function waitTimeoutError(task: NormalizedTask | null, waitedMs: number, ctx: ProblemContext): NodeOperationError {
	const last = task ? `; last status seen: ${describeStatus(task)}` : '';
	return new NodeOperationError(ctx.node, `${quoteTask(ctx.taskId)} did not finish within ${formatDuration(waitedMs)}${last}`, {
		description: 'Raise the "Max Wait" option, or check the task again later.',
	});
}

export function networkError(code: string, detail: string, url: string, ctx: ProblemContext): NodeApiError {
	let origin = url;
	try {
		origin = new URL(url).origin;
	} catch {
		// Keep the string as given; it is only shown in the message.
	}
	const isTimeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(detail);
	const message = isTimeout
		? `${ctx.provider.displayName} did not answer in time during the ${ctx.action} (${origin})${retried(ctx.attempts)}`
		: `Could not reach ${ctx.provider.displayName} at ${origin} (${code})${retried(ctx.attempts)}`;
	const description = isTimeout
		? 'The server stopped sending data. Try again later, or raise the "Timeout" option.'
		: `Check the base URL in the "${ctx.provider.credentialDisplayName}" credential and that n8n can reach it.`;
	return markTransient(apiError(ctx.node, { networkErrorCode: code, detail: redact(detail, ctx.secrets) }, message, description));
}

/**
 * An error answer from another host that a redirect led to (a storage bucket or CDN holding the file).
 * The key was never sent there, so it is never blamed: a refusal there means the signed link expired.
 */
export function storageProblemError(problem: ProviderProblem, url: string, ctx: ProblemContext): NodeApiError {
	let host = url;
	try {
		host = new URL(url).host;
	} catch {
		// Only shown in the message.
	}
	const { quote: said, suffix: saidSuffix } = providerSaid(problem, ctx.secrets);
	const http = `HTTP ${problem.httpCode}${said ? `: ${said}` : ''}`;
	const where = `${ctx.provider.displayName} sent the ${ctx.action} of ${taskInSentence(ctx.taskId)} to ${host}`;
	let message: string;
	let description: string;
	if (problem.httpCode >= 500 || problem.httpCode === 429) {
		message = `${where}, which failed (${http})${retried(ctx.attempts)}`;
		description = `The file is stored on another host (storage or CDN) that had a problem. Try again later, or raise the "Retries" option.${said ? '' : saidSuffix}`;
	} else if (problem.httpCode === 404 || problem.httpCode === 410) {
		message = `${where}, which no longer has the file (${http})`;
		description = `The provider's storage link points at a file that is gone; it has most likely expired. Generate the video again, and download it soon after it completes.${said ? '' : saidSuffix}`;
	} else {
		message = `${where}, which refused it (${http}): the download link has expired or is not valid`;
		description = `Providers hand out files through short-lived signed links on another host; the API key is never sent there, so this is not a key problem. Run the download again to get a fresh link, soon after the task completes.${said ? '' : saidSuffix}`;
	}
	const response: JsonObject = { kind: 'storage', httpCode: problem.httpCode, host, message: said };
	const error = apiError(ctx.node, response, message, description, problem.httpCode);
	if (problem.httpCode >= 500 || problem.httpCode === 429) return markTransient(error);
	// A refused or expired link: the next request gets a fresh one.
	return problem.httpCode === 404 || problem.httpCode === 410 ? error : markRetryLater(error);
}

/** A status, list or error answer larger than any real one: stop reading rather than hold it in memory. */
export function bodyTooLargeError(limitBytes: number, ctx: ProblemContext): NodeApiError {
	return apiError(
		ctx.node,
		{ kind: 'tooLarge', limitBytes },
		`${ctx.provider.displayName} sent a ${ctx.action} answer larger than ${formatBytes(limitBytes)}; it was not read`,
		`A real ${ctx.action} answer is a few kilobytes. Check that the base URL in the "${ctx.provider.credentialDisplayName}" credential points at the video API (for example ${exampleBaseUrl(ctx.provider)}), not at a file or web page.`,
	);
}

/** A task ID with characters no provider uses: refused before any request, since it could change the URL. */
export function invalidTaskIdError(node: INode, taskId: string, itemIndex: number | undefined, reason: string): NodeOperationError {
	const shown = JSON.stringify(taskId.length > 60 ? `${taskId.slice(0, 60)}…` : taskId);
	return new NodeOperationError(node, `${shown} is not a valid Task ID: it ${reason}`, {
		itemIndex,
		description:
			'Task IDs are single words such as video_68e688d4950481918ec389280c2f7814. Check that the expression maps the "id" field of the create answer, not a URL or a whole object.',
	});
}

/**
 * A create (or remix) that may have reached the provider and may have created a paid task, but whose answer was
 * lost: it is never sent again automatically, and the user is told how to find out.
 */
export function maybeCreatedError(what: string, ctx: ProblemContext, findHow: string): NodeApiError {
	return apiError(
		ctx.node,
		{ kind: 'maybeCreated' },
		`${ctx.provider.displayName} may have created a task: the ${ctx.action} request was sent, but ${what}. It was not sent again, so no second task is paid for`,
		`Before running again, check whether a task with this prompt exists: ${findHow}. n8n's own "Retry On Fail" setting on this node would send a new create request (and pay for a new task) on each try.`,
	);
}

/** A create answer without any task ID: the task cannot be followed, and may exist. */
export function createWithoutIdError(ctx: ProblemContext, findHow: string): NodeApiError {
	return maybeCreatedError('its answer named no task ID', ctx, findHow);
}

/** A character create answered without the character's ID: it cannot be used, and may exist. */
export function characterWithoutIdError(ctx: ProblemContext, findHow: string): NodeApiError {
	return maybeCreatedError('its answer named no character ID', ctx, findHow);
}

/** POST and DELETE are never sent on to a redirect: the body (and a paid create) would be sent twice or lost. */
export function writeRedirectError(httpCode: number, ctx: ProblemContext): NodeApiError {
	return apiError(
		ctx.node,
		{ kind: 'redirect', httpCode },
		`${ctx.provider.displayName} redirected the ${ctx.action} request (HTTP ${httpCode}); it was not followed`,
		`Enter the final address as the base URL in the "${ctx.provider.credentialDisplayName}" credential (often https:// instead of http://, or the provider's current API host). Nothing was sent to the other address.`,
	);
}

/** A Create, Generate or Remix parameter that cannot work: refused before any (paid) request. */
export function createInputError(node: INode, message: string, description: string, itemIndex: number): NodeOperationError {
	return new NodeOperationError(node, message, { itemIndex, description: `${description} Nothing was sent to the provider.` });
}

/** What Create, Generate and Remix refuse in their own parameters, each before any (paid) request. */
export const createInputProblems = {
	extraFieldsNotJson: (node: INode, itemIndex: number) =>
		createInputError(node, 'Extra Fields is not valid JSON', 'Enter a JSON object, for example {"metadata": {"duration": 6}}.', itemIndex),
	extraFieldsNotObject: (node: INode, itemIndex: number) =>
		createInputError(node, 'Extra Fields must be a JSON object', 'Enter an object such as {"metadata": {"duration": 6}}, not a list or a single value.', itemIndex),
	referenceNotImage: (node: INode, field: string, declaredType: string, itemIndex: number) =>
		createInputError(node, `The reference image in field "${field}" is ${declaredType}, not an image`, 'Point "Reference Image Field" at a binary field holding a PNG, JPEG or WebP image.', itemIndex),
	noModel: (node: INode, itemIndex: number) =>
		createInputError(node, 'No model is chosen', 'Pick a model from the list, or enter its name (for example sora-2).', itemIndex),
	emptyPrompt: (node: INode, itemIndex: number) =>
		createInputError(node, 'The prompt is empty', 'Describe the video to generate, or map the prompt from the input item with an expression.', itemIndex),
	emptyRemixPrompt: (node: INode, itemIndex: number) => createInputError(node, 'The prompt is empty', 'Describe the change to make to the video.', itemIndex),
	emptyExtendPrompt: (node: INode, itemIndex: number) => createInputError(node, 'The prompt is empty', 'Describe what happens next in the video.', itemIndex),
	twoReferences: (node: INode, itemIndex: number) =>
		createInputError(node, 'Both a reference image field and a reference image URL are set', 'Use one of them.', itemIndex),
	referenceUrlNotHttp: (node: INode, url: string, itemIndex: number) =>
		createInputError(node, `The reference image URL "${url.slice(0, 80)}" is not an http(s) address`, 'Enter a public https:// address of the image.', itemIndex),
	emptyEditPrompt: (node: INode, itemIndex: number) => createInputError(node, 'The prompt is empty', 'Describe the edit to make to the video.', itemIndex),
	noSeconds: (node: INode, itemIndex: number) =>
		createInputError(node, 'Seconds is empty', 'Choose how many seconds to add (4, 8, 12, 16 or 20), or set the number with an expression.', itemIndex),
	sourceNotVideo: (node: INode, field: string, declaredType: string, itemIndex: number) =>
		createInputError(node, `The file in binary field "${field}" is ${declaredType}, not a video`, 'Point "Video Field" at a binary field holding an MP4, MOV or WebM video.', itemIndex),
	emptyVideoField: (node: INode, itemIndex: number) =>
		createInputError(node, 'Video Field is empty', 'Enter the name of the input item\'s binary field holding the video (for example data).', itemIndex),
	emptyCharacterName: (node: INode, itemIndex: number) =>
		createInputError(node, 'The character name is empty', 'Give the character a name (1 to 80 characters); prompts refer to the character by it.', itemIndex),
	characterNameTooLong: (node: INode, length: number, itemIndex: number) =>
		createInputError(node, `The character name has ${length} characters; at most 80 are allowed`, 'Shorten the name: OpenAI\'s API takes 1 to 80 characters.', itemIndex),
};

/** A blank or impossible Character ID: refused before any request. */
export function characterIdError(node: INode, characterId: string, itemIndex: number, reason?: string): NodeOperationError {
	if (characterId === '') {
		return new NodeOperationError(node, 'The Character ID is empty', {
			itemIndex,
			description: 'Enter the ID Create Character returned (for example char_123), or map it with an expression such as {{ $json.id }}.',
		});
	}
	return new NodeOperationError(node, `"${characterId.slice(0, 80)}" is not a valid Character ID: it ${reason ?? 'cannot be part of a request path'}`, {
		itemIndex,
		description: 'Map the ID Create Character returned (for example char_123). Nothing was sent to the provider.',
	});
}

/** A blank Task ID (an expression that found nothing, most often): refused before any request. */
export function emptyTaskIdError(node: INode, itemIndex: number): NodeOperationError {
	return new NodeOperationError(node, 'The Task ID is empty', {
		itemIndex,
		description: 'Enter the ID the provider returned when the video was created (for example video_123), or map it with an expression such as {{ $json.id }}.',
	});
}

/** What a provider without a route cannot do, per route (operations/routes.ts): "has no endpoint that ...". */
const ROUTE_DOES: Record<Capability, string> = {
	readTask: 'reads a video task',
	download: 'downloads video files',
	list: 'lists video tasks',
	create: 'creates videos',
	remix: 'remixes videos',
	extend: 'extends videos',
	delete: 'deletes videos',
	edit: 'edits videos',
	createCharacter: 'creates characters',
	getCharacter: 'reads characters',
};

/** "A", "A or B", "A, B or C": provider names as the registry spells them. */
function namesOf(providers: ReadonlyArray<Pick<ProviderDefinition, 'displayName'>>, conjunction: 'or' | 'and'): string {
	return inList(providers.map((provider) => provider.displayName), conjunction);
}

/** Providers as the Provider field lists them ("Any OpenAI-Compatible Gateway"): what to choose there. */
function choicesOf(providers: ReadonlyArray<Pick<ProviderDefinition, 'choiceName'>>): string {
	return inList(providers.map((provider) => provider.choiceName), 'or');
}

function inList(names: string[], conjunction: 'or' | 'and'): string {
	return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}

/** A route the chosen provider lacks (or a gateway answered it does not have): refused, naming the providers that have it. */
export function unsupportedOperationError(node: INode, provider: ProviderDefinition, capability: Capability, itemIndex?: number, answer?: string): NodeOperationError {
	const serving = choicesOf(providersServing(capability).filter((other) => other.id !== provider.id));
	const elsewhere = serving ? `a Provider that offers it (${serving}) with its credential` : 'another Provider';
	const description =
		capability === 'list'
			? `Use Get Status with the task IDs you created, or choose ${elsewhere}.`
			: `Choose another operation, or ${elsewhere}.`;
	const said = answer ? ` (${answer})` : '';
	return new NodeOperationError(node, `${provider.displayName} has no endpoint that ${ROUTE_DOES[capability]}${said}`, { itemIndex, description });
}

/** The notice an operation shows to the providers that cannot serve it; the operation stays as picked. */
export function operationNotServedNotice(operation: { displayName: string; needs: Capability }, lacking: ProviderDefinition[], serving: ProviderDefinition[]): string {
	const have = lacking.length === 1 ? 'has' : 'have';
	const use = serving.length > 0 ? ` To use ${operation.displayName}, choose ${choicesOf(serving)} as the Provider.` : '';
	return `${namesOf(lacking, 'and')} ${have} no endpoint that ${ROUTE_DOES[operation.needs]}: ${operation.displayName} would fail with this provider.${use}`;
}

/** A provider value no registry entry has (a workflow edited by hand, or from a newer version of the package). */
export function unknownProviderError(node: INode, providerId: string): NodeOperationError {
	return new NodeOperationError(node, `Unknown provider "${providerId}"`, {
		description: `Choose the Provider again in the node; the providers this version knows are ${namesOf(PROVIDER_IDS.map((id) => PROVIDERS[id]), 'and')}.`,
	});
}

/** An operation value no registry entry has (a workflow edited by hand, or from a newer version of the package). */
export function unknownOperationError(node: INode, operationName: string, known: string[]): NodeOperationError {
	return new NodeOperationError(node, `Unknown operation "${operationName}"`, {
		description: `Choose one of the node's operations: ${known.join(', ')}.`,
	});
}

/** The editor's "Custom API Call" choice: n8n offers it in every node with a credential, but it is not this node's. */
export function customApiCallError(node: INode, provider: ProviderDefinition): NodeOperationError {
	return new NodeOperationError(node, 'Custom API Call is not an operation of the Sora Video node', {
		description: `Choose one of the node's operations, or call any other endpoint with n8n's HTTP Request node and its "Predefined Credential Type" set to "${provider.credentialDisplayName}".`,
	});
}

/** List with Return All met a gateway whose pages never end. */
export function listTooLongError(client: { node: INode; provider: ProviderDefinition }, pages: number, tasks: number): NodeOperationError {
	return new NodeOperationError(client.node, `${client.provider.displayName} still had more tasks after ${pages} pages (${tasks} tasks); the list was stopped`, {
		description: 'Turn off "Return All" and set a "Limit", or use the Sora Video Trigger to follow new tasks as they finish.',
	});
}

/** List with Return All got the same cursor twice: the gateway ignores `after` and would loop forever. */
export function listCursorRepeatedError(client: { node: INode; provider: ProviderDefinition }, cursor: string | null, tasks: number): NodeOperationError {
	const what = cursor === null ? 'said it had more tasks but gave no cursor to continue from' : `sent the page ending at "${cursor}" twice`;
	return new NodeOperationError(client.node, `${client.provider.displayName} ${what}, after ${tasks} tasks; the list was stopped`, {
		description: 'This gateway does not page its list as the OpenAI API does (it ignores "after"). Turn off "Return All" and set a "Limit" of at most one page (100).',
	});
}

/** How much of a Content-Type header a message shows. */
const MAX_SHOWN_CONTENT_TYPE = 100;

/**
 * A download whose bytes are neither a known video or image format nor text: refused, saying what arrived (its
 * first bytes as hex, the declared Content-Type and the size), so the user can tell a gateway's fault.
 */
export function unrecognizedContentError(
	ctx: ProblemContext,
	variant: string,
	arrived: { head: Buffer; contentType: string | undefined; contentLength: string | undefined },
): NodeOperationError {
	const hex = [...arrived.head.subarray(0, 16)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
	const declared = (arrived.contentType ?? '').trim();
	const type = declared === '' ? 'no Content-Type' : `Content-Type: ${declared.length > MAX_SHOWN_CONTENT_TYPE ? `${declared.slice(0, MAX_SHOWN_CONTENT_TYPE)}…` : declared}`;
	const length = (arrived.contentLength ?? '').trim();
	const size = /^\d+$/.test(length) ? `${Number(length)} bytes` : 'unknown size';
	const message = `${ctx.provider.displayName} sent the ${variant} of ${taskInSentence(ctx.taskId)} as bytes that are not a known video or image format: they start with ${hex} (${type}, ${size}); nothing was stored`;
	return new NodeOperationError(ctx.node, redact(message, ctx.secrets), {
		description:
			'Videos are accepted as MP4, QuickTime, WebM or Matroska and images as PNG, JPEG, WebP, GIF, AVIF or HEIC, recognized by their first bytes (whatever the Content-Type says). This is a problem of the gateway or of a proxy or storage host in between: check the task with Get Status, and try again later.',
	});
}

/**
 * A file larger than n8n's `database` binary data mode stores (N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE): refused
 * before downloading when its Content-Length says so (`before`), stopped when its bytes pass the limit (`during`),
 * or refused by n8n itself (`after`). Nothing is stored in any case; retrying cannot help, so it is not transient.
 */
export function binaryStoreTooLargeError(
	ctx: ProblemContext,
	variant: string,
	facts: { sizeBytes: number | null; limitBytes: number | null; exact: boolean; stage: 'before' | 'during' | 'after' },
): NodeOperationError {
	const file = `The ${variant} of ${taskInSentence(ctx.taskId)}`;
	const limit = facts.limitBytes === null ? '' : facts.exact ? ` (${formatBytes(facts.limitBytes)})` : ` (at most ${formatBytes(facts.limitBytes)}, whatever its setting)`;
	const stores = `n8n's "database" binary data mode stores${limit}`;
	const size = facts.sizeBytes === null ? '' : ` is ${formatBytes(facts.sizeBytes)},`;
	const message =
		facts.stage === 'before'
			? `${file}${size} more than ${stores}; it was not downloaded`
			: facts.stage === 'during'
				? `${file} is more than ${stores}; the download was stopped and nothing was stored`
				: `${file}${size} more than ${stores}; nothing was stored`;
	return new NodeOperationError(ctx.node, message, {
		description:
			'This n8n keeps binary data in its database (N8N_DEFAULT_BINARY_DATA_MODE=database, the default in queue mode), which refuses files larger than N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (in MiB: 512 by default, 1024 at most). Raise that setting on every n8n instance (main and workers), up to 1024; for larger videos use S3 storage (N8N_DEFAULT_BINARY_DATA_MODE=s3) instead. The file stays at the provider until it expires, so the download can be run again afterwards.',
	});
}

/** Said beside a file when the provider sent another kind of file than the variant asked for. */
export function variantMismatchNotice(variant: string, mimeType: string, providerName: string): string {
	const kind = mimeType.startsWith('video/') ? 'a video' : mimeType.startsWith('image/') ? 'an image' : 'a file';
	return `Asked for the ${variant}, but ${providerName} sent ${kind} (${mimeType}); the file is named and typed as what arrived.`;
}

export function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
	if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
	return `${bytes} bytes`;
}

/** The credential test's answer when the Base URL redirects: the test never follows it, so the key stays put. */
export function baseUrlRedirectsMessage(httpCode: number): string {
	return `The Base URL redirects to another address (HTTP ${httpCode}), and the key is never sent on to a redirect. Enter the final address as the Base URL (often https:// instead of http://, or the provider's current API host).`;
}

export function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	if (seconds < 120) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	const rest = seconds % 60;
	return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** The trigger met a 429: it stops asking at once and carries the rest to a later poll. */
export function triggerRateLimitedError(ctx: ProblemContext, waiting: number, notBefore: number | null): NodeApiError {
	const when = notBefore ? `from ${new Date(notBefore).toISOString()} (the provider's Retry-After)` : 'on the next poll';
	const rest = waiting > 0 ? `${waiting} task${waiting === 1 ? '' : 's'} still to check or download` : 'the remaining checks';
	const error = apiError(
		ctx.node,
		{ kind: 'rateLimited', httpCode: 429 },
		`${ctx.provider.displayName} is rate limiting requests (HTTP 429): the trigger stopped this poll and continues ${when}`,
		`Nothing is lost: ${rest} wait for that poll. If this keeps happening, poll less often ("Poll Times"), lower "Max Concurrent Requests", or watch fewer tasks.`,
		429,
	);
	// n8n's durable scheduler reads this and waits at least that long before the next poll.
	const retryAfterMs = notBefore ? Math.max(0, notBefore - Date.now()) : undefined;
	error.failure = retryAfterMs ? { cause: 'rate-limited', retryAfterMs } : { cause: 'rate-limited' };
	return markTransient(error);
}

/** The trigger was refused access (403) to some watched tasks while others answered. */
export function triggerForbiddenTasksError(ctx: ProblemContext, taskIds: string[]): NodeOperationError {
	const shown = taskIds.slice(0, 5).map((id) => `"${id}"`).join(', ');
	const more = taskIds.length > 5 ? ` and ${taskIds.length - 5} more` : '';
	return new NodeOperationError(ctx.node, `${ctx.provider.displayName} refused access to the task${taskIds.length > 1 ? 's' : ''} ${shown}${more} (HTTP 403)`, {
		description: `The other watched tasks are checked as usual. Check that these tasks belong to the account of the "${ctx.provider.credentialDisplayName}" credential, or remove them from "Task IDs".`,
	});
}

/** Put in `downloadError` when a file never fits in the trigger's time budget: the event fires without it. */
export function downloadOverBudgetMessage(taskId: string, budgetMs: number, attempts: number): string {
	return `The download of task "${taskId}" did not finish within the trigger's poll time budget (${formatDuration(budgetMs)}) in ${attempts} polls. Download it in the workflow with the Sora Video node (Download Content), or raise "Poll Time Budget" (${POLL_BUDGET_CAP_NOTE}).`;
}

/** A numeric option set (by expression) to something that is not a number: refused before any request. */
export function notANumberError(node: INode, option: { displayName: string; min: number; max: number }, value: unknown, itemIndex: number): NodeOperationError {
	const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value;
	return createInputError(node, `"${option.displayName}" is ${shown}, not a number`, `Enter a number from ${option.min} to ${option.max}, or an expression that gives one.`, itemIndex);
}

/** What Stop says when it came after Generate created its task: the task runs on, and its ID picks it up. */
export function cancelledAfterCreateText(taskId: string): { message: string; description: string } {
	return {
		message: `The execution was cancelled after task "${taskId}" was created`,
		description: `The task goes on at the provider and is paid for: to get its file, use Get Status or Download Content with the ID "${taskId}" rather than generating it again.`,
	};
}

/** What Stop says when it came while a create (or remix) request was on its way: a task may exist. */
export function cancelledDuringCreateText(ctx: ProblemContext, findHow: string): { message: string; description: string } {
	return {
		message: `The execution was cancelled while the ${ctx.action} request was waiting for its answer: ${ctx.provider.displayName} may have created a task`,
		description: `Before running again, check whether a task with this prompt exists: ${findHow}.`,
	};
}

/** Added to an error after Generate created its task, when the message does not name it yet. */
export function createdTaskNote(taskId: string): string {
	return `; task "${taskId}" was created`;
}

/** Added to the description of every error after Generate created its task. */
export function createdTaskHint(taskId: string): string {
	return `The task was created (ID "${taskId}"): to get its file later, use Get Status or Download Content with this ID rather than generating it again.`;
}

/**
 * A status, list or model answer (or a file, to the same host by another scheme, or to the same path elsewhere)
 * redirected to another origin: the Base URL is not the API's address. Not followed, so the key stays put.
 */
export function baseUrlRedirectError(httpCode: number, targetOrigin: string, ctx: ProblemContext): NodeApiError {
	// Only the origin of the Location is shown (never its path or query, which may carry a signature).
	const target = redact(targetOrigin, ctx.secrets);
	return apiError(
		ctx.node,
		{ kind: 'baseUrlRedirect', httpCode, location: target },
		`${ctx.provider.displayName}'s Base URL redirects to another address (HTTP ${httpCode}: ${target})`,
		`The request was not sent on there, and the key is never sent on to a redirect. Enter the final address as the Base URL in the "${ctx.provider.credentialDisplayName}" credential (often https:// instead of http://, or the provider's current API host).`,
		httpCode,
	);
}

/** A Variant or Also Download value that is not one of the node's variants (set by expression). */
export function unknownVariantError(node: INode, value: unknown, itemIndex: number): NodeOperationError {
	const shown = JSON.stringify(String(value).slice(0, 40));
	return createInputError(node, `${shown} is not a variant`, 'Choose video, thumbnail or spritesheet.', itemIndex);
}

/** A variant the provider does not serve, found before any request (Generate would otherwise pay first). */
export function unsupportedVariantError(node: INode, provider: ProviderDefinition, variant: string, itemIndex: number): NodeOperationError {
	return createInputError(
		node,
		`${provider.displayName} does not offer the "${variant}" variant`,
		'Choose the "Video" variant, and no thumbnail or spritesheet under "Also Download". Thumbnails and spritesheets are offered by VoidAI and OpenAI-compatible gateways that support `?variant=`.',
		itemIndex,
	);
}

/** Two files of one step would land in the same binary field, the second overwriting the first. */
export function binaryFieldTakenError(node: INode, field: string, itemIndex: number): NodeOperationError {
	return createInputError(
		node,
		`Two files would go into the binary field "${field}"`,
		`"Also Download" puts each file into the field named after it (thumbnail, spritesheet, video). Choose another "Put Output File in Field" than "${field}".`,
		itemIndex,
	);
}

/** What the credential test's answer should add for a credential with more than a key and a Base URL. */
export interface CredentialTestWording {
	/** The credential has an Authentication choice between an API key and a frontend token (each tested at its own address). */
	authChoice?: boolean;
	/** The credential names the header that carries the key, and the gateway is unknown (it may lack GET /models). */
	customHeader?: boolean;
}

/** The HTTP codes the credential test explains; n8n shows any other code's status text. */
export const CREDENTIAL_TEST_CODES = [401, 403, 404, 429, 500, 502, 503, 504] as const;

/**
 * The credential test's answers, by HTTP code, saying what the node says for the same mistake. n8n's tester
 * matches them on the status code alone and shows them as they are, so they name no Base URL or key.
 */
export function credentialTestMessages(provider: ProviderDefinition, wording: CredentialTestWording = {}): Record<(typeof CREDENTIAL_TEST_CODES)[number], string> {
	const name = provider.displayName;
	const key = wording.authChoice ? 'API key or frontend token' : 'API key';
	const whereKeys = provider.keyHelpUrl ? ` (from ${provider.keyHelpUrl})` : '';
	let keyAdvice = `Check the ${wording.authChoice ? 'key' : 'API Key field'}: paste the whole key again${whereKeys}. A key works only at the provider that issued it, so the Base URL must be ${name}'s.`;
	if (wording.authChoice) {
		keyAdvice += ' An sk-... key goes with Authentication "API Key"; a frontend JWT from the website goes with "Frontend Token".';
	}
	if (wording.customHeader) {
		keyAdvice = `Check the API Key, and that Header Name and Header Value Prefix are what the gateway expects (Authorization and "Bearer " for most; api-key and nothing for Azure OpenAI).`;
	}
	const notChecked = 'the key was not checked';
	const serverError = (code: number) => `${name} had a server error (HTTP ${code}), so ${notChecked}. Try again later; if it persists, check the Base URL.`;
	const missingModels = wording.customHeader ? ' (The test asks <Base URL>/models; a gateway without that route also answers 404.)' : '';
	return {
		401: `${name} rejected the ${key} (HTTP 401). ${keyAdvice}`,
		// A 403 is the key's permissions or a firewall in front of the gateway (a CDN's block page never saw the key):
		// the rule sees only the code, so both are named.
		403: `${name} refused access (HTTP 403). Either the ${key} may not use this endpoint (check the key's permissions and that the account is active), or a firewall or CDN in front of the gateway blocked the n8n server before the key was checked.`,
		404: `${name} does not serve this address (HTTP 404): the Base URL is probably wrong. It must be the API root that /videos is appended to, for example ${exampleBaseUrl(provider)}. A missing or extra "/v1" is the usual cause.${missingModels}`,
		429: `${name} is rate limiting requests (HTTP 429), so ${notChecked}. Test again in a minute.`,
		500: serverError(500),
		502: serverError(502),
		503: serverError(503),
		504: serverError(504),
	};
}

/**
 * A 200 at <Base URL>/models that is not the API's model list (it has no `data`): a web page, typically a
 * self-hosted gateway's web UI answering every path its API does not route, so the key was not checked.
 */
export function credentialTestNotTheApiMessage(provider: ProviderDefinition): string {
	return `The Base URL answered, but not with ${provider.displayName}'s API: <Base URL>/models sent no model list (a web page, such as a gateway's web UI answering paths its API does not serve), so the key was not checked. The Base URL must be the API root that /videos is appended to, for example ${exampleBaseUrl(provider)}. A missing "/v1" is the usual cause.`;
}

/**
 * n8n's credential test shows a network failure as its bare code (no rule can match it), so the Base URL
 * field, which those codes are about, says what they mean.
 */
export const unreachableBaseUrlHint =
	'If the test answers ENOTFOUND, ECONNREFUSED or ETIMEDOUT, n8n could not reach this address: check its spelling, and that the n8n server may reach it (proxy, firewall).';

// ---- Sora Video Trigger (added by the trigger's work; kept together at the end) ----

/** A poll that sends nothing because an earlier poll's 429 asked to wait (capped, see RETRY_AFTER_CAP_MS). */
export function triggerWaitingForRetryAfterError(ctx: ProblemContext, waiting: number, notBefore: number, capMinutes: number): NodeApiError {
	const rest = waiting > 0 ? `${waiting} task${waiting === 1 ? '' : 's'} still to check or download` : 'the remaining checks';
	const error = apiError(
		ctx.node,
		{ kind: 'rateLimited', httpCode: 429 },
		`${ctx.provider.displayName} asked to wait (HTTP 429 with Retry-After): this poll sent no request, and polling resumes from ${new Date(notBefore).toISOString()}`,
		`Nothing is lost: ${rest} wait for that poll. The trigger waits at most ${capMinutes} minutes after a 429, whatever the provider's Retry-After says.`,
		429,
	);
	const retryAfterMs = Math.max(0, notBefore - Date.now());
	error.failure = retryAfterMs ? { cause: 'rate-limited', retryAfterMs } : { cause: 'rate-limited' };
	return markTransient(error);
}

/** Put on a test event ("Fetch Test Event") to say which task was chosen, and why. */
export function testEventChoiceNotice(event: string, checked: number, completedFound: boolean, bothChosen: boolean): string {
	const tasks = `${checked} task${checked === 1 ? '' : 's'} checked`;
	if (!bothChosen) return `The most recent ${event} task of the ${tasks}.`;
	return completedFound
		? `A completed event: with Completed and Failed chosen, the test shows the most recent completed task (it has the file) of the ${tasks}.`
		: `A failed event: none of the ${tasks} has completed, so the most recent failed one is shown.`;
}

/** Task IDs the provider does not know (404), at most five shown. */
export function triggerUnknownTaskIdsError(node: INode, provider: ProviderDefinition, taskIds: string[]): NodeOperationError {
	const shown = taskIds.slice(0, 5).map((id) => `"${id}"`).join(', ');
	const more = taskIds.length > 5 ? ` and ${taskIds.length - 5} more` : '';
	return new NodeOperationError(node, `${provider.displayName} does not know the task ID${taskIds.length > 1 ? 's' : ''} ${shown}${more}`, {
		description: `Remove or correct them in "Task IDs", and check they were created with the account of the "${provider.credentialDisplayName}" credential.`,
	});
}

/** Watch "Task IDs" with no ID in it. */
export function triggerEmptyWatchListError(node: INode): NodeOperationError {
	return new NodeOperationError(node, 'The watch list is empty', {
		description: 'Enter at least one task ID in "Task IDs" (one per line or comma-separated), or watch all tasks.',
	});
}

/** "Fetch Test Event" found no task with a chosen event. */
export function triggerNoTestEventError(node: INode, checked: number, allTasks: boolean, events: string[]): NodeOperationError {
	const what = allTasks ? `most recent task${checked === 1 ? '' : 's'}` : `watched task${checked === 1 ? '' : 's'}`;
	return new NodeOperationError(node, `None of the ${checked} ${what} has ${events.join(' or ')} yet`, {
		description: 'The trigger fires when one does. To test now, watch a task that has already finished.',
	});
}

// ---- Downloads, the connection and the trigger's settings (moved here from content.ts, transport.ts and the trigger node) ----

/** A thumbnail or spritesheet asked of a provider without variants: the providers that have them come from the registry. */
export function variantNotOfferedError(node: INode, provider: ProviderDefinition, variant: string): NodeOperationError {
	const offering = PROVIDER_IDS.map((id) => PROVIDERS[id]).filter((candidate) => candidate.supportsVariants);
	return new NodeOperationError(node, `${provider.displayName} does not offer the "${variant}" variant`, {
		description: `Choose the "Video" variant. Thumbnails and spritesheets are offered by ${namesOf(offering, 'and')} (gateways that support \`?variant=\`).`,
	});
}

/** The task exists and completed, yet its file is gone: providers that do not report `expires_at` expire silently. */
export function contentGoneError(node: INode, provider: ProviderDefinition, taskId: string, httpCode: number | string | undefined): NodeOperationError {
	return new NodeOperationError(node, `The content of task "${taskId}" is no longer available at ${provider.displayName} (HTTP ${httpCode})`, {
		description: 'The task completed, but the provider no longer has its file; it has most likely expired. Generate the video again, and download it soon after it completes.',
	});
}

export function emptyFileError(node: INode, provider: ProviderDefinition, taskId: string): NodeOperationError {
	return new NodeOperationError(node, `${provider.displayName} sent an empty file for task "${taskId}"`, {
		description: 'The content is not available. Check the task status, and try again later.',
	});
}

/** A download that stalled, was cut short or failed mid-body, after its resumes ran out (`detail` is already redacted). */
export function downloadBrokeError(node: INode, taskId: string, how: 'stalled' | 'cutShort' | 'failed', detail: string, attempts: number): NodeOperationError {
	const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
	if (how === 'stalled') {
		return new NodeOperationError(node, `The download of task "${taskId}" stalled: ${detail}${tries}`, {
			description: 'The provider stopped sending data, or sent it too slowly to finish. Try again later, or raise the "Timeout" option.',
		});
	}
	const what = how === 'cutShort' ? `was cut short: ${detail}` : `failed while receiving the file: ${detail}`;
	return new NodeOperationError(node, `The download of task "${taskId}" ${what}${tries}`, {
		description: 'The connection to the provider broke before the whole file arrived, and it could not be resumed. Run the node again, or raise the "Retries" option.',
	});
}

export function invalidBaseUrlError(node: INode, provider: ProviderDefinition, baseUrl: string): NodeOperationError {
	return new NodeOperationError(node, `The base URL "${baseUrl}" in the "${provider.credentialDisplayName}" credential is not a valid URL`, {
		description: `Enter the API root, for example ${provider.defaultBaseUrl || 'https://gateway.example.com/v1'}.`,
	});
}

export function tooManyRedirectsError(node: INode, provider: ProviderDefinition, limit: number): NodeOperationError {
	return new NodeOperationError(node, `${provider.displayName} redirected more than ${limit} times`, {
		description: `Check the Base URL in the "${provider.credentialDisplayName}" credential.`,
	});
}

export function noTriggerEventError(node: INode): NodeOperationError {
	return new NodeOperationError(node, 'No event is selected', { description: 'Choose Completed, Failed, or both in "Events".' });
}

/** A 206 to a download sent without Range, whose slice is not the file's start or does not say the file's size. */
export function partialAnswerError(node: INode, provider: ProviderDefinition, taskId: string, contentRange: string | undefined): NodeOperationError {
	return new NodeOperationError(node, `${provider.displayName} answered the download of task "${taskId}" with a part of a file (HTTP 206, Content-Range "${contentRange ?? 'missing'}"), not the whole file`, {
		description: 'Nothing was stored. A proxy or CDN in front of the provider may be serving slices: run the node again, and if it persists, download without that proxy.',
	});
}

/** The trigger's download kept answering "not ready" (or with an expired link) for this many polls: fired without the file. */
export function downloadStillNotReadyMessage(lastMessage: string, polls: number): string {
	return `${lastMessage} (asked on ${polls} polls; the event fires without the file)`;
}

/** A watched task whose status word the node cannot read: said on every poll instead of waiting in silence. */
export function unknownStatusWordError(node: INode, provider: ProviderDefinition, taskId: string, word: string | null): NodeOperationError {
	const said = word ? `"${word.slice(0, 64)}"` : 'no status';
	return new NodeOperationError(node, `${provider.displayName} reports task "${taskId}" with status ${said}, which the Sora Video Trigger cannot read`, {
		description: 'The task is checked again on every poll and fires once its status is a known word (queued, in progress, completed, failed and their common variants). If this word means finished, please report it so it can be added.',
	});
}

/** n8n's own limit on one poll caps "Poll Time Budget": said wherever the budget is blamed. */
const POLL_BUDGET_CAP_NOTE = "n8n's own limit on one poll caps it: about 5 minutes in the default engine, N8N_SCHEDULER_POLL_TIMEOUT with the durable scheduler";

/** A poll in which no status check answered within the budget: the provider is slower than the budget allows. */
export function statusChecksOverBudgetError(ctx: ProblemContext, unanswered: number, budgetMs: number): NodeOperationError {
	return new NodeOperationError(
		ctx.node,
		`${ctx.provider.displayName} answered none of ${unanswered} status check${unanswered === 1 ? '' : 's'} within the trigger's poll time budget (${formatDuration(budgetMs)})`,
		{
			description: `The tasks are checked again on the next poll, but while the provider answers this slowly nothing can fire. Raise "Poll Time Budget" (${POLL_BUDGET_CAP_NOTE}), or check the provider's status.`,
		},
	);
}
