// When a model's process dies under a prediction, or a prediction runs past
// SPROCKET_PREDICTION_TIMEOUT: that prediction fails saying why, and the next one gets a fresh
// instance and succeeds.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { isAlive, pushFixture, startServer, waitFor, waitForPrediction, type TestServer } from "./harness.ts";

describe("instance failures", () => {
  let server: TestServer;
  let replicate: Replicate;

  before(async () => {
    server = await startServer({ env: { SPROCKET_PREDICTION_TIMEOUT: "1", SPROCKET_INSTANCE_IDLE_SECONDS: "2" } });
    replicate = server.client;
    await Promise.all([pushFixture(server, "crash", "admin/crash"), pushFixture(server, "slow", "admin/slow")]);
  });
  after(() => server?.stop());

  test("a model process that exits mid-prediction fails that prediction naming the exit, and the next runs on a fresh instance", async () => {
    const before = String(await replicate.run("admin/crash", { input: { exit: false } }));
    const oldPid = /alive in pid (\d+)/.exec(before)?.[1];
    assert.ok(oldPid, before);

    const crashing = await replicate.predictions.create({ model: "admin/crash", input: { exit: true } });
    const queuedBehind = await replicate.predictions.create({ model: "admin/crash", input: { exit: false } });
    const failed = await waitForPrediction(replicate, crashing.id);
    assert.equal(failed.status, "failed");
    assert.match(String(failed.error), /exit/i);
    assert.match(String(failed.error), /exit code 1/);
    assert.ok(failed.completed_at);

    const behind = await waitForPrediction(replicate, queuedBehind.id);
    assert.equal(behind.status, "succeeded", `the prediction queued behind the crash: ${behind.error}`);
    const newPid = /alive in pid (\d+)/.exec(String(behind.output))?.[1];
    assert.ok(newPid, String(behind.output));
    assert.notEqual(newPid, oldPid, "a new process serves the next prediction");
    assert.equal(await replicate.run("admin/crash", { input: { exit: false } }), `alive in pid ${newPid}`);
  });

  test("replicate.run of a prediction that crashes its process rejects with the failure", async () => {
    await assert.rejects(replicate.run("admin/crash", { input: { exit: true } }), /Prediction failed: .*exit/i);
    assert.match(String(await replicate.run("admin/crash", { input: {} })), /^alive in pid \d+$/);
  });

  test("a prediction running past SPROCKET_PREDICTION_TIMEOUT fails with a timeout message, and the model keeps working", async () => {
    const created = await replicate.predictions.create({ model: "admin/slow", input: { ms: 60_000 } });
    const failed = await waitForPrediction(replicate, created.id, undefined, 10_000);
    assert.equal(failed.status, "failed");
    assert.match(String(failed.error), /timed out/i);
    const took = Date.parse(failed.completed_at!) - Date.parse(failed.started_at!);
    assert.ok(took >= 1000 && took < 5000, `failed ${took} ms after it started`);
    assert.match(failed.logs ?? "", /slow: sleeping 60000 ms/);

    assert.equal(await replicate.run("admin/slow", { input: { ms: 1 } }), "slept 1 ms");
  });

  test("an instance idle for longer than SPROCKET_INSTANCE_IDLE_SECONDS stops, and the next prediction starts a fresh one", async () => {
    const first = String(await replicate.run("admin/crash", { input: { exit: false } }));
    const pid = Number(/alive in pid (\d+)/.exec(first)?.[1]);
    assert.ok(pid > 0, first);
    await waitFor(() => !isAlive(pid), { timeoutMs: 8000, message: "the idle instance stops" });
    const second = String(await replicate.run("admin/crash", { input: { exit: false } }));
    assert.notEqual(/alive in pid (\d+)/.exec(second)?.[1], String(pid));
  });
});
