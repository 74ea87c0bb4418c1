import type { Readable } from "node:stream";

/** What `ingest` learned about the bytes while storing them. */
export interface IngestedBlob {
  sha256: string;
  /** Empty when the digest was given (`expectSha256`): pushed files need only their sha256. */
  md5: string;
  size: number;
}

/** What a named file (an output file) is served as. */
export interface NamedFileMeta {
  name: string;
  contentType: string;
}

/** A named file, as a local file to read (the S3 store's cache, filled on first use). */
export interface NamedFile extends NamedFileMeta {
  path: string;
  size: number;
}

/**
 * Bytes the API stores: content-addressed blobs (bundles, uploads, outputs given as data: URIs),
 * named by their sha256, and named files (output files) under a key the caller chooses.
 * Two implementations: LocalBlobStore (the data directory) and S3BlobStore (an S3-compatible
 * bucket, with the data directory as a cache); contract.ts is the behaviour both keep.
 * Everything is asynchronous because the S3 store answers over the network; a blob read through
 * `localPath` is a local file either way (the S3 store downloads it on first use).
 */
export interface BlobStore {
  /** Whether the store holds the blob (the S3 store asks the bucket, not its cache). */
  has(sha256: string): Promise<boolean>;
  /** A local file holding the blob's bytes (read-only for callers); rejects with `not_found` when the store lacks it. */
  localPath(sha256: string): Promise<string>;
  /** Stores bytes under their digest; refuses bytes whose digest is not the one claimed. */
  put(sha256: string, data: Uint8Array): Promise<void>;
  /**
   * Streams bytes of unknown digest into the store, hashing them on the way; more than `maxBytes`
   * stops, keeps nothing and rejects with `overLimit()`; with `expectSha256`, other bytes are not
   * kept either and reject with `mismatch()`.
   */
  ingest(
    source: Readable,
    options: { maxBytes: number; overLimit: () => Error; expectSha256?: string; mismatch?: (actual: string) => Error },
  ): Promise<IngestedBlob>;
  /**
   * Stores the local file `file` under `key` (letters, digits, `_` and `-`) with the name and media
   * type it is served as; `move` lets the store take the file itself instead of a copy.
   */
  putNamed(key: string, file: string, meta: NamedFileMeta, options?: { move?: boolean }): Promise<void>;
  /** The named file under `key`, or null when there is none. */
  openNamed(key: string): Promise<NamedFile | null>;
  /** Removes the named file under `key` (none there: nothing happens). */
  removeNamed(key: string): Promise<void>;
}

/** Keys of named files: safe as a file name and as an S3 key. */
export const NAMED_KEY = /^[A-Za-z0-9_-]{1,128}$/;
