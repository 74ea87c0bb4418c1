import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { STAGED_PREFIX } from "../protocol/runner-messages.ts";
import { LocalBlobStore } from "./local-blob-store.ts";
import { OutputFiles } from "./output-files.ts";

const dir = mkdtempSync(path.join(tmpdir(), "sprocket-output-files-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const keyOf = (ref: string) => ref.slice("sprocket-file:".length).split("/")[0];

/** A shared blob store whose uploads fail (the bucket went away after start). */
class FailingUploads extends LocalBlobStore {
  override async putNamed(): Promise<void> {
    throw new Error("S3 is unreachable");
  }
}

test("shared: an output file whose upload fails is still served by this replica, stored() rejects, and the failure is logged", async () => {
  const logged: string[] = [];
  const outputs = new OutputFiles(new FailingUploads(path.join(dir, "blobs-a")), path.join(dir, "outputs-a"), { shared: true, log: (m) => logged.push(m) });
  writeFileSync(path.join(outputs.stagingDir, "t"), "bytes");
  const ref = outputs.persist(`${STAGED_PREFIX}t`, { t: { path: path.join(outputs.stagingDir, "t"), name: "o.txt", content_type: "text/plain" } }) as string;
  await assert.rejects(outputs.stored(ref), /S3 is unreachable/);
  const file = await outputs.open(keyOf(ref));
  assert.equal(readFileSync(file!.path, "utf8"), "bytes");
  assert.match(logged.join("\n"), /could not be put in the blob store \(only this replica serves it\): S3 is unreachable/);
  await outputs.flush();
});

test("not shared: output files stay in the outputs directory, stored() resolves at once, nothing goes to the blob store", async () => {
  const blobs = new LocalBlobStore(path.join(dir, "blobs-b"));
  const outputs = new OutputFiles(blobs, path.join(dir, "outputs-b"));
  const ref = outputs.persist(`data:text/plain;name=n%C3%A9.txt;base64,${Buffer.from("hi").toString("base64")}`) as string;
  assert.match(ref, /\/n%C3%A9\.txt$/);
  await outputs.stored(ref);
  const file = await outputs.open(keyOf(ref));
  assert.deepEqual({ ...file, path: undefined }, { path: undefined, name: "né.txt", contentType: "text/plain", size: 2 });
  assert.ok(file!.path.startsWith(path.join(dir, "outputs-b")));
  assert.equal(await blobs.openNamed(keyOf(ref)), null);
  assert.equal(outputs.remove(ref), 1);
  assert.equal(await outputs.open(keyOf(ref)), null);
});
