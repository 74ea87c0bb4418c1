import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupCommit } from "./group-commit.ts";

test("writes requested in the same turn share one transaction and resolve after its commit", async () => {
  const log: string[] = [];
  const batch = new GroupCommit({ begin: () => log.push("begin"), commit: () => log.push("commit"), rollback: () => log.push("rollback") });
  const results = await Promise.all([batch.run(() => (log.push("a"), 1)), batch.run(() => (log.push("b"), 2))]);
  assert.deepEqual(results, [1, 2]);
  assert.deepEqual(log, ["begin", "a", "b", "commit"]);
});

test("a write alone runs without an explicit transaction", async () => {
  const log: string[] = [];
  const batch = new GroupCommit({ begin: () => log.push("begin"), commit: () => log.push("commit"), rollback: () => log.push("rollback") });
  assert.equal(await batch.run(() => (log.push("a"), 1)), 1);
  assert.deepEqual(log, ["a"]);
});

test("one failing write rejects only its own caller; a failed commit rejects them all", async () => {
  const batch = new GroupCommit({ begin: () => {}, commit: () => {}, rollback: () => {} });
  const [ok, bad] = await Promise.allSettled([batch.run(() => "fine"), batch.run(() => { throw new Error("constraint"); })]);
  assert.equal(ok.status, "fulfilled");
  assert.equal(bad.status, "rejected");
  const broken = new GroupCommit({ begin: () => {}, commit: () => { throw new Error("disk full"); }, rollback: () => {} });
  const settled = await Promise.allSettled([broken.run(() => 1), broken.run(() => 2)]);
  assert.deepEqual(settled.map((s) => s.status), ["rejected", "rejected"]);
});
