// A real S3-compatible server for the tests: s3rver (npm, pure JS; a dev dependency), on a free
// port of 127.0.0.1 with a temporary directory. What it does not check, the tests cannot either:
// it accepts any Signature V4 for its access key without verifying it (an unknown key id is
// refused), and it does not verify a signed payload digest (S3 does).
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { S3Location } from "../src/files/s3-client.ts";

export interface TestS3 {
  endpoint: string;
  /** A bucket and credentials that work, with a prefix of its own for each call. */
  location(prefix?: string): S3Location;
  close(): Promise<void>;
}

interface S3rver {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

export const TEST_BUCKET = "sprocket-test";

/** Starts s3rver; null (with the reason in `why`) when it cannot start here. */
export async function startS3(): Promise<TestS3 | { why: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "sprocket-s3rver-"));
  let server: S3rver;
  let port: number;
  try {
    const S3rverClass = createRequire(import.meta.url)("s3rver") as new (options: object) => S3rver;
    server = new S3rverClass({ address: "127.0.0.1", port: 0, silent: true, directory: dir, configureBuckets: [{ name: TEST_BUCKET }] });
    ({ port } = await server.run());
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { why: `s3rver could not start: ${(error as Error).message}` };
  }
  const endpoint = `http://127.0.0.1:${port}`;
  let n = 0;
  return {
    endpoint,
    location: (prefix = `run-${process.pid}-${++n}`) => ({
      bucket: TEST_BUCKET,
      endpoint,
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      prefix,
      forcePathStyle: true,
    }),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
