/** Create: `POST /videos`, for any model a gateway serves. Also the first half of Generate. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

import { requestOptions } from '../../shared/descriptions';
import type { CreateRequest } from '../../shared/taskWrites';
import { createTask } from '../../shared/taskWrites';
import type { FilePart } from '../../shared/multipart';
import { extensionFor, headOfStoredFile, sniffMimeType } from '../../shared/media';
import { createInputProblems } from '../../shared/problems';
import { optionsCollection, promptField } from './common';
import type { OperationContext } from './operation';
import { defineOperation } from './operation';
import { storedFile } from './sourceVideo';

/** Default first, then shortest to longest. */
const SECONDS_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Model Default', value: '' },
	{ name: '4', value: '4' },
	{ name: '5', value: '5' },
	{ name: '8', value: '8' },
	{ name: '10', value: '10' },
	{ name: '12', value: '12' },
];

/** Default first, then by shape (portrait, then landscape), smallest first. */
const SIZE_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Model Default', value: '' },
	{ name: '720x1280 (Portrait)', value: '720x1280' },
	{ name: '1024x1792 (Tall, Pro)', value: '1024x1792' },
	{ name: '1280x720 (Landscape)', value: '1280x720' },
	{ name: '1792x1024 (Wide, Pro)', value: '1792x1024' },
	{ name: '1920x1080 (Full HD Landscape)', value: '1920x1080' },
];

/** The fields Create and Generate share: Prompt right after Model, as n8n's OpenAI node has it. */
export function createFields(): INodeProperties[] {
	return [
		{
			displayName: 'Model',
			name: 'model',
			type: 'resourceLocator',
			default: { mode: 'list', value: 'sora-2' },
			required: true,
			description: 'The video model. Gateways serve many (sora-2, veo-3, kling, seedance, ...); the list shows the ones this gateway offers.',
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					typeOptions: { searchListMethod: 'searchModels', searchable: true },
				},
				{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'sora-2' },
			],
		},
		promptField('What the video should show'),
		{
			displayName: 'Seconds',
			name: 'seconds',
			type: 'options',
			// Gateways take more than OpenAI's list (VoidAI: 10): any value set by expression is sent as it is.
			allowArbitraryValues: true,
			// The default first, then shortest to longest (a named list: n8n's rule would sort it as text).
			options: SECONDS_OPTIONS,
			default: '',
			description: 'Length of the video. Other values the gateway accepts can be set with an expression.',
		},
		{
			displayName: 'Size',
			name: 'size',
			type: 'options',
			allowArbitraryValues: true,
			// The default first, then by shape (a named list: n8n's rule would sort it as text, 1024x1792 before 720x1280).
			options: SIZE_OPTIONS,
			default: '',
			description: 'Width x height of the video. Other values the gateway accepts can be set with an expression.',
		},
	];
}

/** Options of Create and Generate that shape the request (beside the request options). */
export const createOptions: INodeProperties[] = [
	{
		displayName: 'Reference Image Field',
		name: 'referenceImageField',
		type: 'string',
		default: '',
		placeholder: 'data',
		description: 'Name of the input item\'s binary field holding an image to start from; sent as the input_reference file, streamed, with its own MIME type',
	},
	{
		displayName: 'Reference Image URL',
		name: 'referenceImageUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/first-frame.png',
		description: 'An image to start from, by URL; the request is then sent as JSON with input_reference.image_url',
	},
	{
		displayName: 'Extra Fields (JSON)',
		name: 'extraFields',
		type: 'json',
		default: '{}',
		description:
			'Gateway- or vendor-specific fields merged into the request, for example {"metadata": {"duration": 6, "resolution": "1080p"}} for new-api\'s Veo, Kling or Seedance routes',
	},
];


interface CreateOptionValues {
	referenceImageField?: string;
	referenceImageUrl?: string;
	extraFields?: string | IDataObject;
}

function readExtraFields(fn: IExecuteFunctions, value: CreateOptionValues['extraFields'], itemIndex: number): IDataObject {
	if (value === undefined || value === '') return {};
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = jsonParse(value);
		} catch {
			throw createInputProblems.extraFieldsNotJson(fn.getNode(), itemIndex);
		}
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw createInputProblems.extraFieldsNotObject(fn.getNode(), itemIndex);
	}
	return parsed as IDataObject;
}

/** Types a reference may be sent as: an image, or a video for the models that start from one. */
const MEDIA_TYPE = /^(image|video)\//i;

/** Other names of an extension, so `photo.jpeg` keeps its name when it is a JPEG. */
const SAME_EXTENSION: Record<string, string[]> = { jpg: ['jpeg', 'jpe'], heic: ['heif'], heif: ['heic'], mov: ['qt'], mp4: ['m4v'] };

/** The file name with the extension of what the bytes are: `ref.bin` -> `ref.png`, `download` -> `download.jpg`. */
function withExtension(name: string, mimeType: string): string {
	const extension = extensionFor(mimeType);
	const dot = name.lastIndexOf('.');
	const current = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
	if (current === extension || (SAME_EXTENSION[extension] ?? []).includes(current)) return name;
	const stem = dot > 0 && /^[a-z0-9]{1,8}$/i.test(current) ? name.slice(0, dot) : name;
	return `${stem}.${extension}`;
}

/**
 * The reference image from the input item's binary field: streamed from n8n's store when it is there. A file
 * typed as something else (`application/octet-stream`, as S3 and bucket downloads are) is sent as what its first
 * bytes say it is, when they are an image (or a video); anything else is refused before any request.
 */
async function referenceImage(fn: IExecuteFunctions, field: string, itemIndex: number): Promise<FilePart> {
	const binary = fn.helpers.assertBinaryData(itemIndex, field);
	const declared = binary.mimeType || 'application/octet-stream';
	let fileName = binary.fileName || `reference.${binary.fileExtension || 'png'}`;
	const part = await storedFile(fn, binary);
	let mimeType = declared;
	if (!MEDIA_TYPE.test(declared)) {
		const sniffed = sniffMimeType(await headOfStoredFile(part.open));
		if (sniffed === null || !MEDIA_TYPE.test(sniffed)) {
			throw createInputProblems.referenceNotImage(fn.getNode(), field, declared, itemIndex);
		}
		mimeType = sniffed;
		fileName = withExtension(fileName, sniffed);
	}
	return { field: 'input_reference', fileName, mimeType, ...part };
}

/** Reads Create's (and Generate's) parameters for one item, refusing what cannot work before any request. */
export async function readCreateRequest(fn: IExecuteFunctions, itemIndex: number): Promise<CreateRequest> {
	const node = fn.getNode();
	const model = String(fn.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!model) throw createInputProblems.noModel(node, itemIndex);
	const prompt = String(fn.getNodeParameter('prompt', itemIndex, '') ?? '').trim();
	if (!prompt) throw createInputProblems.emptyPrompt(node, itemIndex);
	const options = fn.getNodeParameter('options', itemIndex, {}) as CreateOptionValues;
	const imageField = (options.referenceImageField ?? '').trim();
	const imageUrl = (options.referenceImageUrl ?? '').trim();
	if (imageField && imageUrl) {
		throw createInputProblems.twoReferences(node, itemIndex);
	}
	if (imageUrl && !/^https?:\/\//i.test(imageUrl)) {
		throw createInputProblems.referenceUrlNotHttp(node, imageUrl, itemIndex);
	}
	return {
		model,
		prompt,
		seconds: String(fn.getNodeParameter('seconds', itemIndex, '') ?? '').trim() || undefined,
		size: String(fn.getNodeParameter('size', itemIndex, '') ?? '').trim() || undefined,
		referenceImage: imageField ? await referenceImage(fn, imageField, itemIndex) : undefined,
		referenceImageUrl: imageUrl || undefined,
		extraFields: readExtraFields(fn, options.extraFields, itemIndex),
	};
}

async function execute(ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const request = await readCreateRequest(ctx.fn, itemIndex);
	const { task } = await createTask(ctx.client, request);
	return [{ json: { ...task } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}

export const create = defineOperation({
	name: 'create',
	resource: 'video',
	displayName: 'Create',
	action: 'Create a video',
	summary: 'Start generating a video from a prompt (and optionally an image); returns the queued task and its ID',
	subtitle: 'Create Video',
	properties: [...createFields(), optionsCollection([...createOptions, ...requestOptions])],
	needs: 'create',
	execute,
});
