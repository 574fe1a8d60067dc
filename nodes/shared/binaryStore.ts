/**
 * What this n8n process's binary data store accepts, as far as a node can know it.
 *
 * Read from n8n 2.41.1: in `database` mode (N8N_DEFAULT_BINARY_DATA_MODE=database, the default in queue mode) the
 * store (`DatabaseManager.store`, package `n8n`) reads the whole stream into one buffer, then refuses it when it is
 * larger than N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (MiB; 512 by default, and n8n's config accepts at most
 * 1024) with n8n-core's `FileTooLargeError`, before anything is written. The other modes have no such limit.
 * A node is told neither the mode nor the limit (nothing in its context or helpers says them, and node code reads
 * no environment). What it can see: every binary n8n stores for it has an ID `<mode>:<file id>`, and the size
 * error names the limit. So the process learns the mode from the first file it stores and the exact limit from the
 * first refusal, and from then on refuses a file that cannot fit before downloading it (its Content-Length), or as
 * soon as the bytes pass the limit (no or a wrong Content-Length). Before that, n8n's own refusal is re-worded.
 * Nothing is stored to find out.
 */
import type { IBinaryData } from 'n8n-workflow';

const MIB = 1024 * 1024;

/** n8n's ceiling for N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: its config refuses a larger value. */
export const DATABASE_MODE_CEILING_BYTES = 1024 * MIB;

interface StoreKnowledge {
	/** `database`, `filesystem-v2`, `s3`, ... (the prefix of stored IDs), `default` (in memory, no ID), or unknown. */
	mode: string | null;
	/** The `database` mode limit, once n8n has named it. */
	databaseLimitBytes: number | null;
}

/** Per n8n process (every execution and poll of this process shares one store). */
const knowledge: StoreKnowledge = { mode: null, databaseLimitBytes: null };

/** Learns the store's mode from a binary n8n has just stored. */
export function noteStoredBinary(binary: IBinaryData): void {
	const id = typeof binary.id === 'string' ? binary.id : '';
	const colon = id.indexOf(':');
	knowledge.mode = colon > 0 ? id.slice(0, colon) : 'default';
}

/** The most the store takes, when it is known to have a limit (`database` mode); `exact` once n8n has named it. */
export function knownStoreLimit(): { bytes: number; exact: boolean } | null {
	if (knowledge.mode !== 'database') return null;
	return knowledge.databaseLimitBytes !== null ? { bytes: knowledge.databaseLimitBytes, exact: true } : { bytes: DATABASE_MODE_CEILING_BYTES, exact: false };
}

/**
 * n8n's `FileTooLargeError` (n8n-core) from the `database` store, recognized by its class name or by the setting its
 * message names; its limit and the size it saw (MiB) are read from the message, and remembered.
 */
export function readStoreRefusal(error: unknown): { limitBytes: number | null; sizeBytes: number | null } | null {
	if (error === null || typeof error !== 'object') return null;
	const message = typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : '';
	const isRefusal = (error as { constructor?: { name?: unknown } }).constructor?.name === 'FileTooLargeError' || message.includes('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
	if (!isRefusal) return null;
	const limit = /max size limit of (\d{1,9}(?:\.\d{1,9})?) MB/.exec(message);
	const size = /size of (\d{1,12}(?:\.\d{1,9})?) MB/.exec(message);
	const limitBytes = limit ? Math.round(Number(limit[1]) * MIB) : null;
	knowledge.mode = 'database';
	if (limitBytes !== null) knowledge.databaseLimitBytes = limitBytes;
	return { limitBytes, sizeBytes: size ? Math.round(Number(size[1]) * MIB) : null };
}

/** Forgets what was learned (a test switching n8n's binary data mode within one process). */
export function forgetStoreKnowledge(): void {
	knowledge.mode = null;
	knowledge.databaseLimitBytes = null;
}
