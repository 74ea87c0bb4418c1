// The queue as users see it, with the official client: accounts competing for one pool take
// turns, so one account's burst does not starve another's predictions.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { clientFor, createUserToken, pushFixture, startServer, waitForPrediction, type TestServer } from "./harness.ts";

interface Probe {
  start: number;
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
});
