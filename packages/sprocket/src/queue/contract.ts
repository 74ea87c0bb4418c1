// The behaviour every JobQueue must have (the queue predictions enter and worker hosts claim
// from). `make` returns two handles on one queue, as two processes would hold it (for the
// in-process queue, the same one twice).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Job, JobQueue } from "./queue.ts";

export interface QueuePair {
  a: JobQueue;
  b: JobQueue;
  close(): Promise<void>;
}

const job = (id: string, account = "ada", pool = "v1"): Job => ({ predictionId: id, versionId: "v1", model: "ada/m", pool, account });

export function jobQueueContract(name: string, make: () => Promise<QueuePair>): void {
  test(`${name}: jobs added anywhere are claimed once each, oldest first, at most max at a time`, async () => {
    const { a, b, close } = await make();
    for (let i = 1; i <= 5; i++) await a.add(job(`p${i}`));
    assert.equal(await b.waiting(), 5);
    const first = await b.claim(2, 0);
    const rest = await a.claim(10, 0);
    assert.deepEqual(first.map((j) => j.predictionId), ["p1", "p2"]);
    assert.deepEqual(rest.map((j) => j.predictionId), ["p3", "p4", "p5"]);
    assert.deepEqual(await a.claim(1, 0), []);
    assert.equal(await a.waiting(), 0);
    await close();
  });

  test(`${name}: concurrent claims never get the same job`, async () => {
    const { a, b, close } = await make();
    for (let i = 0; i < 20; i++) await a.add(job(`c${i}`, i % 2 ? "ada" : "bo"));
    const claims = await Promise.all([a.claim(7, 0), b.claim(7, 0), a.claim(7, 0), b.claim(7, 0)]);
    const ids = claims.flat().map((j) => j.predictionId);
    assert.equal(ids.length, 20);
    assert.equal(new Set(ids).size, 20);
    await close();
  });

  test(`${name}: a waiting claim wakes when a job is added elsewhere, and gives up after its wait`, async () => {
    const { a, b, close } = await make();
    const started = Date.now();
    assert.deepEqual(await b.claim(1, 150), []);
    assert.ok(Date.now() - started >= 100, "waited for work before answering empty");
    const claimed = b.claim(1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const added = Date.now();
    await a.add({ ...job("w1"), run: { input: { secret: "s" }, secretValues: ["s"], fileInputs: [] } });
    const [got] = await claimed;
    assert.ok(Date.now() - added < 2000, "woken by the add, not by the wait running out");
    assert.deepEqual(got.run, { input: { secret: "s" }, secretValues: ["s"], fileInputs: [] }, "what the run needs travels with the job");
    await close();
  });

  test(`${name}: a cancel removes a job not yet claimed, and only that`, async () => {
    const { a, b, close } = await make();
    await a.add(job("x1"));
    await a.add(job("x2"));
    assert.equal(await b.has("x1"), true);
    assert.equal(await b.cancel("x1"), true);
    assert.equal(await b.has("x1"), false);
    assert.equal(await b.cancel("x1"), false);
    assert.equal(await b.cancel("nope"), false);
    const [claimed] = await a.claim(5, 0);
    assert.equal(claimed.predictionId, "x2");
    assert.equal(await b.cancel("x2"), false, "a claimed job is the worker's now");
    await close();
  });

  test(`${name}: a host claims only jobs for hardware it has; jobs of no particular hardware suit any host`, async () => {
    const { a, b, close } = await make();
    await a.add({ ...job("g1", "ada", "vg"), versionId: "vg", hardware: "gpu-test" });
    await a.add({ ...job("c1", "ada", "vc"), versionId: "vc", hardware: "cpu" });
    assert.deepEqual((await b.claim(5, 0, ["cpu"])).map((j) => j.predictionId), ["c1"]);
    assert.deepEqual(await b.claim(5, 0, ["cpu"]), [], "a CPU host leaves the GPU job");
    assert.equal(await b.has("g1"), true);
    const [gpu] = await a.claim(5, 0, ["cpu", "gpu-test"]);
    assert.equal(gpu.predictionId, "g1");
    assert.equal(gpu.hardware, "gpu-test");
    await a.add({ ...job("g2", "ada", "vg"), versionId: "vg", hardware: "gpu-test" });
    assert.equal(await b.cancel("g2"), true, "a cancel finds a job whatever its hardware");
    await close();
  });
}
