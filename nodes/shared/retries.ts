/**
 * One retry policy for every request: which answers and failures are worth another attempt, how long to wait
 * (backoff with jitter, the provider's Retry-After), and the cancellable wait itself. What a failed request threw
 * is read here too, into a code and a message, so every caller decides on the same facts.
 */
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { waitFor } from './timers';

export interface RetryOptions {
	/** Extra attempts after the first for 429, 5xx and network failures. */
	maxRetries: number;
	/** First backoff delay; doubles each attempt, with jitter. */
	retryDelayMs: number;
	/** Longest single wait, including a provider's Retry-After. */
	maxRetryDelayMs: number;
	/**
	 * Per request: a status, list or error answer must arrive completely within it; a file must start
	 * within it and never go this long without progress.
	 */
	timeoutMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
	maxRetries: 3,
	retryDelayMs: 1000,
	maxRetryDelayMs: 60_000,
	timeoutMs: 120_000,
};

/** Thrown when the user stops the execution; never turned into an error item. */
export class CancelledError extends NodeOperationError {
	/** `text`: what else the user must know (a task was, or may have been, created); worded in problems.ts. */
	constructor(node: INode, text?: { message: string; description: string }) {
		super(node, text?.message ?? 'The execution was cancelled', text ? { description: text.description } : {});
	}
}

export function cancelled(node: INode): CancelledError {
	return new CancelledError(node);
}

/** Waits `ms` (at most MAX_TIMER_MS, never less than asked below that), or rejects at once when the signal aborts. */
export async function sleep(ms: number, signal: AbortSignal | undefined, node: INode): Promise<void> {
	if (signal?.aborted) throw cancelled(node);
	if (!(ms > 0)) return;
	if (!(await waitFor(ms, signal))) throw cancelled(node);
}

/** Retry-After as seconds or an HTTP date -> milliseconds, or null. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
	if (!value) return null;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return null;
	return Math.max(0, date - now);
}

/** Exponential backoff with full jitter in [base*2^n / 2, base*2^n]. */
export function backoffDelay(attempt: number, options: RetryOptions, random = Math.random): number {
	const ceiling = Math.min(options.maxRetryDelayMs, options.retryDelayMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function isRetryableStatus(code: number): boolean {
	return code === 429 || code === 408 || (code >= 500 && code !== 501 && code !== 505);
}

export interface NetworkFailure {
	code: string;
	detail: string;
}

/** Reads the code and message of whatever a failed request threw, without keeping the request config. */
export function describeFailure(error: unknown): NetworkFailure {
	const seen = new Set<unknown>();
	let current: unknown = error;
	let code: string | undefined;
	let detail: string | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
		if (!code && typeof candidate.code === 'string' && /^[A-Z_]+$/.test(candidate.code)) code = candidate.code;
		if (!detail && typeof candidate.message === 'string') detail = candidate.message;
		current = candidate.cause;
	}
	return { code: code ?? 'ENETWORK', detail: detail ?? 'network error' };
}

export function isCancellation(failure: NetworkFailure, signal?: AbortSignal): boolean {
	return Boolean(signal?.aborted) || failure.code === 'ERR_CANCELED';
}

export const NOT_RETRYABLE_NETWORK = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/** Why a sent request has no answer, for a "may have been created" message. */
export function describeLostAnswer(failure: NetworkFailure): string {
	if (failure.code === 'ETIMEDOUT' || failure.code === 'ECONNABORTED' || /timeout|in time/i.test(failure.detail)) return 'no answer arrived within the Timeout';
	return `the connection broke before the answer arrived (${failure.code})`;
}
