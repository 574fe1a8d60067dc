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

/** `background`: the timer alone does not keep the process alive (a poll's deadline). */
export function startTimer(ms: number, onFire: () => void, options: { background?: boolean } = {}): Timer {
	// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- a wait must be cancellable (Stop) and a watchdog resettable; n8n-workflow's sleep is neither
	const handle = setTimeout(onFire, Math.max(0, ms));
	if (options.background) handle.unref();
	return {
		// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- the counterpart of the timer above
		cancel: () => clearTimeout(handle),
		restart: () => {
			handle.refresh();
		},
	};
}
