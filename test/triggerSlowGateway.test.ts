/**
 * A gateway whose status answers take longer than the poll's time budget (but within Timeout): every poll cut its
 * checks at the budget and ended with neither items nor an error, for ever (found by an outside review). Now each
 * such poll is an error naming the budget and n8n's own cap. Budget 1 s, answers in 1.5 s, through n8n-core's real
 * poll context on 127.0.0.1.
 */
import { createPoller } from './harness/engine';
import type { TestServer } from './harness/server';
import { startServer } from './harness/server';

let server: TestServer;
afterEach(async () => server.close());

it('no status check answered within the budget: each poll says so, with the budget and its cap', async () => {
	server = await startServer();
	server.route('GET', '/v1/videos/video_1', (_req, res) => {
		setTimeout(() => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ id: 'video_1', object: 'video', status: 'completed', progress: 100, created_at: 1764748800 }));
		}, 1500);
	});
	const t = await createPoller({
		nodeType: 'soraVideoTrigger',
		parameters: { provider: 'openAiCompatible', watch: 'taskIds', taskIds: 'video_1', events: ['completed'], options: { retries: 0, retryDelay: 1, pollTimeBudget: 1, timeout: 120 } },
		credentials: { openAiCompatibleVideoApi: { apiKey: 'sk-review-0123456789abcdef', baseUrl: server.url } },
	});
	const outcomes: string[] = [];
	for (let i = 0; i < 3; i++) {
		try {
			const result = await t.poll();
			outcomes.push(result ? 'fired' : 'nothing');
		} catch (error) {
			outcomes.push(`error: ${(error as Error).message} | ${(error as { description?: string }).description ?? ''}`);
		}
	}
	expect(outcomes.length).toBe(3);
	for (const outcome of outcomes.slice(1)) {
		expect(outcome).toMatch(/^error: OpenAI-Compatible Gateway answered none of 1 status check within the trigger's poll time budget \(1 s(econds?)?\) \| .*Poll Time Budget.*n8n's own limit on one poll/);
	}
});
