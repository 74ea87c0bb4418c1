import { randomBytes } from "node:crypto";
import { createWriteStream, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "../errors/index.ts";
import { NAMED_KEY, type BlobStore, type IngestedBlob, type NamedFile, type NamedFileMeta } from "./blob-store.ts";
import { LocalBlobStore } from "./local-blob-store.ts";
import { S3Client, S3RequestError, reason, type S3Location } from "./s3-client.ts";

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Blobs in an S3-compatible bucket (`<prefix>blobs/<sha256>`, named files `<prefix>named/<key>`
 * with their name and media type as object metadata), with a LocalBlobStore in the data
 * directory as the cache: what is written here is kept there too, and what is read through
 * `localPath`/`openNamed` is downloaded there on first use. The bucket is the truth: `has` asks
 * it (a blob found there is remembered, since content-addressed objects never change), and a
 * named file is served from the cache only while the bucket still has it, so one replica's
 * removal (data retention) stops every replica serving it. Blobs downloaded are checked against
 * their digest on the way into the cache.
 * Construct, then `await open()`: it checks the bucket answers, so a wrong setting stops the start.
 */
export class S3BlobStore implements BlobStore {
  private readonly s3: S3Client;
  private readonly cache: LocalBlobStore;
  /** Blobs known to be in the bucket. */
  private readonly present = new Set<string>();
  /** Downloads under way, so concurrent readers of one object share one. */
  private readonly downloads = new Map<string, Promise<unknown>>();

  constructor(location: S3Location, cacheDir: string) {
    this.s3 = new S3Client(location);
    this.cache = new LocalBlobStore(cacheDir);
  }

  async open(): Promise<this> {
    await this.s3.checkBucket();
    return this;
  }

  /** For messages: the bucket and endpoint (no credential). */
  get where(): string {
    return this.s3.where;
  }

  async has(sha256: string): Promise<boolean> {
    checkSha(sha256);
    if (this.present.has(sha256)) return true;
    const found = (await this.s3Call(() => this.s3.head(blobKey(sha256)))) !== null;
    if (found) this.present.add(sha256);
    return found;
  }

  async localPath(sha256: string): Promise<string> {
    checkSha(sha256);
    const cached = this.cache.blobPath(sha256);
    if (await this.cache.has(sha256)) return cached;
    await this.once(`blob:${sha256}`, async () => {
      const object = await this.s3Call(() => this.s3.get(blobKey(sha256)));
      if (!object) throw new AppError("not_found", `blob ${sha256} is not in the blob store`);
      // Into the cache through ingest: hashed on the way, and refused unless it is the digest asked for.
      await this.cache.ingest(object.body, {
        maxBytes: Number.MAX_SAFE_INTEGER,
        overLimit: () => new Error("unreachable"),
        expectSha256: sha256,
        mismatch: (actual) => new AppError("unavailable", `the bucket's copy of blob ${sha256} hashes to ${actual}`),
      }).catch((error: unknown) => {
        throw error instanceof AppError ? error : unavailable(error);
      });
      this.present.add(sha256);
    });
    return cached;
  }

  async put(sha256: string, data: Uint8Array): Promise<void> {
    await this.cache.put(sha256, data); // refuses bytes that are not `sha256`'s
    if (await this.has(sha256)) return;
    await this.s3Call(() => this.s3.putBytes(blobKey(sha256), data, { sha256 }));
    this.present.add(sha256);
  }

  /**
   * Into the cache first (hashed, limited and checked there, on local disk), then up to the bucket
   * unless it has the blob already. An upload that fails leaves the bytes in the cache only, and
   * `has` still says no, so the caller's retry uploads them again.
   */
  async ingest(source: Readable, options: { maxBytes: number; overLimit: () => Error; expectSha256?: string; mismatch?: (actual: string) => Error }): Promise<IngestedBlob> {
    const blob = await this.cache.ingest(source, options);
    if (!(await this.has(blob.sha256))) {
      await this.s3Call(() => this.s3.putFile(blobKey(blob.sha256), this.cache.blobPath(blob.sha256), blob.size, { sha256: blob.sha256 }));
      this.present.add(blob.sha256);
    }
    return blob;
  }

  async putNamed(key: string, file: string, meta: NamedFileMeta, options: { move?: boolean } = {}): Promise<void> {
    checkKey(key);
    const size = statSync(file).size;
    await this.s3Call(() => this.s3.putFile(namedKey(key), file, size, { contentType: meta.contentType, meta: { name: encodeURIComponent(meta.name) } }));
    await this.cache.putNamed(key, file, meta, options);
  }

  async openNamed(key: string): Promise<NamedFile | null> {
    checkKey(key);
    const head = await this.s3Call(() => this.s3.head(namedKey(key)));
    if (!head) {
      await this.cache.removeNamed(key); // removed by another replica: not served from here either
      return null;
    }
    const cached = await this.cache.openNamed(key);
    if (cached && cached.size === head.size) return cached;
    await this.once(`named:${key}`, async () => {
      const object = await this.s3Call(() => this.s3.get(namedKey(key)));
      if (!object) return;
      const temporary = path.join(this.cache.incoming, `${randomBytes(9).toString("hex")}.tmp`);
      try {
        await pipeline(object.body, createWriteStream(temporary)).catch((error: unknown) => {
          throw unavailable(error);
        });
        const name = decodeMeta(object.headers.get("x-amz-meta-name")) ?? key;
        await this.cache.putNamed(key, temporary, { name, contentType: object.headers.get("content-type") ?? "application/octet-stream" }, { move: true });
      } finally {
        await rm(temporary, { force: true });
      }
    });
    return this.cache.openNamed(key);
  }

  async removeNamed(key: string): Promise<void> {
    checkKey(key);
    await this.s3Call(() => this.s3.delete(namedKey(key)));
    await this.cache.removeNamed(key);
  }

  private async once(id: string, work: () => Promise<void>): Promise<void> {
    let running = this.downloads.get(id);
    if (!running) {
      running = work().finally(() => this.downloads.delete(id));
      this.downloads.set(id, running);
    }
    await running;
  }

  /** An S3 call whose failure becomes a 503 for the client (the detail in the cause, for the log). */
  private async s3Call<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw unavailable(error);
    }
  }
}

const blobKey = (sha256: string) => `blobs/${sha256}`;
const namedKey = (key: string) => `named/${key}`;

function checkSha(sha256: string): void {
  if (!SHA256.test(sha256)) throw new AppError("bad_request", `"${sha256}" is not a sha256 hex digest`);
}

function checkKey(key: string): void {
  if (!NAMED_KEY.test(key)) throw new AppError("bad_request", `"${key}" is not a named file's key`);
}

function decodeMeta(value: string | null): string | null {
  if (!value) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function unavailable(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // The detail goes to API clients: S3's answer, not the bucket's address (that is in the cause).
  const detail = error instanceof S3RequestError ? `S3 answered ${error.status} ${error.s3Code}` : `S3 is unreachable: ${reason(error)}`;
  return new AppError("unavailable", `The blob store could not be used; retry shortly (${detail}).`, { cause: error });
}
