/**
 * Status words the node did not know (found by an outside review): Kling's "succeed" or an aggregator's "timeout"
 * kept a watched task "unknown" for ever, with no event and no error. Vendors' common words are read; a word still
 * unknown is an error on every poll that names it. Driven through n8n-core's real poll context on 127.0.0.1.
 */
import { mapStatus } from '../nodes/shared/dialect';
import { createPoller } from './harness/engine';
import type { TestServer } from './harness/server';
import { startServer } from './harness/server';

let server: TestServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

it.each([
	['succeed', 'completed'],
	['SUCCESSFUL', 'completed'],
	['finished', 'completed'],
	['timeout', 'failed'],
	['timed_out', 'failed'],
	['fail', 'failed'],
	['in_queue', 'queued'],
	['Queueing', 'queued'],
	['generating', 'in_progress'],
	['dreaming', 'in_progress'],
])('"%s" reads as %s', (word, status) => {
	expect(mapStatus(word)).toBe(status);
});

async function pollsOf(word: string, polls: number): Promise<string[]> {
	const gateway = await startServer();
	server = gateway;
	gateway.route('GET', '/v1/videos/video_1', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ id: 'video_1', status: word, progress: 100, created_at: 1764748800 }));
	});
	const t = await createPoller({
		nodeType: 'soraVideoTrigger',
		parameters: { provider: 'openAiCompatible', watch: 'taskIds', taskIds: 'video_1', events: ['completed', 'failed'], options: { retries: 0, retryDelay: 1 } },
		credentials: { openAiCompatibleVideoApi: { apiKey: 'sk-review-0123456789abcdef', baseUrl: gateway.url } },
	});
	const outcomes: string[] = [];
	for (let i = 0; i < polls; i++) {
		const result = await t.poll().catch((error: Error) => error);
		if (result instanceof Error) outcomes.push(`error: ${result.message}`);
		else outcomes.push(result === null ? 'nothing' : `fired ${result[0].map((item) => String(item.json.status)).join(',')}`);
	}
	return outcomes;
}

it("Kling's \"succeed\" fires a completed event once", async () => {
	const outcomes = await pollsOf('succeed', 4);
	expect(outcomes.filter((outcome) => outcome !== 'nothing')).toEqual(['fired completed']);
});

it('a word still unknown is an error on every poll, naming the word, and never fires', async () => {
	const outcomes = await pollsOf('mystery_state', 4);
	expect(outcomes.slice(1)).toEqual(Array(3).fill('error: OpenAI-Compatible Gateway reports task "video_1" with status "mystery_state", which the Sora Video Trigger cannot read'));
});
