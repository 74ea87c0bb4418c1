import { randomBytes } from "node:crypto";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileRef, mapStrings } from "../protocol/file-refs.ts";
import type { BlobStore } from "./blob-store.ts";

export interface OutputFile {
  path: string;
  name: string;
  contentType: string;
  size: number;
}

const DATA_URI = /^data:([^;,]*)((?:;[^;,]*)*?);base64,/;
const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
  "image/gif": "gif",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/mpeg": "mp3",
  "video/mp4": "mp4",
  "text/plain": "txt",
  "application/json": "json",
};

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
 * Files that models return. Runners send them as `data:` URIs (Cog's encoding without an upload
 * URL); the worker stores their bytes in the blob store and keeps a reference in the output, which
 * the API serves at an unguessable URL that needs no token. Metadata lives beside the blobs as one
 * small JSON file per output file.
 */
export class OutputFiles {
  constructor(
    private readonly blobs: BlobStore,
    private readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Replaces every base64 `data:` URI in an output with a stored file's reference. */
  persist(output: unknown): unknown {
    return mapStrings(output, (text) => (DATA_URI.test(text) ? this.store(text) : text));
  }

  private store(uri: string): string {
    const match = DATA_URI.exec(uri)!;
    // A model chooses this type; anything that is not a plain media type is served as bytes.
    const contentType = /^[a-z]+\/[a-z0-9.+-]+$/i.test(match[1]) ? match[1].toLowerCase() : "application/octet-stream";
    const name = safeName(/;name=([^;,]+)/.exec(match[2])?.[1]) ?? `output.${EXTENSIONS[contentType] ?? "bin"}`;
    const bytes = Buffer.from(uri.slice(match[0].length), "base64");
    const sha = createHash("sha256").update(bytes).digest("hex");
    this.blobs.put(sha, bytes);
    const key = randomBytes(18).toString("base64url");
    writeFileSync(path.join(this.dir, `${key}.json`), JSON.stringify({ sha, name, contentType }));
    return fileRef(key, name);
  }

  /** The file behind a key, or null (unknown keys and malformed ones alike). */
  open(key: string): OutputFile | null {
    if (!/^[A-Za-z0-9_-]{24}$/.test(key)) return null;
    const meta = path.join(this.dir, `${key}.json`);
    if (!existsSync(meta)) return null;
    const { sha, name, contentType } = JSON.parse(readFileSync(meta, "utf8")) as { sha: string; name: string; contentType: string };
    const file = this.blobs.path(sha);
    if (!existsSync(file)) return null;
    return { path: file, name, contentType, size: statSync(file).size };
  }
}
