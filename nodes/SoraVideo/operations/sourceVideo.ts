/** The source video of Edit and Create Character: a file from the input item's binary field, streamed, never whole. */
import type { IBinaryData, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { extensionFor, headOfStoredFile, sniffMimeType } from '../../shared/media';
import type { FilePart } from '../../shared/multipart';
import { createInputProblems } from '../../shared/problems';

export const videoFieldProperty: INodeProperties = {
	displayName: 'Video Field',
	name: 'videoField',
	type: 'string',
	required: true,
	default: 'data',
	placeholder: 'data',
	description: "Name of the input item's binary field holding the video; it is streamed to the provider as the multipart `video` file",
};

/**
 * The video in `field`, as a multipart file part opened afresh per attempt: streamed from n8n's binary store (or
 * its in-memory copy). A file typed as something else (`application/octet-stream` from a bucket) is sent as what
 * its first bytes say, when they are a video; anything else is refused before any request.
 */
export async function videoFromBinaryField(fn: IExecuteFunctions, field: string, itemIndex: number): Promise<FilePart> {
	if (field === '') throw createInputProblems.emptyVideoField(fn.getNode(), itemIndex);
	const binary = fn.helpers.assertBinaryData(itemIndex, field);
	const declared = binary.mimeType || 'application/octet-stream';
	const part = await storedFile(fn, binary);
	let mimeType = declared;
	if (!/^video\//i.test(declared)) {
		const sniffed = sniffMimeType(await headOfStoredFile(part.open));
		if (sniffed === null || !/^video\//i.test(sniffed)) throw createInputProblems.sourceNotVideo(fn.getNode(), field, declared, itemIndex);
		mimeType = sniffed;
	}
	const fileName = binary.fileName || `video.${binary.fileExtension || extensionFor(mimeType)}`;
	return { field: 'video', fileName, mimeType, ...part };
}

/** A binary field's file, opened from n8n's binary store, or from the item itself in n8n's in-memory mode (base64). */
export async function storedFile(fn: IExecuteFunctions, binary: IBinaryData): Promise<Pick<FilePart, 'open' | 'size'>> {
	if (binary.id) {
		const id = binary.id;
		const { fileSize } = await fn.helpers.getBinaryMetadata(id);
		return { size: fileSize, open: async () => await fn.helpers.getBinaryStream(id) };
	}
	const bytes = Buffer.from(binary.data, BINARY_ENCODING);
	return { size: bytes.length, open: async () => bytes };
}
