/** The Model list search in the editor: the video models the gateway behind the chosen credential offers. */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { clientFor } from '../shared/clientFor';
import { isJsonObject } from '../shared/dialect';
import type { VideoApiClient } from '../shared/transport';
import { BODY_LIMITS, DEFAULT_RETRY_OPTIONS } from '../shared/transport';

export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const providerId = String(this.getCurrentNodeParameter('provider') ?? this.getNodeParameter('provider', ''));
	const { client } = await clientFor(this, providerId);
	// The editor waits on this list: fail fast rather than retry for a minute.
	return { results: await listModels(client({ ...DEFAULT_RETRY_OPTIONS, maxRetries: 1, timeoutMs: 20_000 }), filter) };
}

export interface ModelChoice {
	name: string;
	value: string;
}

/** Names of video models; a gateway's `/models` also lists chat, image and audio models. */
const VIDEO_MODEL = /sora|veo|kling|seedance|hailuo|vidu|\bwan|jimeng|runway|gen-?[34]|luma|ray-|pika|minimax|hunyuan.*video|mochi|ltx|cogvideo|pixverse|video|t2v|i2v/i;

/** `GET /models`, the video models first (all models when none looks like one), filtered by `search`. */
export async function listModels(client: VideoApiClient, search?: string): Promise<ModelChoice[]> {
	const result = await client.getJson('/models', { action: 'model list', maxBytes: BODY_LIMITS.list });
	if (!result.ok) throw client.errorFor(result.problem, 'model list', undefined, result.attempts);
	const body = result.body;
	const data = Array.isArray(body) ? body : isJsonObject(body) && Array.isArray(body.data) ? body.data : [];
	const ids = data
		.map((entry: unknown) => (isJsonObject(entry) ? entry.id : entry))
		.filter((id: unknown): id is string => typeof id === 'string' && id.trim() !== '');
	const video = ids.filter((id) => VIDEO_MODEL.test(id));
	const offered = [...new Set(video.length > 0 ? video : ids)].sort();
	const needle = search?.trim().toLowerCase();
	return offered.filter((id) => !needle || id.toLowerCase().includes(needle)).map((id) => ({ name: id, value: id }));
}
