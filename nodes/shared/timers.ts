/**
 * The package's timers, without Node's timer globals (n8n's community-package scanner refuses them):
 * waits are n8n-workflow's `sleep` with an AbortSignal, and deadlines and watchdogs are `AbortSignal.timeout`.
 */
import { sleep as n8nSleep } from 'n8n-workflow';

export interface Timer {
	/** Stops the timer; it will not fire. */
	cancel(): void;
	/** Starts the same delay again from now. */
	restart(): void;
}

/** The longest delay Node's timers take (2^31-1 ms, about 24.8 days): a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Any delay as one a timer can hold: at least 0, at most MAX_TIMER_MS (never early); NaN counts as 0. */
export function timerDelay(ms: number): number {
	if (Number.isNaN(ms)) return 0;
	return Math.min(MAX_TIMER_MS, Math.max(0, ms));
}

/**
 * Node holds an `AbortSignal.timeout` signal only weakly: one nothing else references would be collected and
 * never fire. Armed signals are kept here until they fire or are cancelled.
 */
const armedSignals = new Set<AbortSignal>();

/** Fires once after `ms` unless disarmed. */
interface Alarm {
	disarm(): void;
}

/** `AbortSignal.timeout`: its timer does not keep the process alive. */
function backgroundAlarm(ms: number, fire: () => void): Alarm {
	const signal = AbortSignal.timeout(timerDelay(ms));
	const onAbort = (): void => {
		armedSignals.delete(signal);
		fire();
	};
	armedSignals.add(signal);
	signal.addEventListener('abort', onAbort, { once: true });
	return {
		disarm: () => {
			signal.removeEventListener('abort', onAbort);
			armedSignals.delete(signal);
		},
	};
}

/** n8n-workflow's `sleep`, cancelled through its signal; the flag also holds where a version ignores the signal. */
function foregroundAlarm(ms: number, fire: () => void): Alarm {
	const controller = new AbortController();
	let armed = true;
	n8nSleep(timerDelay(ms), controller.signal).then(
		() => {
			if (armed) fire();
		},
		() => undefined,
	);
	return {
		disarm: () => {
			armed = false;
			controller.abort();
		},
	};
}

/**
 * Calls `onFire` after `ms`, unless cancelled. `background`: the timer alone does not keep the process alive (a
 * poll's deadline).
 */
export function startTimer(ms: number, onFire: () => void, options: { background?: boolean } = {}): Timer {
	const alarm = options.background ? backgroundAlarm : foregroundAlarm;
	let current: Alarm | undefined;
	const arm = (): void => {
		current = alarm(ms, () => {
			current = undefined;
			onFire();
		});
	};
	arm();
	return {
		cancel: () => {
			current?.disarm();
			current = undefined;
		},
		restart: () => {
			current?.disarm();
			arm();
		},
	};
}

/** How many background timers are armed now (tests: none is left behind). */
export function armedTimerCount(): number {
	return armedSignals.size;
}

/**
 * Waits `ms` (capped as timerDelay says): true when the time passed, false as soon as `signal` aborts.
 * n8n-workflow's `sleep` takes the signal since 1.x; the race also ends the wait on versions that ignore it.
 */
export async function waitFor(ms: number, signal?: AbortSignal): Promise<boolean> {
	if (signal?.aborted) return false;
	if (!signal) {
		await n8nSleep(timerDelay(ms));
		return true;
	}
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<boolean>((resolve) => {
		onAbort = () => resolve(false);
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([n8nSleep(timerDelay(ms), signal).then(
			() => true,
			() => false,
		), aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}
