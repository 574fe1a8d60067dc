/**
 * Download faults real gateways produce, against the provider simulator on 127.0.0.1, inside n8n's
 * real engine (filesystem binary mode): nothing short is ever stored as success.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { backoffDelay, DEFAULT_RETRY_OPTIONS, parseRetryAfter } from '../nodes/shared/transport';
import type { Fault } from '../simulator/simulator';
import type { ProviderSimulator } from '../simulator/simulator';
import { contentBytes } from '../simulator/simulator';
import { readBinary, runNode } from './harness/engine';
import { useSimulator } from './harness/simulator';
import { KEY, fileFacts } from './harness/sora';

let sim: ProviderSimulator;
const SIZE = 3 * 1024 * 1024 + 5;

const simulator = useSimulator();
beforeEach(() => {
	sim = simulator.current;
});

async function download(faults: Fault[], options: Record<string, unknown> = {}, dialect: 'voidai' | 'newapi' = 'voidai') {
	sim.addTask({ id: 'v', forced: 'completed', contentBytes: SIZE, faults });
	const provider = dialect === 'voidai' ? { provider: 'voidAi', credential: 'voidAiApi' } : { provider: 'openAiCompatible', credential: 'openAiCompatibleVideoApi' };
	return await runNode({
		nodeType: 'soraVideo',
		parameters: { provider: provider.provider, operation: 'downloadContent', taskId: 'v', variant: 'video', binaryPropertyName: 'data', options: { retryDelay: 1, ...options } },
		credentials: { [provider.credential]: { apiKey: KEY, baseUrl: sim.baseUrl(dialect) } },
	});
}

function contentRequests() {
	return sim.requests.filter((request) => request.path.endsWith('/content'));
}

async function expectWholeFile(items: INodeExecutionData[]): Promise<void> {
	expect(items).toHaveLength(1);
	expect(fileFacts(items[0]).fileSize).toBe(SIZE);
	expect(Buffer.compare(await readBinary(items[0]), contentBytes('v', 'video', SIZE))).toBe(0);
}

it('a body cut short is resumed with a Range request where the server accepts ranges', async () => {
	const { items, error } = await download([{ type: 'cut', bytes: 1_000_000, times: 1 }]);
	expect(error).toBeUndefined();
	await expectWholeFile(items);
	const requests = contentRequests();
	expect(requests).toHaveLength(2);
	expect(requests[0].headers.range).toBeUndefined();
	expect(requests[1].headers.range).toMatch(/^bytes=\d+-$/);
	expect(Number(/\d+/.exec(String(requests[1].headers.range))?.[0])).toBeGreaterThan(0);
});

it('several cuts are resumed one after another, within the Retries option', async () => {
	const { items, error } = await download([{ type: 'cut', bytes: 700_000, times: 3 }], { retries: 3 });
	expect(error).toBeUndefined();
	await expectWholeFile(items);
	expect(contentRequests()).toHaveLength(4);
});

it('without range support the download restarts from the beginning', async () => {
	const { items, error } = await download([{ type: 'cut', bytes: 1_000_000, times: 1 }, { type: 'noRanges' }]);
	expect(error).toBeUndefined();
	await expectWholeFile(items);
	const requests = contentRequests();
	expect(requests).toHaveLength(2);
	expect(requests.every((request) => request.headers.range === undefined)).toBe(true);
});

it('without range support, restarts spend the same Retries budget and the error counts every attempt', async () => {
	const { items, error } = await download([{ type: 'cut', bytes: 400_000, times: 10 }, { type: 'noRanges' }], { retries: 2 });
	expect(items).toHaveLength(0);
	expect(error?.message).toMatch(/^The download of task "v" was cut short: the download ended after \d+ of 3145733 bytes \(after 3 attempts\)$/);
	const requests = contentRequests();
	expect(requests).toHaveLength(3);
	expect(requests.every((request) => request.headers.range === undefined)).toBe(true);
});

it('a chunked body (no Content-Length) that breaks is resumed too', async () => {
	const { items, error } = await download([{ type: 'cut', bytes: 500_000, times: 1 }], {}, 'newapi');
	expect(error).toBeUndefined();
	expect(fileFacts(items[0]).mimeType).toBe('video/mp4');
	await expectWholeFile(items);
});

it('after the configured retries it fails clearly, and nothing is output', async () => {
	const { items, error } = await download([{ type: 'cut', bytes: 400_000, times: 10 }], { retries: 2 });
	expect(items).toHaveLength(0);
	expect(error?.message).toMatch(/^The download of task "v" was cut short: the download ended after \d+ of 3145733 bytes \(after \d+ attempts\)$/);
	expect(contentRequests()).toHaveLength(3);
});

it('a stalled server is cut off by the Timeout option, with a message saying so', async () => {
	const started = Date.now();
	const { items, error } = await download([{ type: 'stall', bytes: 200_000, times: 5 }], { retries: 0, timeout: 1 });
	expect(items).toHaveLength(0);
	expect(error?.message).toMatch(/^The download of task "v" stalled: less than 64 KiB arrived in 1 s, after \d+ bytes$/);
	expect(Date.now() - started).toBeLessThan(10_000);
});

it('a stall is resumed like a cut when retries are left', async () => {
	const { items, error } = await download([{ type: 'stall', bytes: 200_000, times: 1 }], { retries: 1, timeout: 1 });
	expect(error).toBeUndefined();
	await expectWholeFile(items);
});

it('429 then 503 on the content endpoint are retried before any byte is stored', async () => {
	const { items, error } = await download([
		{ type: 'rateLimit', retryAfter: 0, times: 1 },
		{ type: 'unavailable', times: 1 },
	]);
	expect(error).toBeUndefined();
	await expectWholeFile(items);
	expect(contentRequests()).toHaveLength(3);
});

describe('retry timing', () => {
	it('Retry-After as seconds or as an HTTP date', () => {
		const now = Date.parse('2026-11-21T10:00:00Z');
		expect(parseRetryAfter('7', now)).toBe(7000);
		expect(parseRetryAfter('1.5', now)).toBe(1500);
		expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
		expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter('soon', now)).toBeNull();
		expect(parseRetryAfter(undefined, now)).toBeNull();
	});

	it('exponential backoff with jitter, capped', () => {
		const options = { ...DEFAULT_RETRY_OPTIONS, retryDelayMs: 1000, maxRetryDelayMs: 60_000 };
		expect(backoffDelay(0, options, () => 0)).toBe(500);
		expect(backoffDelay(0, options, () => 1)).toBe(1000);
		expect(backoffDelay(3, options, () => 0)).toBe(4000);
		expect(backoffDelay(3, options, () => 1)).toBe(8000);
		expect(backoffDelay(20, options, () => 1)).toBe(60_000);
	});
});
