// predictions.cancel: a predictor that honours ctx.signal stops at once; one that ignores it is
// killed after SPROCKET_CANCEL_GRACE_MS and its model keeps working; a queued prediction is
// canceled without ever running.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { api, pushFixture, startServer, waitFor, waitForPrediction, type TestServer } from "./harness.ts";

const GRACE_MS = 300;

describe("canceling predictions", () => {
  let server: TestServer;
  let replicate: Replicate;

  before(async () => {
    server = await startServer({ env: { SPROCKET_CANCEL_GRACE_MS: String(GRACE_MS) } });
    replicate = server.client;
    await Promise.all([pushFixture(server, "slow", "admin/slow"), pushFixture(server, "ignores-cancel", "admin/ignores-cancel")]);
  });
  after(() => server?.stop());

  const processing = (id: string) => waitForPrediction(replicate, id, (p) => p.status === "processing");

  test("canceling a running prediction whose predictor honours the signal ends it canceled", async () => {
    const created = await replicate.predictions.create({ model: "admin/slow", input: { ms: 60_000 } });
    await processing(created.id);
    const answered = await replicate.predictions.cancel(created.id);
    assert.equal(answered.id, created.id);
    assert.ok(["processing", "canceled"].includes(answered.status), answered.status);

    const canceled = await waitForPrediction(replicate, created.id, undefined, 5000);
    assert.equal(canceled.status, "canceled");
    assert.ok(canceled.completed_at);
    assert.equal(canceled.error, null);
    assert.match(canceled.logs ?? "", /slow: sleeping 60000 ms/);
    assert.doesNotMatch(canceled.logs ?? "", /woke up/);
    assert.equal(typeof (canceled.metrics as Record<string, number>).predict_time, "number");

    // The instance was not harmed: the next prediction runs on it.
    assert.equal(await replicate.run("admin/slow", { input: { ms: 1 } }), "slept 1 ms");
  });

  test("a Prefer: wait request open on a prediction that gets canceled answers 201 with status canceled", async () => {
    const waiting = api(server.url, "/v1/models/admin/slow/predictions", {
      token: server.token,
      body: JSON.stringify({ input: { ms: 60_000 } }),
      headers: { prefer: "wait=30" },
    });
    const running = await waitFor(
      async () => (await replicate.predictions.list()).results.find((p) => p.status === "processing" && (p.input as { ms: number }).ms === 60_000),
      { message: "the sync prediction to start processing" },
    );
    await replicate.predictions.cancel(running.id);
    const { status, body } = await waiting;
    assert.equal(status, 201);
    assert.equal(body.id, running.id);
    assert.equal(body.status, "canceled");
  });

  test("canceling a queued prediction ends it canceled at once, without it ever starting", async () => {
    const running = await replicate.predictions.create({ model: "admin/slow", input: { ms: 60_000 } });
    await processing(running.id);
    const queued = await replicate.predictions.create({ model: "admin/slow", input: { ms: 1 } });
    const answered = await replicate.predictions.cancel(queued.id);
    assert.equal(answered.status, "canceled");
    assert.equal(answered.started_at, null);
    assert.ok(answered.completed_at);

    await replicate.predictions.cancel(running.id);
    assert.equal((await waitForPrediction(replicate, running.id)).status, "canceled");
    assert.equal((await replicate.predictions.get(queued.id)).started_at, null, "the canceled queued prediction never ran");
  });

  test("canceling a finished prediction answers 200 with it unchanged", async () => {
    const created = await replicate.predictions.create({ model: "admin/slow", input: { ms: 1 } });
    const done = await waitForPrediction(replicate, created.id);
    const answered = await replicate.predictions.cancel(created.id);
    assert.equal(answered.status, "succeeded");
    assert.equal(answered.output, done.output);
    assert.equal(answered.completed_at, done.completed_at);
  });

  test("canceling a predictor that ignores the signal ends it canceled after the grace period, and the model keeps working", async () => {
    const created = await replicate.predictions.create({ model: "admin/ignores-cancel", input: { ms: 60_000 } });
    await processing(created.id);
    const queuedBehind = await replicate.predictions.create({ model: "admin/ignores-cancel", input: { ms: 2 } });
    const cancelAt = Date.now();
    await replicate.predictions.cancel(created.id);
    const canceled = await waitForPrediction(replicate, created.id, undefined, 10_000);
    const took = Date.now() - cancelAt;
    assert.equal(canceled.status, "canceled");
    assert.ok(took >= GRACE_MS - 50, `ended ${took} ms after the cancel, not before the ${GRACE_MS} ms grace period`);
    assert.match(canceled.logs ?? "", /ignores-cancel: started/);

    // Its instance was killed; what was queued behind it, and what comes next, run on a fresh one.
    const behind = await waitForPrediction(replicate, queuedBehind.id, undefined, 15_000);
    assert.equal(behind.status, "succeeded");
    assert.equal(behind.output, "finished after 2 ms");
    const next = await replicate.predictions.create({ model: "admin/ignores-cancel", input: { ms: 1 } });
    const finished = await waitForPrediction(replicate, next.id, undefined, 15_000);
    assert.equal(finished.status, "succeeded");
    assert.equal(finished.output, "finished after 1 ms");
  });
});
