import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupCommit } from "./group-commit.ts";

/** A transaction that writes what happens to `log`. */
const logged = (log: string[]) => ({
  begin: () => log.push("begin"),
  commit: () => log.push("commit"),
  rollback: () => log.push("rollback"),
  savepoint: () => log.push("savepoint"),
  release: () => log.push("release"),
  rollbackToSavepoint: () => log.push("rollback to savepoint"),
});

test("writes requested in the same turn share one transaction and resolve after its commit", async () => {
  const log: string[] = [];
  const batch = new GroupCommit(logged(log));
  const results = await Promise.all([batch.run(() => (log.push("a"), 1)), batch.run(() => (log.push("b"), 2))]);
  assert.deepEqual(results, [1, 2]);
  assert.deepEqual(log, ["begin", "a", "b", "commit"]);
});

test("a write alone runs without an explicit transaction", async () => {
  const log: string[] = [];
  const batch = new GroupCommit(logged(log));
  assert.equal(await batch.run(() => (log.push("a"), 1)), 1);
  assert.deepEqual(log, ["a"]);
});

test("one failing write rejects only its own caller; a failed commit rejects them all", async () => {
  const batch = new GroupCommit(logged([]));
  const [ok, bad] = await Promise.allSettled([batch.run(() => "fine"), batch.run(() => { throw new Error("constraint"); })]);
  assert.equal(ok.status, "fulfilled");
  assert.equal(bad.status, "rejected");
  const broken = new GroupCommit({ ...logged([]), commit: () => { throw new Error("disk full"); } });
  const settled = await Promise.allSettled([broken.run(() => 1), broken.run(() => 2)]);
  assert.deepEqual(settled.map((s) => s.status), ["rejected", "rejected"]);
});

test("an atomic write gets a transaction alone, and a savepoint in company, so it commits whole or not at all", async () => {
  const alone: string[] = [];
  await new GroupCommit(logged(alone)).run(() => alone.push("a1", "a2"), true);
  assert.deepEqual(alone, ["begin", "savepoint", "a1", "a2", "release", "commit"]);

  const shared: string[] = [];
  const batch = new GroupCommit(logged(shared));
  const [plain, atomic] = await Promise.allSettled([
    batch.run(() => shared.push("p")),
    batch.run(() => {
      shared.push("x1");
      throw new Error("second statement failed");
    }, true),
  ]);
  assert.equal(plain.status, "fulfilled");
  assert.equal(atomic.status, "rejected");
  assert.deepEqual(shared, ["begin", "p", "savepoint", "x1", "rollback to savepoint", "commit"]);
});
