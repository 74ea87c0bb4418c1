import type { Config } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import type { BlobStore } from "../files/blob-store.ts";
import { LocalBlobStore } from "../files/local-blob-store.ts";
import { S3BlobStore } from "../files/s3-blob-store.ts";

type S3Settings = Pick<Config, "s3Bucket" | "s3Endpoint" | "s3Region" | "s3AccessKeyId" | "s3SecretAccessKey" | "s3Prefix" | "s3ForcePathStyle">;

/**
 * The blob store a process runs on: an S3-compatible bucket when SPROCKET_S3_BUCKET is set (its
 * bucket checked here, so a wrong endpoint, bucket or key stops the start with one line naming
 * it, never the secret), with `blobDir` as its cache; else the data directory's `blobDir` alone.
 * `shared` says whether other processes (API replicas) see the same blobs: output files then go
 * to the blob store too (OutputFiles' `shared` option).
 */
export async function openBlobStore(config: S3Settings, blobDir: string): Promise<{ blobs: BlobStore; shared: boolean }> {
  if (!config.s3Bucket) return { blobs: new LocalBlobStore(blobDir), shared: false };
  const missing = [
    ["SPROCKET_S3_ACCESS_KEY_ID", config.s3AccessKeyId],
    ["SPROCKET_S3_SECRET_ACCESS_KEY", config.s3SecretAccessKey],
  ].filter(([, value]) => !value);
  if (missing.length > 0) {
    throw new AppError("config_invalid", `SPROCKET_S3_BUCKET is set, so ${missing.map(([name]) => name).join(" and ")} must be too`);
  }
  const blobs = await new S3BlobStore(
    {
      bucket: config.s3Bucket,
      endpoint: config.s3Endpoint,
      region: config.s3Region,
      accessKeyId: config.s3AccessKeyId!,
      secretAccessKey: config.s3SecretAccessKey!,
      prefix: config.s3Prefix,
      forcePathStyle: config.s3ForcePathStyle,
    },
    blobDir,
  ).open();
  return { blobs, shared: true };
}
