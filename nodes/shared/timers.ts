/**
 * The package's one timer. n8n-workflow 2.41's `sleep` can be neither cancelled nor pushed back, and
 * waits, deadlines and download watchdogs need both; so this package is not n8n Cloud eligible.
 */
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

/** `background`: the timer alone does not keep the process alive (a poll's deadline). */
export function startTimer(ms: number, onFire: () => void, options: { background?: boolean } = {}): Timer {
	// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- a wait must be cancellable (Stop) and a watchdog resettable; n8n-workflow's sleep is neither
	const handle = setTimeout(onFire, timerDelay(ms));
	if (options.background) handle.unref();
	return {
		// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- the counterpart of the timer above
		cancel: () => clearTimeout(handle),
		restart: () => {
			handle.refresh();
		},
	};
}
