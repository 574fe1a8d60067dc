/**
 * n8n's `database` binary data mode, reproduced for the in-process engine: the package `n8n` (its CLI) holds the
 * real DatabaseManager, which needs n8n's database; everything else here is n8n's own. `store` does what n8n
 * 2.41.1's DatabaseManager.store does (n8n/dist/binary-data/database.manager.js, checked by binaryStore.test.ts
 * against the installed runtime): read the whole stream with n8n's `binaryToBuffer`, refuse it with n8n-core's
 * `FileTooLargeError` when it is over BinaryDataConfig.dbMaxFileSize (MiB), else insert one row (a Map here).
 */
import { binaryToBuffer } from '@n8n/backend-network';
import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService, FileTooLargeError } from 'n8n-core';
import type { BinaryData } from 'n8n-core';
import { randomUUID } from 'crypto';
import { readFile } from 'fs/promises';
import { Readable } from 'stream';

import { useBinaryModeInitialized } from './engine';

interface Row {
	data: Buffer;
	fileName: string | null;
	mimeType: string | null;
}

export class DatabaseLikeManager implements BinaryData.Manager {
	readonly rows = new Map<string, Row>();
	/** Calls to `store`, refused or not. */
	storeCalls = 0;

	constructor(private readonly config: BinaryDataConfig) {}

	async init(): Promise<void> {}

	async store(_location: BinaryData.FileLocation, bufferOrStream: Buffer | Readable, metadata: BinaryData.PreWriteMetadata): Promise<BinaryData.WriteResult> {
		this.storeCalls++;
		const buffer = await binaryToBuffer(bufferOrStream);
		return this.insert(buffer, metadata);
	}

	private insert(buffer: Buffer, metadata: BinaryData.PreWriteMetadata): BinaryData.WriteResult {
		const fileSizeMb = buffer.length / (1024 * 1024);
		const fileId = randomUUID();
		if (fileSizeMb > this.config.dbMaxFileSize) {
			throw new FileTooLargeError({ fileSizeMb, maxFileSizeMb: this.config.dbMaxFileSize, fileId, fileName: metadata.fileName });
		}
		this.rows.set(fileId, { data: buffer, fileName: metadata.fileName ?? null, mimeType: metadata.mimeType ?? null });
		return { fileId, fileSize: buffer.length };
	}

	getPath(fileId: string): string {
		return `database://${fileId}`;
	}

	async getAsBuffer(fileId: string): Promise<Buffer> {
		const row = this.rows.get(fileId);
		if (!row) throw new Error(`no binary data row ${fileId}`);
		return row.data;
	}

	async getAsStream(fileId: string): Promise<Readable> {
		return Readable.from(await this.getAsBuffer(fileId));
	}

	async getMetadata(fileId: string): Promise<BinaryData.Metadata> {
		const row = this.rows.get(fileId);
		if (!row) throw new Error(`no binary data row ${fileId}`);
		return { fileName: row.fileName ?? undefined, mimeType: row.mimeType ?? undefined, fileSize: row.data.length };
	}

	async copyByFileId(_targetLocation: BinaryData.FileLocation, sourceFileId: string): Promise<string> {
		const row = this.rows.get(sourceFileId);
		if (!row) throw new Error(`no binary data row ${sourceFileId}`);
		const fileId = randomUUID();
		this.rows.set(fileId, { ...row });
		return fileId;
	}

	async copyByFilePath(_targetLocation: BinaryData.FileLocation, sourcePath: string, metadata: BinaryData.PreWriteMetadata): Promise<BinaryData.WriteResult> {
		return this.insert(await readFile(sourcePath), metadata);
	}

	async rename(oldFileId: string, newFileId: string): Promise<void> {
		const row = this.rows.get(oldFileId);
		if (!row) throw new Error(`no binary data row ${oldFileId}`);
		this.rows.delete(oldFileId);
		this.rows.set(newFileId, row);
	}
}

/** Switches n8n's binary data store to `database` mode with this limit (N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, MiB). */
export async function useDatabaseMode(maxFileSizeMiB: number): Promise<DatabaseLikeManager> {
	const config = Container.get(BinaryDataConfig);
	const service = Container.get(BinaryDataService);
	const manager = new DatabaseLikeManager(config);
	await useBinaryModeInitialized('database', () => {
		config.dbMaxFileSize = maxFileSizeMiB;
		service.setManager('database', manager);
	});
	return manager;
}
