// The blob store contract against a real S3-compatible server (s3rver, started here on a free
// port; see test/s3-server.ts for what it does not verify), and what only the S3 store does:
// replicas with caches of their own sharing one bucket, a bucket copy that is not what its name
// says, and a bucket that cannot be reached at start. Without s3rver it says it skipped.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import { AwsClient } from "aws4fetch";
import { startS3, TEST_BUCKET, type TestS3 } from "../../test/s3-server.ts";
import { fileRef } from "../protocol/file-refs.ts";
import { STAGED_PREFIX } from "../protocol/runner-messages.ts";
import { blobStoreContract } from "./contract.ts";
import { OutputFiles } from "./output-files.ts";
import { S3BlobStore } from "./s3-blob-store.ts";

const started = await startS3();
const s3 = "why" in started ? null : started;
if (!s3) console.log(`SKIPPED: the S3 blob store tests (${(started as { why: string }).why})`);
const dir = mkdtempSync(path.join(tmpdir(), "sprocket-s3-store-"));
after(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});
const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
let caches = 0;
const cacheDir = () => path.join(dir, `cache-${++caches}`);

describe("S3BlobStore on s3rver", { skip: !s3 && "s3rver could not start (see the SKIPPED line)" }, () => {
  const server = s3 as TestS3;
  blobStoreContract("S3BlobStore", () => new S3BlobStore(server.location(), cacheDir()).open());

  test("two replicas share one bucket: what one stores, the other has, reads into its own cache and serves", async () => {
    const location = server.location();
    const a = await new S3BlobStore(location, cacheDir()).open();
    const b = await new S3BlobStore(location, cacheDir()).open();
    const bytes = Buffer.alloc(3 * 1024 * 1024, 42);
    const blob = await a.ingest(Readable.from([bytes]), { maxBytes: bytes.length, overLimit: () => new Error("too big") });
    assert.equal(await b.has(blob.sha256), true);
    const copy = await b.localPath(blob.sha256);
    assert.ok(copy.startsWith(path.join(dir, `cache-${caches}`)), "read into b's own cache");
    assert.equal(sha(readFileSync(copy)), blob.sha256);

    const source = path.join(dir, "named-source");
    writeFileSync(source, "an output file");
    await a.putNamed("shared-key", source, { name: "out.txt", contentType: "text/plain" });
    const seen = await b.openNamed("shared-key");
    assert.deepEqual({ ...seen, path: undefined }, { path: undefined, name: "out.txt", contentType: "text/plain", size: 14 });
    // Removed through a: b stops serving its cached copy too.
    await a.removeNamed("shared-key");
    assert.equal(await b.openNamed("shared-key"), null);
    assert.equal(existsSync(seen!.path), false);
  });

  test("a bucket copy whose bytes are not its name's digest is refused, not cached", async () => {
    const location = server.location();
    const store = await new S3BlobStore(location, cacheDir()).open();
    const claimed = sha("the real bytes");
    const aws = new AwsClient({ accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey, service: "s3", region: location.region });
    const put = await aws.fetch(`${server.endpoint}/${TEST_BUCKET}/${location.prefix}/blobs/${claimed}`, { method: "PUT", body: "tampered bytes" });
    assert.equal(put.status, 200);
    await assert.rejects(store.localPath(claimed), (error: { code?: string; message: string }) => error.code === "unavailable" && /hashes to/.test(error.message));
    assert.equal(existsSync(path.join(dir, `cache-${caches}`, claimed.slice(0, 2), claimed)), false);
  });

  test("an unreachable endpoint, a missing bucket and an unknown key id are refused at open, named, without the secret", async () => {
    const good = server.location();
    const cases: Array<[Partial<typeof good>, RegExp]> = [
      [{ endpoint: "http://127.0.0.1:1" }, /cannot reach S3 bucket "sprocket-test" at http:\/\/127\.0\.0\.1:1 \(SPROCKET_S3_ENDPOINT\)/],
      [{ bucket: "no-such-bucket" }, /no such bucket \(SPROCKET_S3_BUCKET\)/],
      [{ accessKeyId: "WRONG", secretAccessKey: "hunter2-secret" }, /access denied \(SPROCKET_S3_ACCESS_KEY_ID, SPROCKET_S3_SECRET_ACCESS_KEY\)/],
    ];
    for (const [change, message] of cases) {
      await assert.rejects(new S3BlobStore({ ...good, ...change }, cacheDir()).open(), (error: Error) => {
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /hunter2|S3RVER/);
        return true;
      });
    }
  });

  test("with the S3 store, output files live in the bucket: a file one replica stored is served by another, and retention on either removes it everywhere", async () => {
    const location = server.location();
    const outputsA = new OutputFiles(await new S3BlobStore(location, cacheDir()).open(), path.join(dir, "outputs-a"), { shared: true });
    const outputsB = new OutputFiles(await new S3BlobStore(location, cacheDir()).open(), path.join(dir, "outputs-b"), { shared: true });
    writeFileSync(path.join(outputsA.stagingDir, "t1"), "staged image bytes");
    const output = outputsA.persist(
      [`${STAGED_PREFIX}t1`, `data:text/plain;base64,${Buffer.from("from a data URI").toString("base64")}`],
      { t1: { path: path.join(outputsA.stagingDir, "t1"), name: "cat.png", content_type: "image/png" } },
    ) as string[];
    assert.match(output[0], /^sprocket-file:[A-Za-z0-9_-]{24}\/cat\.png$/);
    // Served at once by the replica that stored it, while its upload may still be under way.
    const key = (ref: string) => ref.slice("sprocket-file:".length).split("/")[0];
    assert.equal(readFileSync((await outputsA.open(key(output[0])))!.path, "utf8"), "staged image bytes");
    await outputsA.stored(output);
    await outputsA.flush(); // nothing left under way
    const fromB = await outputsB.open(key(output[0]));
    assert.deepEqual({ ...fromB, path: undefined }, { path: undefined, name: "cat.png", contentType: "image/png", size: 18 });
    assert.equal(readFileSync(fromB!.path, "utf8"), "staged image bytes");
    assert.equal(readFileSync((await outputsB.open(key(output[1])))!.path, "utf8"), "from a data URI");
    assert.equal(outputsB.remove(output), 2);
    const gone = async () => (await outputsA.open(key(output[0]))) === null && (await outputsA.open(key(output[1]))) === null;
    const deadline = Date.now() + 5000;
    while (!(await gone())) {
      assert.ok(Date.now() < deadline, "replica a still serves files that retention removed through b");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(await outputsB.open(key(fileRef("A".repeat(24), "x"))), null);
  });
});
