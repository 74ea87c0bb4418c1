import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalQueue } from "./local-queue.ts";
import type { Job } from "./queue.ts";

const job = (predictionId: string, pool: string, account = "alice"): Job => ({ predictionId, versionId: pool, model: "a/m", pool, account });

/** Takes every job of `pool`, returning their ids in the order they came out. */
function drain(queue: LocalQueue, pool: string): string[] {
  const ids: string[] = [];
  for (let next = queue.take(pool); next; next = queue.take(pool)) ids.push(next.predictionId);
  return ids;
}

test("jobs come out oldest first per pool, and enqueue wakes listeners at once", () => {
  const queue = new LocalQueue();
  const woken: string[] = [];
  queue.onEnqueue((queued) => woken.push(queued.pool));
  queue.enqueue(job("p1", "v1"));
  queue.enqueue(job("p2", "v2"));
  queue.enqueue(job("p3", "v1"));
  assert.deepEqual(woken, ["v1", "v2", "v1"]);
  assert.equal(queue.depth(), 3);
  assert.equal(queue.take("v1")?.predictionId, "p1");
  assert.equal(queue.take("v1")?.predictionId, "p3");
  assert.equal(queue.take("v1"), undefined);
  assert.deepEqual(queue.pendingPools(), ["v2"]);
});

test("a job removed before it is taken never comes out", () => {
  const queue = new LocalQueue();
  queue.enqueue(job("p1", "v1"));
  assert.equal(queue.remove("p1"), true);
  assert.equal(queue.remove("p1"), false);
  assert.equal(queue.take("v1"), undefined);
  assert.equal(queue.depth(), 0);
  assert.equal(queue.place("p1"), undefined);
});

test("accounts competing for one pool take turns: a burst does not starve a later account's prediction", () => {
  const queue = new LocalQueue();
  for (let i = 1; i <= 4; i++) queue.enqueue(job(`a${i}`, "v1", "alice"));
  queue.enqueue(job("b1", "v1", "bob"));
  queue.enqueue(job("b2", "v1", "bob"));
  queue.enqueue(job("c1", "v1", "carol"));
  assert.deepEqual(drain(queue, "v1"), ["a1", "b1", "c1", "a2", "b2", "a3", "a4"]);
});

test("an account that comes back after its turn waits behind those already waiting", () => {
  const queue = new LocalQueue();
  queue.enqueue(job("a1", "v1", "alice"));
  queue.enqueue(job("a2", "v1", "alice"));
  queue.enqueue(job("b1", "v1", "bob"));
  assert.equal(queue.take("v1")?.predictionId, "a1");
  queue.enqueue(job("c1", "v1", "carol"));
  assert.deepEqual(drain(queue, "v1"), ["b1", "a2", "c1"]);
});

test("a waiting job's place is the order it will be taken in, and moves up as others are taken or removed", () => {
  const queue = new LocalQueue();
  for (let i = 1; i <= 3; i++) queue.enqueue(job(`a${i}`, "v1", "alice"));
  queue.enqueue(job("b1", "v1", "bob"));
  queue.enqueue(job("b2", "v1", "bob"));
  queue.enqueue(job("x1", "v2", "bob"));
  const order = ["a1", "b1", "a2", "b2", "a3"];
  for (const [index, id] of order.entries()) assert.deepEqual(queue.place(id), { pool: "v1", position: index + 1 }, id);
  assert.deepEqual(queue.place("x1"), { pool: "v2", position: 1 });
  queue.take("v1");
  assert.equal(queue.place("b1")?.position, 1);
  assert.equal(queue.remove("a2"), true);
  assert.equal(queue.place("a3")?.position, 2, "b1, then alice's turn");
  assert.equal(queue.place("a1"), undefined, "taken");
});
