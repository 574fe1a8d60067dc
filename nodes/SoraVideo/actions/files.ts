/** Downloading one or more files of a task into an item, as Download Content and Generate do. */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DownloadResult } from '../../shared/content';
import { assertVariantSupported, downloadContent } from '../../shared/content';
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

export interface FileRequest {
	variant: ContentVariant;
	property: string;
	fileName?: string;
}

/** The main file plus the "Also Download" ones, without repeating a variant. */
export function fileRequests(main: FileRequest, also: unknown): FileRequest[] {
	const extra = (Array.isArray(also) ? also : []).filter((variant): variant is ContentVariant => VARIANTS.includes(variant as ContentVariant));
	const requests = [main];
	for (const variant of extra) {
		if (!requests.some((request) => request.variant === variant)) requests.push({ variant, property: variant });
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
