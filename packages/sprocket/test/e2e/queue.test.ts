// The queue as users see it, with the official client: accounts competing for one pool take
// turns, so one account's burst does not starve another's predictions; a waiting prediction
// shows its place and why it waits, and a deployment its instances and queue depth, and the first
// prediction on a cold instance its start-up phases in metrics (extensions).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { api, clientFor, createUserToken, pushFixture, startServer, waitFor, waitForPrediction, type TestServer } from "./harness.ts";

interface Probe {
  start: number;
}

interface Queued {
  sprocket_queue?: { position: number; reason: string };
}

interface Pool {
  instances: { version: string; state: string; running: number; setup_time: number | null; started_at: string }[];
  queue_depth: number;
}

describe("queue", () => {
  let server: TestServer;
  let admin: Replicate;
  let bob: Replicate;
  let version: string;

  before(async () => {
    server = await startServer();
    admin = server.client;
    // A public model, one instance at a time (the default SPROCKET_INSTANCES_PER_VERSION): both
    // accounts' predictions wait for the same pool.
    await admin.models.create("admin", "probe", { visibility: "public", hardware: "cpu" });
    version = await pushFixture(server, "pool-probe", "admin/probe");
    bob = clientFor(server.url, await createUserToken(server.dataDir, "bob"));
  });
  after(() => server?.stop());

  test("two accounts' bursts on one pool run interleaved, each account's in the order it made them", async () => {
    // Keeps the one instance busy while both bursts are queued.
    const blocker = await admin.predictions.create({ version, input: { ms: 1500 } });
    await waitForPrediction(admin, blocker.id, (p) => p.status === "processing");
    const made: { who: string; id: string; client: Replicate }[] = [];
    for (let i = 1; i <= 4; i++) made.push({ who: `admin${i}`, id: (await admin.predictions.create({ version, input: { ms: 10 } })).id, client: admin });
    for (let i = 1; i <= 2; i++) made.push({ who: `bob${i}`, id: (await bob.predictions.create({ version, input: { ms: 10 } })).id, client: bob });

    const done = await Promise.all(made.map(async (m) => ({ who: m.who, prediction: await waitForPrediction(m.client, m.id) })));
    assert.ok(done.every((d) => d.prediction.status === "succeeded"));
    const order = done.sort((a, b) => (a.prediction.output as Probe).start - (b.prediction.output as Probe).start).map((d) => d.who);
    assert.deepEqual(order, ["admin1", "bob1", "admin2", "bob2", "admin3", "admin4"]);
  });

  test("a waiting prediction shows its place in the queue and why it waits; a deployment shows its instances and queue depth", async () => {
    const pool = async () => (await admin.deployments.get("admin", "shown")) as unknown as { sprocket_pool: Pool };
    const created = (await admin.deployments.create({ name: "shown", model: "admin/probe", version, hardware: "cpu", min_instances: 1, max_instances: 1 })) as unknown as {
      sprocket_pool: Pool;
    };
    assert.equal(created.sprocket_pool.queue_depth, 0);
    const ready = await waitFor(async () => {
      const p = (await pool()).sprocket_pool;
      return p.instances.length === 1 && p.instances[0].state === "ready" ? p.instances[0] : null;
    }, { message: "the deployment's min instance to be ready" });
    assert.equal(ready.version, version);
    assert.equal(ready.running, 0);
    assert.ok(typeof ready.setup_time === "number" && ready.setup_time >= 0);
    assert.ok(Date.parse(ready.started_at) > 0);

    const running = await admin.deployments.predictions.create("admin", "shown", { input: { ms: 1500 } });
    await waitForPrediction(admin, running.id, (p) => p.status === "processing");
    const waiting = [
      await admin.deployments.predictions.create("admin", "shown", { input: { ms: 0 } }),
      await admin.deployments.predictions.create("admin", "shown", { input: { ms: 0 } }),
    ];
    assert.deepEqual((waiting[1] as Queued).sprocket_queue, { position: 2, reason: "pool_at_max" }, "the create answer shows it too");
    const read = await Promise.all(waiting.map((p) => admin.predictions.get(p.id)));
    assert.deepEqual(read.map((p) => (p as Queued).sprocket_queue), [
      { position: 1, reason: "pool_at_max" },
      { position: 2, reason: "pool_at_max" },
    ]);
    const busy = (await pool()).sprocket_pool;
    assert.deepEqual(busy.instances.map((i) => [i.state, i.running]), [["busy", 1]]);
    assert.equal(busy.queue_depth, 2);

    const first = await waitForPrediction(admin, running.id);
    assert.equal((first.metrics as Record<string, number>).cold_start_setup_time, undefined, "a warm instance's first prediction had no cold start");
    for (const p of waiting) {
      const done = await waitForPrediction(admin, p.id);
      assert.equal(done.status, "succeeded");
      assert.equal((done as Queued).sprocket_queue, undefined, "only waiting predictions have it");
    }
    assert.equal((await pool()).sprocket_pool.queue_depth, 0);
  });

  test("a prediction whose pool has no instance yet waits for one that is starting", async () => {
    const slow = await pushFixture(server, "slow-setup", "admin/slow-setup");
    const prediction = await admin.predictions.create({ version: slow, input: {} });
    const read = (await api(server.url, `/v1/predictions/${prediction.id}`, { token: server.token })).body as Queued;
    assert.deepEqual(read.sprocket_queue, { position: 1, reason: "instance_starting" });
    const done = await waitForPrediction(admin, prediction.id);
    assert.equal(done.status, "succeeded");
    // It waited for a cold instance, so it carries that instance's start-up (setup() sleeps 2 s).
    const metrics = done.metrics as Record<string, number>;
    assert.ok(metrics.cold_start_setup_time >= 2, JSON.stringify(metrics));
    assert.ok(metrics.cold_start_spawn_time >= 0 && metrics.cold_start_spawn_time < metrics.total_time, JSON.stringify(metrics));
    const next = await admin.predictions.create({ version: slow, input: {}, wait: true });
    assert.equal((next.metrics as Record<string, number>).cold_start_setup_time, undefined, "only the first prediction waited for it");
  });
});
