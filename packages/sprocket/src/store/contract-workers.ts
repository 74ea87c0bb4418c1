// The Store's part in scale-out every implementation must have: worker hosts' heartbeats, handing a
// queued prediction to exactly one worker, and finding what a lost worker held. Run by storeContract.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PredictionRecord, Store } from "./store.ts";

export function workerContract(
  name: string,
  make: () => Promise<Store>,
  prediction: (id: string, account: string, createdAt: string, status?: PredictionRecord["status"]) => PredictionRecord,
  at: (second: number) => string,
): void {
  test(`${name}: worker hosts: heartbeats, one worker per queued prediction, and what a lost worker held`, async () => {
    const store = await make();
    const worker = { id: "w1", name: "gpu-box", hardware: ["cpu"], instances: [{ version: "v", state: "ready" }], running: [] as string[], lastSeen: 1_000, startedAt: 1_000 };
    await store.heartbeatWorker(worker);
    await store.heartbeatWorker({ ...worker, running: ["p1"], lastSeen: 2_000 });
    assert.deepEqual(await store.listWorkers(), [{ ...worker, running: ["p1"], lastSeen: 2_000 }]);
    await store.insertPrediction(prediction("p1", "ada", at(1)));
    await store.insertPrediction(prediction("p2", "ada", at(2)));
    await store.insertPrediction(prediction("p3", "ada", at(3), "succeeded"));
    // Two workers race for p1: one gets it. A finished prediction is never handed out.
    const wins = await Promise.all([store.assignPrediction("p1", "w1"), store.assignPrediction("p1", "w2")]);
    assert.equal(wins.filter(Boolean).length, 1, "exactly one of the two gets it");
    const winner = wins[0] ? "w1" : "w2";
    assert.equal(await store.assignPrediction("p3", "w1"), false);
    assert.equal((await store.getPrediction("p1"))!.workerId, winner);
    assert.deepEqual((await store.unassignedQueued(at(10), 10)).map((p) => p.id), ["p2"]);
    assert.deepEqual((await store.predictionsOfWorker(winner)).map((p) => p.id), ["p1"]);
    // Only a worker still silent is removed, and only one sweeper removes it.
    assert.equal(await store.removeLostWorker("w1", 1_500), false);
    assert.equal((await Promise.all([store.removeLostWorker("w1", 3_000), store.removeLostWorker("w1", 3_000)])).filter(Boolean).length, 1);
    assert.deepEqual(await store.listWorkers(), []);
    await store.unassignPrediction("p1");
    assert.deepEqual((await store.unassignedQueued(at(10), 10)).map((p) => p.id), ["p1", "p2"]);
    await store.close();
  });

  test(`${name}: unfinished predictions past their deadline are found`, async () => {
    const store = await make();
    await store.insertPrediction({ ...prediction("d1", "ada", at(1)), deadline: at(5) });
    await store.insertPrediction({ ...prediction("d2", "ada", at(2), "processing"), deadline: at(20) });
    await store.insertPrediction({ ...prediction("d3", "ada", at(3), "succeeded"), deadline: at(4) });
    await store.insertPrediction(prediction("d4", "ada", at(4)));
    assert.deepEqual((await store.overduePredictions(at(10), 10)).map((p) => p.id), ["d1"]);
    assert.deepEqual((await store.overduePredictions(at(30), 10)).map((p) => p.id), ["d1", "d2"]);
    await store.close();
  });
}
