/**
 * Timers without Node's timer globals (issue 16: n8n's scanner refuses them): n8n-workflow's `sleep` with an
 * AbortSignal for waits, `AbortSignal.timeout` for background deadlines. They fire, cancel, restart and abort;
 * a background timer never keeps a process alive, a foreground one does. And the streamed multipart body: the
 * same bytes as the form written out by hand, sent as a Blob-like object of known size.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';
import { Readable } from 'stream';

import { multipartBody, StreamedBody } from '../nodes/shared/multipart';
import { armedTimerCount, startTimer, waitFor } from '../nodes/shared/timers';
import { CancelledError, sleep } from '../nodes/shared/transport';

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const node = { name: 'Sora Video' } as never;

describe.each([false, true])('startTimer (background: %s)', (background) => {
	it('fires once after its delay', async () => {
		const fired: number[] = [];
		const started = Date.now();
		startTimer(60, () => fired.push(Date.now() - started), { background });
		await pause(150);
		expect(fired).toHaveLength(1);
		expect(fired[0]).toBeGreaterThanOrEqual(55);
	});

	it('does not fire once cancelled, and leaves nothing armed', async () => {
		let fired = false;
		const timer = startTimer(40, () => (fired = true), { background });
		timer.cancel();
		await pause(100);
		expect(fired).toBe(false);
		expect(armedTimerCount()).toBe(0);
	});

	it('restart pushes the deadline back', async () => {
		let firedAt = 0;
		const started = Date.now();
		const timer = startTimer(80, () => (firedAt = Date.now() - started), { background });
		await pause(50);
		timer.restart();
		await pause(50);
		expect(firedAt).toBe(0);
		await pause(80);
		expect(firedAt).toBeGreaterThanOrEqual(125);
	});
});

describe('what keeps a process alive', () => {
	const timers = join(__dirname, '../dist/nodes/shared/timers.js');
	const run = (script: string): { out: string } => {
		// Loading n8n-workflow takes seconds on a busy machine; the timeout only ends a process that never exits.
		const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 45_000 });
		return { out };
	};

	it('a background timer does not (a poll deadline never holds n8n open)', () => {
		// Held open, the process would print after 60 s, past the run's 45 s timeout (which throws).
		const { out } = run(`require(${JSON.stringify(timers)}).startTimer(60_000, () => console.log('fired'), { background: true });`);
		expect(out).toBe('');
	});

	it('a foreground timer does, until it fires', () => {
		const { out } = run(`require(${JSON.stringify(timers)}).startTimer(300, () => console.log('fired'));`);
		expect(out.trim()).toBe('fired');
	});
});

describe('waits', () => {
	it('waitFor: true after the delay, false at once when the signal aborts', async () => {
		expect(await waitFor(20)).toBe(true);
		const controller = new AbortController();
		const started = Date.now();
		const waiting = waitFor(60_000, controller.signal);
		setTimeout(() => controller.abort(), 30);
		expect(await waiting).toBe(false);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(await waitFor(10, controller.signal)).toBe(false);
	});

	it("sleep ends with the execution's cancellation when its signal aborts", async () => {
		const controller = new AbortController();
		const sleeping = sleep(60_000, controller.signal, node);
		controller.abort();
		await expect(sleeping).rejects.toBeInstanceOf(CancelledError);
		await expect(sleep(10, AbortSignal.abort(), node)).rejects.toBeInstanceOf(CancelledError);
	});
});

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of body) chunks.push(chunk);
	return Buffer.concat(chunks);
}

describe('multipart body', () => {
	const image = Buffer.alloc(300_000, 7);
	const png = Buffer.from('\x89PNG-small', 'latin1');
	const files = (sizeKnown: boolean) => [
		{ field: 'input_reference', fileName: 'ref "1".png', mimeType: 'image/png', size: sizeKnown ? image.length : undefined, open: async () => Readable.from([image.subarray(0, 100_000), image.subarray(100_000)]) },
		{ field: 'second', fileName: 'b.png', mimeType: 'image/png', size: png.length, open: async () => png },
	];

	it.each([true, false])('is the form written out by hand, with its exact size (file sizes known: %s)', async (sizeKnown) => {
		const body = await multipartBody([['prompt', 'a cat'], ['seconds', '4']], files(sizeKnown))();
		const data = body.data as StreamedBody;
		const boundary = /boundary=(.+)$/.exec(body.contentType)?.[1] as string;
		const expected = Buffer.concat([
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na cat\r\n`),
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="seconds"\r\n\r\n4\r\n`),
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="input_reference"; filename="ref _1_.png"\r\nContent-Type: image/png\r\n\r\n`),
			image,
			Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="second"; filename="b.png"\r\nContent-Type: image/png\r\n\r\n`),
			png,
			Buffer.from(`\r\n--${boundary}--\r\n`),
		]);
		const sent = await collect(data);
		expect(Buffer.compare(sent, expected)).toBe(0);
		expect(body.length).toBe(expected.length);
		// What axios reads: a Blob (by its tag) of this size and type, not an empty object to n8n's helper.
		expect(Object.prototype.toString.call(data)).toBe('[object Blob]');
		expect(data.size).toBe(expected.length);
		expect(data.type).toBe(body.contentType);
		expect(Object.keys(data).length).toBeGreaterThan(0);
	});

	it('opens the files afresh for each attempt', async () => {
		const build = multipartBody([], files(true));
		const first = await collect((await build()).data as StreamedBody);
		const second = await collect((await build()).data as StreamedBody);
		expect(Buffer.compare(first, second)).toBe(0);
	});
});
