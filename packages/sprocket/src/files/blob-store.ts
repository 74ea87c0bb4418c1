import type { Readable } from "node:stream";

/** What `ingest` learned about the bytes while storing them. */
export interface IngestedBlob {
  sha256: string;
  /** Empty when the digest was given (`expectSha256`): pushed files need only their sha256. */
  md5: string;
  size: number;
}

/**
 * Content-addressed bytes (bundles, uploads, outputs given as data: URIs), named by their sha256.
 * The embedded implementation is LocalBlobStore (the data directory); an S3-compatible one comes
 * with scale-out, where `path` would be a local cache filled on first use.
 */
export interface BlobStore {
  /** A local file holding the blob's bytes (read-only for callers). */
  path(sha256: string): string;
  has(sha256: string): boolean;
  /** Stores bytes under their digest; refuses bytes whose digest is not the one claimed. */
  put(sha256: string, data: Uint8Array): void;
  /**
   * Streams bytes of unknown digest into the store, hashing them on the way; more than `maxBytes`
   * stops, keeps nothing and rejects with `overLimit()`; with `expectSha256`, other bytes are not
   * kept either and reject with `mismatch()`.
   */
  ingest(
    source: Readable,
    options: { maxBytes: number; overLimit: () => Error; expectSha256?: string; mismatch?: (actual: string) => Error },
  ): Promise<IngestedBlob>;
}
