import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "../errors/index.ts";
import type { BlobStore, IngestedBlob } from "./blob-store.ts";

const SHA256 = /^[0-9a-f]{64}$/;

/** The embedded blob store: content-addressed files under the data directory. */
export class LocalBlobStore implements BlobStore {
  /** Where streamed uploads are written before their digest (their name) is known. */
  private readonly incoming: string;

  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
    // Inside the root, so the final rename never crosses file systems.
    this.incoming = path.join(root, "incoming");
    mkdirSync(this.incoming, { recursive: true });
  }

  path(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError("bad_request", `"${sha256}" is not a sha256 hex digest`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.path(sha256));
  }

  /** Stores bytes under their digest; refuses bytes whose digest is not the one claimed. */
  put(sha256: string, data: Uint8Array): void {
    const target = this.path(sha256);
    const actual = createHash("sha256").update(data).digest("hex");
    if (actual !== sha256) throw new AppError("bad_request", `content hashes to ${actual}, not ${sha256}`);
    if (existsSync(target)) return;
    mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, target);
  }

  /**
   * Streams bytes of unknown digest into the store: they go to a temporary file while sha256 and
   * md5 are computed on the way, and are renamed into place once complete, so memory use does not
   * grow with the size. More than `maxBytes` stops the copy, removes the partial file and rejects
   * with `overLimit()`; any other failure of the source removes it too, as do bytes whose digest is
   * not `expectSha256` (when given: a pushed file named by its digest), with `mismatch()`.
   */
  async ingest(source: Readable, options: { maxBytes: number; overLimit: () => Error; expectSha256?: string; mismatch?: (actual: string) => Error }): Promise<IngestedBlob> {
    const sha256 = createHash("sha256");
    // A pushed file is named by its sha256 alone; md5 (the Files API's checksum) would cost ~1.5 s a GB.
    const md5 = options.expectSha256 === undefined ? createHash("md5") : null;
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > options.maxBytes) return done(options.overLimit());
        sha256.update(chunk);
        md5?.update(chunk);
        done(null, chunk);
      },
    });
    const temporary = path.join(this.incoming, `${randomBytes(9).toString("hex")}.tmp`);
    const sink = createWriteStream(temporary);
    try {
      await pipeline(source, measure, sink);
    } catch (error) {
      // The file may still be opening when the pipeline fails: remove it only once it is closed.
      if (!sink.closed) await once(sink, "close").catch(() => {});
      rmSync(temporary, { force: true });
      throw error;
    }
    const blob = { sha256: sha256.digest("hex"), md5: md5?.digest("hex") ?? "", size };
    if (options.expectSha256 !== undefined && blob.sha256 !== options.expectSha256) {
      rmSync(temporary, { force: true });
      throw options.mismatch?.(blob.sha256) ?? new Error(`expected sha256 ${options.expectSha256}, got ${blob.sha256}`);
    }
    const target = this.path(blob.sha256);
    if (existsSync(target)) {
      rmSync(temporary, { force: true });
    } else {
      mkdirSync(path.dirname(target), { recursive: true });
      renameSync(temporary, target);
    }
    return blob;
  }
}
