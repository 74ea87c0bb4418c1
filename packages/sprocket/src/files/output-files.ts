import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import { extensionOf } from "../lib/media-types.ts";
import { fileRef, fileRefKeys, mapStrings } from "../protocol/file-refs.ts";
import { STAGED_PREFIX, type StagedFiles } from "../protocol/runner-messages.ts";
import type { BlobStore } from "./blob-store.ts";

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

/**
 * Files that models return. Runners of `sprocket serve` copy each into the staging directory and
 * name it in their message (see StagedFiles): it is moved, not copied, to `<key>.data` here, so a
 * file of any size costs one rename and never passes through memory. Runners without a staging
 * directory send `data:` URIs (Cog's encoding), whose bytes go to the blob store. Either way the
 * output keeps a reference, which the API serves at an unguessable URL that needs no token.
 * Metadata lives beside the files as one small JSON file per output file.
 */
export class OutputFiles {
  /** Where runners put file outputs for the worker to claim (same file system: a rename moves them). */
  readonly stagingDir: string;

  /** `stagingName`: processes sharing one data directory (scale-out) each stage in a directory of their own. */
  constructor(
    private readonly blobs: BlobStore,
    private readonly dir: string,
    stagingName = "staging",
  ) {
    mkdirSync(dir, { recursive: true });
    this.stagingDir = path.join(dir, stagingName);
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

  private claim(staged: StagedFiles[string]): string {
    const source = path.resolve(staged.path);
    // Only files inside the staging directory are taken: a message naming any other path is refused.
    if (path.dirname(source) !== this.stagingDir) throw new Error(`a staged output file must be in ${this.stagingDir}, not ${source}`);
    const key = randomBytes(18).toString("base64url");
    renameSync(source, path.join(this.dir, `${key}.data`));
    const contentType = mediaType(staged.content_type);
    const name = safeName(staged.name) ?? `output.${extensionOf(contentType)}`;
    writeFileSync(path.join(this.dir, `${key}.json`), JSON.stringify({ file: `${key}.data`, name, contentType }));
    return fileRef(key, name);
  }

  private store(uri: string): string {
    const match = DATA_URI.exec(uri)!;
    const contentType = mediaType(match[1]);
    const name = safeName(/;name=([^;,]+)/.exec(match[2])?.[1]) ?? `output.${extensionOf(contentType)}`;
    const bytes = Buffer.from(uri.slice(match[0].length), "base64");
    const sha = createHash("sha256").update(bytes).digest("hex");
    this.blobs.put(sha, bytes);
    const key = randomBytes(18).toString("base64url");
    writeFileSync(path.join(this.dir, `${key}.json`), JSON.stringify({ sha, name, contentType }));
    return fileRef(key, name);
  }

  /**
   * Deletes the files an output refers to (data retention). Files moved here from staging go
   * with their metadata; bytes kept in the content-addressed blob store (data: URI outputs) stay,
   * since other outputs or bundles may share them, but their URL stops working.
   */
  remove(output: unknown): number {
    let removed = 0;
    for (const key of fileRefKeys(output)) {
      if (!/^[A-Za-z0-9_-]{24}$/.test(key)) continue;
      const meta = path.join(this.dir, `${key}.json`);
      if (!existsSync(meta)) continue;
      rmSync(path.join(this.dir, `${key}.data`), { force: true });
      rmSync(meta, { force: true });
      removed++;
    }
    return removed;
  }

  /** The file behind a key, or null (unknown keys and malformed ones alike). */
  open(key: string): OutputFile | null {
    if (!/^[A-Za-z0-9_-]{24}$/.test(key)) return null;
    const meta = path.join(this.dir, `${key}.json`);
    if (!existsSync(meta)) return null;
    const { sha, file: own, name, contentType } = JSON.parse(readFileSync(meta, "utf8")) as { sha?: string; file?: string; name: string; contentType: string };
    const file = own ? path.join(this.dir, path.basename(own)) : this.blobs.path(sha!);
    if (!existsSync(file)) return null;
    return { path: file, name, contentType, size: statSync(file).size };
  }
}
