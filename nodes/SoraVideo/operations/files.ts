/** Downloading one or more files of a task into an item, as Download Content and Generate do. */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DownloadResult } from '../../shared/content';
import { assertVariantSupported, downloadContent } from '../../shared/content';
import { binaryFieldTakenError, unknownVariantError, unsupportedVariantError } from '../../shared/problems';
import type { ContentVariant } from '../../shared/providers';
import { PROVIDER_IDS, PROVIDERS } from '../../shared/providers';
import type { VideoApiClient } from '../../shared/transport';

/** Where the download's facts go in the output JSON: one key of ours, so the user's fields stay as they were. */
export const FILES_FIELD = 'soraVideoFiles';

const VARIANTS: ContentVariant[] = ['video', 'thumbnail', 'spritesheet'];

/** "Also Download": more files of the same task, each into a binary field named after it. Only where variants exist. */
export const alsoDownloadOption: INodeProperties = {
	displayName: 'Also Download',
	name: 'alsoDownload',
	type: 'multiOptions',
	options: [
		{ name: 'Spritesheet', value: 'spritesheet', description: 'Into the binary field "spritesheet"' },
		{ name: 'Thumbnail', value: 'thumbnail', description: 'Into the binary field "thumbnail"' },
		{ name: 'Video', value: 'video', description: 'Into the binary field "video"' },
	],
	default: [],
	description: 'Other files of the same task to download in the same step, each into a binary field named after it',
	displayOptions: { show: { '/provider': PROVIDER_IDS.filter((id) => PROVIDERS[id].supportsVariants) } },
};

export const fileNameOption: INodeProperties = {
	displayName: 'File Name',
	name: 'fileName',
	type: 'string',
	default: '',
	placeholder: 'my-video.mp4',
	description: 'Name of the output file. By default the provider\'s Content-Disposition name, else &lt;taskId&gt;.&lt;ext&gt;.',
};

export interface FileRequest {
	variant: ContentVariant;
	property: string;
	fileName?: string;
}

function isVariant(value: unknown): value is ContentVariant {
	return VARIANTS.includes(value as ContentVariant);
}

/** "Also Download" as the editor stores it (a list), or as an expression may give it ("thumbnail, spritesheet"). */
function alsoValues(also: unknown): unknown[] {
	if (Array.isArray(also)) return also;
	if (typeof also === 'string') return also.split(',').map((value) => value.trim()).filter((value) => value !== '');
	return [];
}

/**
 * The main file plus the "Also Download" ones, without repeating a variant, checked before any request: each is a
 * variant the provider serves, and no two go into the same binary field. Generate creates (and pays for) a video
 * first, so what could only fail at the download must fail here.
 */
export function fileRequests(client: VideoApiClient, main: FileRequest, also: unknown, itemIndex: number): FileRequest[] {
	const { node, provider } = client;
	const requests: FileRequest[] = [];
	for (const [index, value] of [main.variant, ...alsoValues(also)].entries()) {
		if (!isVariant(value)) throw unknownVariantError(node, value, itemIndex);
		if (value !== 'video' && !provider.supportsVariants) throw unsupportedVariantError(node, provider, value, itemIndex);
		if (requests.some((request) => request.variant === value)) continue;
		const request = index === 0 ? main : { variant: value, property: value };
		if (requests.some((other) => other.property === request.property)) throw binaryFieldTakenError(node, request.property, itemIndex);
		requests.push(request);
	}
	return requests;
}

export interface DownloadedFiles {
	binary: Record<string, IBinaryData>;
	facts: Record<string, DownloadResult['json']>;
}

/** Checks every variant before any request, then downloads the files one after another (each streamed). */
export async function downloadFiles(fn: IExecuteFunctions, client: VideoApiClient, taskId: string, requests: FileRequest[]): Promise<DownloadedFiles> {
	for (const request of requests) assertVariantSupported(client, request.variant);
	const out: DownloadedFiles = { binary: {}, facts: {} };
	for (const request of requests) {
		const { binary, json } = await downloadContent(fn, client, { taskId, variant: request.variant, fileName: request.fileName });
		out.binary[request.property] = binary;
		out.facts[request.property] = json;
	}
	return out;
}

/** Adds facts under `soraVideoFiles.<binary field>`, keeping facts already there from an earlier download. */
export function withFileFacts(json: IDataObject, facts: DownloadedFiles['facts']): IDataObject {
	const previous = json[FILES_FIELD];
	const files: IDataObject = previous !== null && typeof previous === 'object' && !Array.isArray(previous) ? { ...(previous as IDataObject) } : {};
	for (const [property, fact] of Object.entries(facts)) files[property] = { ...fact };
	return { ...json, [FILES_FIELD]: files };
}
