import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalQueue } from "./local-queue.ts";

test("jobs come out oldest first per pool, and enqueue wakes listeners at once", () => {
  const queue = new LocalQueue();
  const woken: string[] = [];
  queue.onEnqueue((version) => woken.push(version));
  queue.enqueue({ predictionId: "p1", versionId: "v1", model: "a/m", pool: "v1" });
  queue.enqueue({ predictionId: "p2", versionId: "v2", model: "a/n", pool: "v2" });
  queue.enqueue({ predictionId: "p3", versionId: "v1", model: "a/m", pool: "v1" });
  assert.deepEqual(woken, ["v1", "v2", "v1"]);
  assert.equal(queue.depth(), 3);
  assert.equal(queue.take("v1")?.predictionId, "p1");
  assert.equal(queue.take("v1")?.predictionId, "p3");
  assert.equal(queue.take("v1"), undefined);
  assert.deepEqual(queue.pendingPools(), ["v2"]);
});

test("a job removed before it is taken never comes out", () => {
  const queue = new LocalQueue();
  queue.enqueue({ predictionId: "p1", versionId: "v1", model: "a/m", pool: "v1" });
  assert.equal(queue.remove("p1"), true);
  assert.equal(queue.remove("p1"), false);
  assert.equal(queue.take("v1"), undefined);
  assert.equal(queue.depth(), 0);
});
