/** List through n8n's real engine: cursor pagination, Return All / Limit, providers without the endpoint. */
import nock from 'nock';

import { useNock } from './harness/nock';

import type { ProviderId } from '../nodes/shared/providers';
import { baseUrlOf, KEY, runSora } from './harness/sora';

useNock();

const task = (n: number) => ({ id: `video_${n}`, object: 'video', status: n % 3 === 0 ? 'failed' : 'completed', progress: 100, created_at: 1762499410 + n });

function pages(total: number, pageSize: number) {
	const url = new URL(baseUrlOf('voidAi'));
	const scope = nock(url.origin, { reqheaders: { authorization: `Bearer ${KEY}` } });
	const seen: Array<Record<string, string>> = [];
	scope
		.get(`${url.pathname}/videos`)
		.query(true)
		.times(100)
		.reply(function (uri) {
			const query = Object.fromEntries(new URL(uri, url.origin).searchParams);
			seen.push(query);
			const start = query.after ? Number(query.after.split('_')[1]) + 1 : 0;
			const size = Math.min(Number(query.limit ?? pageSize), pageSize);
			const data = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => task(start + i));
			return [200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: start + data.length < total }];
		});
	return { scope, seen };
}

it('Return All follows the cursor to the end and normalizes every task', async () => {
	const { seen } = pages(250, 100);
	const result = await runSora('voidAi', { operation: 'list', returnAll: true, options: { order: 'asc' } });
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(250);
	expect(result.items[0].json).toMatchObject({ id: 'video_0', status: 'failed', provider: 'voidAi' });
	expect(result.items[248].json).toMatchObject({ id: 'video_248', status: 'completed' });
	expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	expect(seen).toEqual([
		{ limit: '100', order: 'asc' },
		{ limit: '100', order: 'asc', after: 'video_99' },
		{ limit: '100', order: 'asc', after: 'video_199' },
	]);
});

it('Limit stops early and asks only for what it needs', async () => {
	const { seen } = pages(250, 100);
	const result = await runSora('voidAi', { operation: 'list', returnAll: false, limit: 120 });
	expect(result.items).toHaveLength(120);
	expect(seen).toEqual([{ limit: '100' }, { limit: '20', after: 'video_99' }]);
});

it('Include Raw Response keeps each task object', async () => {
	pages(2, 100);
	const result = await runSora('voidAi', { operation: 'list', returnAll: true, options: { includeRawResponse: true } });
	expect(result.items[1].json.rawResponse).toEqual(task(1));
});

it.each<ProviderId>(['opeAi', 'wisdomGate', 'ezModel'])('%s has no list endpoint: a clear error, no request', async (provider) => {
	const result = await runSora(provider, { operation: 'list', returnAll: true });
	expect(result.error?.message).toMatch(/has no endpoint that lists video tasks$/);
	expect(result.error?.message.startsWith(provider === 'opeAi' ? 'OpeAI' : provider === 'ezModel' ? 'EzModel' : 'Wisdom Gate')).toBe(true);
});

it('a compatible gateway that answers 404 for GET /videos gets the same clear error', async () => {
	const url = new URL(baseUrlOf('openAiCompatible'));
	nock(url.origin).get(`${url.pathname}/videos`).query(true).reply(404, { error: { message: 'Invalid URL (GET /v1/videos)' } });
	const result = await runSora('openAiCompatible', { operation: 'list', returnAll: true });
	expect(result.error?.message).toBe('OpenAI-Compatible Gateway has no endpoint that lists video tasks (HTTP 404 for GET /videos)');
});
