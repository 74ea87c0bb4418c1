// The behaviour every BlobStore must have. Each implementation's test file calls
// `blobStoreContract` with a factory that returns an empty store.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import type { BlobStore } from "./blob-store.ts";

const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const overLimit = () => new Error("too big");
const scratch = () => mkdtempSync(path.join(tmpdir(), "sprocket-blob-contract-"));

export function blobStoreContract(name: string, make: () => Promise<BlobStore>): void {
  test(`${name}: put stores bytes under their digest; has and localPath find them, and only them`, async () => {
    const blobs = await make();
    const bytes = Buffer.from("hello blob store");
    assert.equal(await blobs.has(sha(bytes)), false);
    await blobs.put(sha(bytes), bytes);
    assert.equal(await blobs.has(sha(bytes)), true);
    assert.deepEqual(readFileSync(await blobs.localPath(sha(bytes))), bytes);
    // The same bytes again: nothing changes.
    await blobs.put(sha(bytes), bytes);
    assert.deepEqual(readFileSync(await blobs.localPath(sha(bytes))), bytes);
    await assert.rejects(blobs.localPath(sha("never stored")), (error: { code?: string }) => error.code === "not_found");
  });

  test(`${name}: put refuses bytes whose digest is not the one claimed, and keeps nothing`, async () => {
    const blobs = await make();
    const claimed = sha("other bytes");
    await assert.rejects(blobs.put(claimed, Buffer.from("these bytes")), (error: { code?: string }) => error.code === "bad_request");
    assert.equal(await blobs.has(claimed), false);
  });

  test(`${name}: a malformed digest or named-file key is a bad request`, async () => {
    const blobs = await make();
    for (const call of [() => blobs.has("../etc/passwd"), () => blobs.localPath("ABC"), () => blobs.openNamed("../x"), () => blobs.removeNamed("a/b")]) {
      await assert.rejects(call(), (error: { code?: string }) => error.code === "bad_request");
    }
  });

  test(`${name}: ingest streams bytes in under their sha256 and reports md5 and size; the same bytes again give the same answer`, async () => {
    const blobs = await make();
    const chunks = ["streamed ", "into ", `the store ${name}`].map((text) => Buffer.from(text));
    const whole = Buffer.concat(chunks);
    const blob = await blobs.ingest(Readable.from(chunks), { maxBytes: 1000, overLimit });
    assert.deepEqual(blob, { sha256: sha(whole), md5: createHash("md5").update(whole).digest("hex"), size: whole.length });
    assert.equal(await blobs.has(blob.sha256), true);
    assert.deepEqual(readFileSync(await blobs.localPath(blob.sha256)), whole);
    assert.deepEqual(await blobs.ingest(Readable.from([whole]), { maxBytes: 1000, overLimit }), blob);
    // With the digest given, md5 is not computed.
    assert.deepEqual(await blobs.ingest(Readable.from([whole]), { maxBytes: 1000, overLimit, expectSha256: blob.sha256 }), { ...blob, md5: "" });
  });

  test(`${name}: ingest over the limit rejects with the caller's error; exactly at the limit is fine`, async () => {
    const blobs = await make();
    const over = Buffer.alloc(120, 1);
    await assert.rejects(blobs.ingest(Readable.from([over.subarray(0, 60), over.subarray(60)]), { maxBytes: 100, overLimit }), /too big/);
    assert.equal(await blobs.has(sha(over)), false);
    const exact = Buffer.alloc(100, 7);
    assert.equal((await blobs.ingest(Readable.from([exact]), { maxBytes: 100, overLimit })).size, 100);
    assert.equal(await blobs.has(sha(exact)), true);
  });

  test(`${name}: ingest with an expected digest refuses other bytes with the caller's error and keeps nothing`, async () => {
    const blobs = await make();
    const bytes = Buffer.from(`not what was announced ${name}`);
    await assert.rejects(
      blobs.ingest(Readable.from([bytes]), { maxBytes: 1000, overLimit, expectSha256: sha("announced"), mismatch: (actual) => new Error(`mismatch ${actual}`) }),
      new RegExp(`mismatch ${sha(bytes)}`),
    );
    assert.equal(await blobs.has(sha(bytes)), false);
    assert.equal(await blobs.has(sha("announced")), false);
  });

  test(`${name}: concurrent readers of one blob get the same bytes`, async () => {
    const blobs = await make();
    const bytes = Buffer.alloc(256 * 1024, 5);
    await blobs.put(sha(bytes), bytes);
    const paths = await Promise.all([1, 2, 3, 4].map(() => blobs.localPath(sha(bytes))));
    for (const file of paths) assert.equal(sha(readFileSync(file)), sha(bytes));
  });

  test(`${name}: a named file keeps its bytes, name and media type until removed`, async () => {
    const blobs = await make();
    const dir = scratch();
    const source = path.join(dir, "out.png");
    writeFileSync(source, "not really a png");
    await blobs.putNamed("Key_1-abc", source, { name: "résumé «final».png", contentType: "image/png" });
    assert.ok(existsSync(source), "without `move`, the caller keeps its file");
    const named = await blobs.openNamed("Key_1-abc");
    assert.ok(named);
    assert.deepEqual({ ...named, path: undefined }, { path: undefined, name: "résumé «final».png", contentType: "image/png", size: 16 });
    assert.equal(readFileSync(named.path, "utf8"), "not really a png");
    assert.equal(await blobs.openNamed("Key_2-unknown"), null);
    await blobs.removeNamed("Key_1-abc");
    assert.equal(await blobs.openNamed("Key_1-abc"), null);
    await blobs.removeNamed("Key_1-abc"); // already gone: nothing happens
  });

  test(`${name}: putNamed with move takes the caller's file`, async () => {
    const blobs = await make();
    const source = path.join(scratch(), "weights.bin");
    writeFileSync(source, Buffer.alloc(1000, 9));
    await blobs.putNamed("moved", source, { name: "weights.bin", contentType: "application/octet-stream" }, { move: true });
    assert.equal(existsSync(source), false);
    const named = await blobs.openNamed("moved");
    assert.equal(named?.size, 1000);
    assert.deepEqual(readFileSync(named!.path), Buffer.alloc(1000, 9));
  });
}
