import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import { extensionOf } from "../lib/media-types.ts";
import { fileRef, fileRefKeys, mapStrings } from "../protocol/file-refs.ts";
import { STAGED_PREFIX, type StagedFiles } from "../protocol/runner-messages.ts";
import type { BlobStore, NamedFileMeta } from "./blob-store.ts";

export interface OutputFile {
  path: string;
  name: string;
  contentType: string;
  size: number;
}

const DATA_URI = /^data:([^;,]*)((?:;[^;,]*)*?);base64,/;

/** A model chooses this type; anything that is not a plain media type is served as bytes. */
function mediaType(raw: string | undefined): string {
  return raw && /^[a-z]+\/[a-z0-9.+-]+$/i.test(raw) ? raw.toLowerCase() : "application/octet-stream";
}

/** A file name from a `name=` parameter: decoded, without path separators or control characters. */
function safeName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    // a malformed %-escape: keep it as written
  }
  name = name.replace(/[\u0000-\u001f/\\]/g, "_").slice(-200);
  return name === "" || name === "." || name === ".." ? undefined : name;
}

/** Output file keys: 144 random bits, base64url. */
const KEY = /^[A-Za-z0-9_-]{24}$/;

/**
 * Files that models return. Runners of `sprocket serve` copy each into the staging directory and
 * name it in their message (see StagedFiles): it is moved, not copied, to `<key>.data` here, so a
 * file of any size costs one rename and never passes through memory. Runners without a staging
 * directory send `data:` URIs (Cog's encoding), whose bytes are written the same way. Either way
 * the output keeps a reference, which the API serves at an unguessable URL that needs no token.
 * Metadata lives beside the files as one small JSON file per output file.
 *
 * `shared` (the S3 blob store, several API replicas): each file is also put in the blob store as a
 * named file, moved there once uploaded, so any replica serves it; until then this replica serves
 * it from here. `persist` stays synchronous (the worker calls it on its hot path); `stored(output)`
 * resolves once an output's files are in the shared store, and rejects if one could not be put.
 */
export class OutputFiles {
  /** Where runners put file outputs for the worker to claim (same file system: a rename moves them). */
  readonly stagingDir: string;
  /** Uploads to the shared blob store under way, by key (shared mode only). */
  private readonly uploading = new Map<string, Promise<void>>();

  /** `stagingName`: processes sharing one data directory (scale-out) each stage in a directory of their own. */
  constructor(
    private readonly blobs: BlobStore,
    private readonly dir: string,
    private readonly options: { shared?: boolean; log?: (message: string) => void; stagingName?: string } = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.stagingDir = path.join(dir, options.stagingName ?? "staging");
    // Anything left here was staged by an instance of an earlier run that never got claimed.
    rmSync(this.stagingDir, { recursive: true, force: true });
    mkdirSync(this.stagingDir, { recursive: true });
  }

  /**
   * Replaces every file in an output (staged files listed in `files`, and base64 `data:` URIs)
   * with a stored file's reference. `claimed` remembers staged tokens already stored, so a final
   * output that repeats its streamed items' files refers to the same stored files.
   */
  persist(output: unknown, files?: StagedFiles, claimed?: Map<string, string>): unknown {
    return mapStrings(output, (text) => {
      if (text.startsWith(STAGED_PREFIX)) {
        const token = text.slice(STAGED_PREFIX.length);
        const known = claimed?.get(token);
        if (known) return known;
        const staged = files?.[token];
        if (!staged) return text;
        const ref = this.claim(staged);
        claimed?.set(token, ref);
        return ref;
      }
      return DATA_URI.test(text) ? this.store(text) : text;
    });
  }

  /**
   * Stores an output file sent by a worker host in another process (`sprocket worker` uploads each
   * of its models' output files through the API, as Cog does with its upload URL); returns its
   * reference. More than `maxBytes` keeps nothing and rejects with `overLimit()`.
   */
  async ingest(source: Readable, name: string | undefined, contentType: string | undefined, maxBytes: number, overLimit: () => Error): Promise<string> {
    const staged = path.join(this.stagingDir, `upload-${randomBytes(9).toString("base64url")}`);
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            if (size > maxBytes) throw overLimit();
            yield chunk;
          }
        },
        createWriteStream(staged),
      );
    } catch (error) {
      rmSync(staged, { force: true });
      throw error;
    }
    return this.claim({ path: staged, name: name ?? "", content_type: contentType ?? "" });
  }

  /** Resolves once the files an output refers to are in the shared blob store (at once when not shared). */
  async stored(output: unknown): Promise<void> {
    await Promise.all(fileRefKeys(output).map((key) => this.uploading.get(key)));
  }

  /** Waits for every upload under way (shutdown: a file still uploading would be left on this host only). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.uploading.values()]);
  }

  private claim(staged: StagedFiles[string]): string {
    const source = path.resolve(staged.path);
    // Only files inside the staging directory are taken: a message naming any other path is refused.
    if (path.dirname(source) !== this.stagingDir) throw new Error(`a staged output file must be in ${this.stagingDir}, not ${source}`);
    const key = randomBytes(18).toString("base64url");
    renameSync(source, path.join(this.dir, `${key}.data`));
    const contentType = mediaType(staged.content_type);
    return this.record(key, { name: safeName(staged.name) ?? `output.${extensionOf(contentType)}`, contentType });
  }

  private store(uri: string): string {
    const match = DATA_URI.exec(uri)!;
    const contentType = mediaType(match[1]);
    const name = safeName(/;name=([^;,]+)/.exec(match[2])?.[1]) ?? `output.${extensionOf(contentType)}`;
    const key = randomBytes(18).toString("base64url");
    writeFileSync(path.join(this.dir, `${key}.data`), Buffer.from(uri.slice(match[0].length), "base64"));
    return this.record(key, { name, contentType });
  }

  /** Makes `<key>.data` an output file: its metadata here, and (shared) its upload under way. */
  private record(key: string, meta: NamedFileMeta): string {
    const metaFile = path.join(this.dir, `${key}.json`);
    writeFileSync(metaFile, JSON.stringify({ file: `${key}.data`, name: meta.name, contentType: meta.contentType }));
    if (this.options.shared) {
      // Moved into the blob store (its cache) once uploaded; from then on every replica reads it there.
      const upload = this.blobs.putNamed(key, path.join(this.dir, `${key}.data`), meta, { move: true }).then(
        () => {
          rmSync(metaFile, { force: true });
          this.uploading.delete(key);
        },
        (error: Error) => {
          this.uploading.delete(key);
          this.options.log?.(`output file ${key} could not be put in the blob store (only this replica serves it): ${error.message}`);
          throw error;
        },
      );
      upload.catch(() => {}); // reported above; `stored()` rethrows it to whoever waits
      this.uploading.set(key, upload);
    }
    return fileRef(key, meta.name);
  }

  /**
   * Deletes the files an output refers to (data retention), here and (shared) in the blob store.
   * Bytes of older outputs kept in the content-addressed blob store stay, since other outputs or
   * bundles may share them, but their URL stops working.
   */
  remove(output: unknown): number {
    let removed = 0;
    for (const key of fileRefKeys(output)) {
      if (!KEY.test(key)) continue;
      const meta = path.join(this.dir, `${key}.json`);
      if (this.options.shared) {
        const pending = this.uploading.get(key) ?? Promise.resolve();
        pending
          .catch(() => {})
          .then(() => this.blobs.removeNamed(key))
          .catch((error: Error) => this.options.log?.(`output file ${key} could not be removed from the blob store: ${error.message}`));
      }
      if (!existsSync(meta)) {
        if (this.options.shared) removed++;
        continue;
      }
      rmSync(path.join(this.dir, `${key}.data`), { force: true });
      rmSync(meta, { force: true });
      removed++;
    }
    return removed;
  }

  /** The file behind a key, or null (unknown keys and malformed ones alike). */
  async open(key: string): Promise<OutputFile | null> {
    if (!KEY.test(key)) return null;
    // This replica's own upload still under way: served from here until it is done.
    await this.uploading.get(key)?.catch(() => {});
    const meta = path.join(this.dir, `${key}.json`);
    if (existsSync(meta)) {
      const { sha, file: own, name, contentType } = JSON.parse(readFileSync(meta, "utf8")) as { sha?: string; file?: string; name: string; contentType: string };
      // Outputs stored before data: URIs were written here kept their bytes in the blob store.
      const file = own ? path.join(this.dir, path.basename(own)) : await this.blobs.localPath(sha!).catch(() => null);
      if (file && existsSync(file)) return { path: file, name, contentType, size: statSync(file).size };
    }
    if (!this.options.shared) return null;
    return this.blobs.openNamed(key);
  }
}
