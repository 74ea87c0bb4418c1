import type { Readable } from "node:stream";
import { AppError } from "../errors/index.ts";
import type { BlobStore, IngestedBlob } from "../files/blob-store.ts";
import { newId } from "../lib/ids.ts";
import type { FileRecord, Store } from "../store/store.ts";

/** How long a file is kept, as on Replicate (`expires_at` = creation + 24 h). */
export const FILE_LIFETIME_MS = 24 * 3600 * 1000;

export interface NewFile {
  blob: IngestedBlob;
  name: string;
  contentType: string;
  metadata: Record<string, unknown>;
}

/** Uploaded files: bytes in the content-addressed blob store, one row per upload in the store. */
export class UploadService {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    /** Largest upload, in bytes (SPROCKET_FILE_LIMIT). */
    private readonly maxBytes: number,
  ) {}

  /** Streams one upload's bytes into the blob store (never whole in memory); 413 over the limit. */
  ingest(content: Readable): Promise<IngestedBlob> {
    return this.blobs.ingest(content, {
      maxBytes: this.maxBytes,
      overLimit: () =>
        new AppError(
          "body_too_large",
          `The file is larger than this server's limit of ${describeLimit(this.maxBytes)} (SPROCKET_FILE_LIMIT).`,
        ),
    });
  }

  /** The 413 for a request whose declared length already shows it is over the limit. */
  tooLarge(declaredBytes: number): AppError {
    return new AppError(
      "body_too_large",
      `The upload is ${declaredBytes} bytes, over this server's file limit of ${describeLimit(this.maxBytes)} (SPROCKET_FILE_LIMIT).`,
    );
  }

  get limitBytes(): number {
    return this.maxBytes;
  }

  async create(account: string, file: NewFile): Promise<FileRecord> {
    const now = Date.now();
    const record: FileRecord = {
      id: newId(now),
      account,
      name: file.name,
      contentType: file.contentType,
      size: file.blob.size,
      sha256: file.blob.sha256,
      md5: file.blob.md5,
      metadata: file.metadata,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + FILE_LIFETIME_MS).toISOString(),
    };
    await this.store.insertFile(record);
    return record;
  }

  get(account: string, id: string): Promise<FileRecord | null> {
    return this.store.getFile(account, id);
  }

  /**
   * Removes the file object; its bytes stay in the shared blob store, where other uploads, model
   * bundles or outputs with the same content may use them.
   */
  delete(account: string, id: string): Promise<boolean> {
    return this.store.deleteFile(account, id);
  }

  /** Where a file's bytes are on disk (read only: the blob may be shared; S3: the local cache). */
  bytesPath(file: FileRecord): Promise<string> {
    return this.blobs.localPath(file.sha256);
  }

  /** The account's file as a local file to copy from, for a file input that names it. */
  async local(account: string, id: string): Promise<{ path: string; name: string } | null> {
    const file = await this.store.getFile(account, id);
    return file ? { path: await this.bytesPath(file), name: file.name } : null;
  }
}

/** "100 MiB (104857600 bytes)", or just "1000 bytes" when that is all there is to say. */
function describeLimit(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 && Number.isInteger(mib) ? `${mib} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
