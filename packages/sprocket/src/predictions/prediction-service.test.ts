import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalEventBus } from "../events/local-event-bus.ts";
import { LocalQueue } from "../queue/local-queue.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { VersionRecord } from "../store/store.ts";
import { PredictionService } from "./prediction-service.ts";

const version: VersionRecord = {
  id: "a".repeat(64),
  owner: "ada",
  name: "m",
  createdAt: new Date().toISOString(),
  cogVersion: "test",
  openapiSchema: {},
  predictor: "predict.ts:Predictor",
  files: {},
};

function setup() {
  const store = new SqliteStore(":memory:");
  const queue = new LocalQueue();
  const events = new LocalEventBus();
  return { store, queue, events, service: new PredictionService(store, queue, events) };
}

test("a created prediction is stored as starting, queued, and visible only to its account", async () => {
  const { store, queue, service } = setup();
  const created = await service.create({ account: "ada", version, input: { x: 1 } });
  assert.equal(created.status, "starting");
  assert.equal(created.model, "ada/m");
  assert.equal((await store.getPrediction(created.id))?.status, "starting");
  assert.equal(queue.depth(version.id), 1);
  assert.equal(await service.get(created.id, "bob"), null);
});

test("a run moves starting → processing → succeeded with timestamps, logs, output and metrics", async () => {
  const { store, service } = setup();
  const { id } = await service.create({ account: "ada", version, input: {} });
  await service.markStarted(id);
  service.appendLogs(id, "line 1\n");
  await service.succeed(id, "done");
  const row = (await store.getPrediction(id))!;
  assert.equal(row.status, "succeeded");
  assert.equal(row.output, "done");
  assert.equal(row.logs, "line 1\n");
  assert.ok(row.startedAt && row.completedAt);
  assert.equal(typeof row.metrics.predict_time, "number");
  assert.equal(typeof row.metrics.total_time, "number");
});

test("once terminal a prediction does not change again (a late crash report after cancel is ignored)", async () => {
  const { service } = setup();
  const { id } = await service.create({ account: "ada", version, input: {} });
  await service.markStarted(id);
  await service.markCanceled(id);
  await service.fail(id, "process exited");
  assert.equal((await service.get(id, "ada"))?.status, "canceled");
  assert.equal((await service.get(id, "ada"))?.error, null);
});

test("cancelling a queued prediction takes it off the queue and ends it canceled at once", async () => {
  const { queue, service } = setup();
  const { id } = await service.create({ account: "ada", version, input: {} });
  const result = await service.requestCancel(id, "ada");
  assert.equal(result?.status, "canceled");
  assert.equal(queue.depth(), 0);
});

test("cancelling a running prediction asks the worker, through an event, to stop it", async () => {
  const { events, service } = setup();
  const asked: string[] = [];
  events.subscribe("predictions", (event) => event.type === "cancel_requested" && asked.push(event.id));
  const { id } = await service.create({ account: "ada", version, input: {} });
  await service.markStarted(id);
  assert.equal((await service.requestCancel(id, "ada"))?.status, "processing");
  assert.deepEqual(asked, [id]);
});

test("waitUntilDone resolves with the finished prediction, or null when time runs out", async () => {
  const { service } = setup();
  const { id } = await service.create({ account: "ada", version, input: {} });
  const waiting = service.waitUntilDone(id, 5000);
  await service.markStarted(id);
  await service.succeed(id, 42);
  assert.equal((await waiting)?.output, 42);
  const other = await service.create({ account: "ada", version, input: {} });
  assert.equal(await service.waitUntilDone(other.id, 20), null);
});

test("a deadline in the past marks the prediction overdue", async () => {
  const { service } = setup();
  const { id } = await service.create({ account: "ada", version, input: {}, lifetimeSeconds: 5 });
  assert.deepEqual(service.overdue(Date.now()), []);
  assert.deepEqual(service.overdue(Date.now() + 6000), [id]);
  await service.cancelForDeadline(id);
  assert.equal((await service.get(id, "ada"))?.status, "canceled");
});
