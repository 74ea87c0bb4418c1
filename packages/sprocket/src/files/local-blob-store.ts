import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { copyFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "../errors/index.ts";
import { NAMED_KEY, type BlobStore, type IngestedBlob, type NamedFile, type NamedFileMeta } from "./blob-store.ts";

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The embedded blob store: content-addressed files under the data directory (and, as the S3
 * store's cache, under the same layout). Named files are `named/<key>` with `named/<key>.json`
 * beside them (name and media type).
 */
export class LocalBlobStore implements BlobStore {
  /** Where streamed uploads are written before their digest (their name) is known. */
  readonly incoming: string;
  private readonly named: string;

  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
    // Inside the root, so the final rename never crosses file systems.
    this.incoming = path.join(root, "incoming");
    mkdirSync(this.incoming, { recursive: true });
    this.named = path.join(root, "named");
    mkdirSync(this.named, { recursive: true });
  }

  /** Where the blob's file is (or would be); synchronous, for this store's own users. */
  blobPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError("bad_request", `"${sha256}" is not a sha256 hex digest`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return existsSync(this.blobPath(sha256));
  }

  async localPath(sha256: string): Promise<string> {
    const file = this.blobPath(sha256);
    if (!existsSync(file)) throw new AppError("not_found", `blob ${sha256} is not in the blob store`);
    return file;
  }

  /** Stores bytes under their digest; refuses bytes whose digest is not the one claimed. */
  async put(sha256: string, data: Uint8Array): Promise<void> {
    const target = this.blobPath(sha256);
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
    const target = this.blobPath(blob.sha256);
    if (existsSync(target)) {
      rmSync(temporary, { force: true });
    } else {
      mkdirSync(path.dirname(target), { recursive: true });
      renameSync(temporary, target);
    }
    return blob;
  }

  async putNamed(key: string, file: string, meta: NamedFileMeta, options: { move?: boolean } = {}): Promise<void> {
    const target = this.namedPath(key);
    // Bytes first, then the metadata that makes them visible: a reader never sees half a file.
    const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
    if (options.move) await rename(file, temporary).catch(() => copyFile(file, temporary));
    else await copyFile(file, temporary);
    await rename(temporary, target);
    writeFileSync(`${temporary}.json`, JSON.stringify({ name: meta.name, contentType: meta.contentType }));
    renameSync(`${temporary}.json`, `${target}.json`);
    if (options.move) await rm(file, { force: true });
  }

  async openNamed(key: string): Promise<NamedFile | null> {
    const target = this.namedPath(key);
    if (!existsSync(`${target}.json`) || !existsSync(target)) return null;
    const meta = JSON.parse(readFileSync(`${target}.json`, "utf8")) as NamedFileMeta;
    return { path: target, name: meta.name, contentType: meta.contentType, size: statSync(target).size };
  }

  async removeNamed(key: string): Promise<void> {
    const target = this.namedPath(key);
    rmSync(`${target}.json`, { force: true });
    rmSync(target, { force: true });
  }

  private namedPath(key: string): string {
    if (!NAMED_KEY.test(key)) throw new AppError("bad_request", `"${key}" is not a named file's key`);
    return path.join(this.named, key);
  }
}
