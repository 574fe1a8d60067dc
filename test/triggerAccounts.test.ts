/**
 * All Tasks and the account behind the credential (found by an outside review): the baseline taken at the first
 * activation was kept when the credential was switched to another account or gateway, so the next activation fired
 * that account's whole history. The state now records whose it is (a fingerprint of provider, Base URL and key);
 * another account's state starts over with a new baseline. A pause of the same account loses nothing: tasks that
 * finished meanwhile fire once (README "When"). Through n8n-core's real poll contexts on 127.0.0.1.
 */
import type { ServerResponse } from 'http';

import { createPoller } from './harness/engine';
import type { TestServer } from './harness/server';
import { startServer } from './harness/server';

const KEY = 'sk-review-0123456789abcdef';
const servers: TestServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async (s) => s.close()));
});

function json(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json' });
	res.end(JSON.stringify(body));
}

async function gateway(prefix: string, count: number): Promise<TestServer> {
	const server = await startServer();
	servers.push(server);
	const now = Math.floor(Date.now() / 1000);
	const tasks = Array.from({ length: count }, (_, i) => ({ id: `${prefix}_${i}`, object: 'video', status: 'completed', progress: 100, created_at: now - 86400 * 30 - i * 60, model: 'sora-2' }));
	server.route('GET', '/v1/videos', (_req, res) => json(res, 200, { object: 'list', data: tasks, has_more: false, last_id: tasks[tasks.length - 1]?.id ?? null }));
	return server;
}

const parameters = { provider: 'openAiCompatible', watch: 'all', events: ['completed'], download: false, options: { retries: 0, retryDelay: 1 } };

it('switching the credential to another account and re-activating does not fire that account\'s old finished tasks', async () => {
	const accountA = await gateway('a', 3);
	const accountB = await gateway('b', 25);
	const workflowId = 'wf-review-switch';
	const first = await createPoller({
		nodeType: 'soraVideoTrigger',
		parameters,
		credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: accountA.url } },
		workflowId,
	});
	expect(await first.poll()).toBeNull(); // activation: baseline, nothing fires
	expect(await first.poll()).toBeNull();

	// Deactivate, pick the other account's credential, activate again (n8n keeps the static data).
	const saved = JSON.parse(JSON.stringify(first.staticData));
	const second = await createPoller({
		nodeType: 'soraVideoTrigger',
		parameters,
		credentials: { openAiCompatibleVideoApi: { apiKey: 'sk-other-account-999999', baseUrl: accountB.url } },
		staticData: saved,
		workflowId,
	});
	const activation = await second.poll();
	const fired = (activation?.[0] ?? []).map((item) => item.json.id);
	// Expected (README): the activation poll only takes note; old finished tasks do not fire.
	expect({ firedOnActivation: fired.length, sample: fired.slice(0, 3) }).toEqual({ firedOnActivation: 0, sample: [] });
});

it('re-activating the same account after a pause: tasks that finished while the workflow was inactive fire once, nothing else', async () => {
	const server = await startServer();
	servers.push(server);
	const now = Math.floor(Date.now() / 1000);
	const tasks: Array<Record<string, unknown>> = [{ id: 'old', object: 'video', status: 'completed', progress: 100, created_at: now - 3600, model: 'sora-2' }];
	server.route('GET', '/v1/videos', (_req, res) => json(res, 200, { object: 'list', data: [...tasks].reverse(), has_more: false }));
	const workflowId = 'wf-review-pause';
	const creds = { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } };
	const first = await createPoller({ nodeType: 'soraVideoTrigger', parameters, credentials: creds, workflowId });
	expect(await first.poll()).toBeNull();
	// Deactivated; meanwhile tasks are created and finish (made in the dashboard, by another workflow...).
	for (let i = 0; i < 5; i++) tasks.push({ id: `made_while_inactive_${i}`, object: 'video', status: 'completed', progress: 100, created_at: now - 600 + i, model: 'sora-2' });
	const second = await createPoller({ nodeType: 'soraVideoTrigger', parameters, credentials: creds, staticData: JSON.parse(JSON.stringify(first.staticData)), workflowId });
	const fired = ((await second.poll())?.[0] ?? []).map((item) => String(item.json.id));
	const later = ((await second.poll())?.[0] ?? []).map((item) => String(item.json.id));
	expect([...fired, ...later].sort()).toEqual(['made_while_inactive_0', 'made_while_inactive_1', 'made_while_inactive_2', 'made_while_inactive_3', 'made_while_inactive_4']);
});

it('the account fingerprint never holds the key', async () => {
	const server = await gateway('c', 1);
	const t = await createPoller({ nodeType: 'soraVideoTrigger', parameters, credentials: { openAiCompatibleVideoApi: { apiKey: KEY, baseUrl: server.url } }, workflowId: 'wf-key' });
	await t.poll();
	const stored = JSON.stringify(t.staticData);
	expect(stored).toMatch(/"account":"[0-9a-z]{1,10}"/);
	expect(stored).not.toContain(KEY);
	expect(stored).not.toContain(KEY.slice(3, 12));
});
