import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { blobStoreContract } from "./contract.ts";
import { LocalBlobStore } from "./local-blob-store.ts";

const dir = mkdtempSync(path.join(tmpdir(), "sprocket-blobs-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const overLimit = () => new Error("too big");

blobStoreContract("LocalBlobStore", async () => new LocalBlobStore(mkdtempSync(path.join(dir, "contract-"))));

test("ingest streams bytes into the store under their sha256 and reports their md5 and size", async () => {
  const blobs = new LocalBlobStore(dir);
  const chunks = ["hello ", "streamed ", "world"].map((text) => Buffer.from(text));
  const blob = await blobs.ingest(Readable.from(chunks), { maxBytes: 100, overLimit });
  const whole = Buffer.concat(chunks);
  assert.deepEqual(blob, {
    sha256: createHash("sha256").update(whole).digest("hex"),
    md5: createHash("md5").update(whole).digest("hex"),
    size: whole.length,
  });
  assert.deepEqual(readFileSync(blobs.blobPath(blob.sha256)), whole);
  // The same bytes again: stored once, same answer.
  assert.deepEqual(await blobs.ingest(Readable.from([whole]), { maxBytes: 100, overLimit }), blob);
  assert.deepEqual(readdirSync(path.join(dir, "incoming")), []);
});

test("ingest over the limit rejects with the caller's error and leaves no partial file", async () => {
  const blobs = new LocalBlobStore(dir);
  const source = Readable.from([Buffer.alloc(60), Buffer.alloc(60)]);
  await assert.rejects(blobs.ingest(source, { maxBytes: 100, overLimit }), /too big/);
  assert.deepEqual(readdirSync(path.join(dir, "incoming")), []);
  // Exactly at the limit is fine.
  assert.equal((await blobs.ingest(Readable.from([Buffer.alloc(100, 7)]), { maxBytes: 100, overLimit })).size, 100);
});
