// Deployments (replicate-api.md §7) with the official client: the API, predictions through a
// deployment, and the deployment's own instance pool (warm min instances, a max that caps a
// burst, scale to zero after the idle window, a version rollover that fails nothing).
import assert from "node:assert/strict";
import { cpSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import {
  api,
  clientFor,
  createUserToken,
  FIXTURES_DIR,
  isAlive,
  pushDir,
  pushFixture,
  startServer,
  statusOf,
  tempDir,
  waitFor,
  waitForPrediction,
  type TestServer,
} from "./harness.ts";

/** What the pool-probe fixture returns: which process ran it, and when (that process's clock). */
interface Probe {
  pid: number;
  setup_done_at: number;
  start: number;
  end: number;
}

describe("deployments", () => {
  let server: TestServer;
  let replicate: Replicate;
  let bob: { token: string; client: Replicate };
  /** The pool-probe fixture's setup() leaves a file named for its pid here. */
  let probeDir: string;
  let versionA: string;
  let versionB: string;

  const config = (name: string, version: string, min: number, max: number) => ({
    name,
    model: "admin/probe",
    version,
    hardware: "cpu",
    min_instances: min,
    max_instances: max,
  });
  const probes = () => new Set(readdirSync(probeDir).map(Number));
  /** Resolves with the pid of an instance that started after `known` was listed. */
  const newInstance = (known: Set<number>) =>
    waitFor(() => [...probes()].find((pid) => !known.has(pid) && isAlive(pid)), { message: "a new instance of the probe model" });

  before(async () => {
    probeDir = tempDir("sprocket-probe-");
    server = await startServer({ env: { SPROCKET_INSTANCE_IDLE_SECONDS: "1", POOL_PROBE_DIR: probeDir } });
    replicate = server.client;
    // A second version: the same model with one more file.
    const variant = tempDir();
    cpSync(path.join(FIXTURES_DIR, "pool-probe"), variant, { recursive: true });
    writeFileSync(path.join(variant, "variant.txt"), "b\n");
    versionA = await pushFixture(server, "pool-probe", "admin/probe");
    versionB = await pushDir(server, variant, "admin/probe");
    const token = await createUserToken(server.dataDir, "bob");
    bob = { token, client: clientFor(server.url, token) };
  });
  after(() => server?.stop());

  test("create, get, list, update (each change a new release) and delete with the official client", async () => {
    const created = await replicate.deployments.create(config("crud", versionA, 0, 1));
    assert.equal(created.owner, "admin");
    assert.equal(created.name, "crud");
    const release = created.current_release!;
    assert.equal(release.number, 1);
    assert.equal(release.model, "admin/probe");
    assert.equal(release.version, versionA);
    assert.ok(Date.parse(release.created_at) > 0);
    assert.deepEqual(release.configuration, { hardware: "cpu", min_instances: 0, max_instances: 1 });
    const createdBy = release.created_by as unknown as Record<string, unknown>;
    assert.equal(createdBy.type, "user");
    assert.equal(createdBy.username, "admin");
    assert.equal(typeof createdBy.name, "string", "Python 1.x needs a non-null name");

    assert.deepEqual(await replicate.deployments.get("admin", "crud"), created);
    const page = await replicate.deployments.list();
    assert.ok(page.results.some((d) => d.name === "crud"));
    assert.equal((await bob.client.deployments.list()).results.length, 0, "lists show the caller's deployments only");

    const bigger = await replicate.deployments.update("admin", "crud", { max_instances: 2 });
    assert.equal(bigger.current_release!.number, 2);
    assert.deepEqual(bigger.current_release!.configuration, { hardware: "cpu", min_instances: 0, max_instances: 2 });
    assert.equal(bigger.current_release!.version, versionA);
    const moved = await replicate.deployments.update("admin", "crud", { version: versionB });
    assert.equal(moved.current_release!.number, 3);
    assert.equal(moved.current_release!.version, versionB);
    const same = await replicate.deployments.update("admin", "crud", { version: versionB });
    assert.equal(same.current_release!.number, 3, "an update that changes nothing makes no release");
    assert.deepEqual(await replicate.deployments.get("admin", "crud"), moved);

    assert.equal(await replicate.deployments.delete("admin", "crud"), true);
    assert.equal(await statusOf(replicate.deployments.get("admin", "crud")), 404);
    assert.equal(await statusOf(replicate.deployments.delete("admin", "crud")), 404);
  });

  test("deployments.predictions.create runs the current release's version, with Prefer: wait, and names the deployment", async () => {
    await replicate.deployments.create(config("runs", versionA, 0, 1));
    const done = await replicate.deployments.predictions.create("admin", "runs", { input: { ms: 0 }, wait: true });
    assert.equal(done.status, "succeeded");
    assert.equal(done.version, versionA);
    assert.equal(done.model, "admin/probe");
    assert.equal((done as unknown as { deployment: string }).deployment, "admin/runs");
    const read = await replicate.predictions.get(done.id);
    assert.equal((read as unknown as { deployment: string }).deployment, "admin/runs");

    await replicate.deployments.update("admin", "runs", { version: versionB });
    const queued = await replicate.deployments.predictions.create("admin", "runs", { input: { ms: 0 } });
    assert.equal(queued.version, versionB);
    assert.equal((await waitForPrediction(replicate, queued.id)).status, "succeeded");
  });

  test("bad settings are a 422 naming the field; a taken name a 409; another account's deployment a 404", async () => {
    const invalid = async (body: Record<string, unknown>, token = server.token) => {
      const response = await api(server.url, "/v1/deployments", { token, body: JSON.stringify(body) });
      assert.equal(response.status, 422, JSON.stringify(response.body));
      return (response.body.invalid_fields as { field: string }[]).map((f) => f.field);
    };
    assert.deepEqual(await invalid({ ...config("bad", versionA, 0, 1), hardware: "gpu-h9000" }), ["hardware"]);
    assert.deepEqual(await invalid(config("bad", versionA, 3, 2)), ["min_instances"]);
    assert.deepEqual(await invalid(config("bad", versionA, -1, 1)), ["min_instances"]);
    assert.deepEqual(await invalid(config("bad", versionA, 0, 21)), ["max_instances"]);
    assert.deepEqual(await invalid(config("bad", "0".repeat(64), 0, 1)), ["version"]);
    assert.deepEqual(await invalid(config("bad", versionA, 0, 1), bob.token), ["model"], "a model that is not the caller's");
    assert.deepEqual(await invalid({ name: "bad" }), ["", "", "", "", ""], "every missing field is reported");

    await replicate.deployments.create(config("taken", versionA, 0, 1));
    assert.equal(await statusOf(replicate.deployments.create(config("taken", versionA, 0, 1))), 409);
    const patch = await api(server.url, "/v1/deployments/admin/taken", { method: "PATCH", token: server.token, body: JSON.stringify({ min_instances: 2 }) });
    assert.equal(patch.status, 422);
    assert.deepEqual(patch.body.invalid_fields.map((f: { field: string }) => f.field), ["min_instances"], "min above the current max");

    assert.equal(await statusOf(bob.client.deployments.get("admin", "taken")), 404);
    assert.equal(await statusOf(bob.client.deployments.update("admin", "taken", { max_instances: 2 })), 404);
    assert.equal(await statusOf(bob.client.deployments.predictions.create("admin", "taken", { input: {} })), 404);
    assert.equal(await statusOf(bob.client.deployments.delete("admin", "taken")), 404);
    assert.equal((await replicate.deployments.get("admin", "taken")).current_release!.number, 1, "untouched by bob");
    const deleteDeployed = await api(server.url, `/v1/models/admin/probe/versions/${versionA}`, { method: "DELETE", token: server.token });
    assert.equal(deleteDeployed.status, 409, "a deployed version cannot be deleted");
    assert.equal((await replicate.models.versions.get("admin", "probe", versionA)).id, versionA);
  });

  let warmPid = 0;

  test("min_instances: 1 starts an instance at once, its first prediction needs no setup, and a dead one is replaced", async () => {
    const known = probes();
    await replicate.deployments.create(config("warm", versionA, 1, 1));
    const pid = await newInstance(known);

    const first = await replicate.deployments.predictions.create("admin", "warm", { input: { ms: 0 }, wait: true });
    const probe = first.output as Probe;
    assert.equal(probe.pid, pid, "the warm instance ran it");
    assert.ok(probe.setup_done_at <= Date.parse(first.created_at), "setup had finished before the prediction was made");

    const before = probes();
    process.kill(pid, "SIGKILL");
    warmPid = await newInstance(before);
    assert.notEqual(warmPid, pid);
  });

  test("an instance above min stops after the idle window (scale to zero) while a min instance stays", async () => {
    assert.ok(warmPid, "needs the warm deployment of the previous test");
    await replicate.deployments.create(config("cold", versionA, 0, 1));
    const first = await replicate.deployments.predictions.create("admin", "cold", { input: { ms: 0 }, wait: true });
    const coldPid = (first.output as Probe).pid;
    await waitFor(() => !isAlive(coldPid), { message: "the idle instance of a min 0 deployment to stop" });
    assert.ok(isAlive(warmPid), "the min_instances: 1 instance is still running");

    const again = await replicate.deployments.predictions.create("admin", "cold", { input: { ms: 0 }, wait: true });
    assert.equal(again.status, "succeeded");
    assert.notEqual((again.output as Probe).pid, coldPid, "a fresh instance served the next one");
  });

  test("max_instances: 2 runs a burst of 6 slow predictions two at a time, never more", async () => {
    await replicate.deployments.create(config("burst", versionA, 0, 2));
    const created = await Promise.all(
      Array.from({ length: 6 }, () => replicate.deployments.predictions.create("admin", "burst", { input: { ms: 400 } })),
    );
    const done = await Promise.all(created.map((p) => waitForPrediction(replicate, p.id)));
    assert.deepEqual(done.map((p) => p.status), Array(6).fill("succeeded"));
    const runs = done.map((p) => p.output as Probe);
    assert.equal(new Set(runs.map((r) => r.pid)).size, 2, "two instances served the burst");
    // The most predictions running at one moment, from each run's own start and end.
    const most = Math.max(...runs.map((r) => runs.filter((o) => o.start <= r.start && r.start < o.end).length));
    assert.equal(most, 2);
  });

  test("an update to a new version while predictions run fails none of them, and the old instance stops", async () => {
    const known = probes();
    await replicate.deployments.create(config("roll", versionA, 1, 1));
    const oldPid = await newInstance(known);
    const onOld = [];
    for (let i = 0; i < 3; i++) onOld.push(await replicate.deployments.predictions.create("admin", "roll", { input: { ms: 500 } }));
    await waitForPrediction(replicate, onOld[0].id, (p) => p.status === "processing");

    const updated = await replicate.deployments.update("admin", "roll", { version: versionB });
    assert.equal(updated.current_release!.number, 2);
    const onNew = await replicate.deployments.predictions.create("admin", "roll", { input: { ms: 0 } });

    const old = await Promise.all(onOld.map((p) => waitForPrediction(replicate, p.id)));
    assert.deepEqual(old.map((p) => [p.status, p.version, (p.output as Probe).pid]), Array(3).fill(["succeeded", versionA, oldPid]));
    const fresh = await waitForPrediction(replicate, onNew.id);
    assert.equal(fresh.status, "succeeded");
    assert.equal(fresh.version, versionB);
    assert.notEqual((fresh.output as Probe).pid, oldPid);
    await waitFor(() => !isAlive(oldPid), { message: "the old version's instance to stop" });
  });

  test("after a restart, a deployment's min instances start again before any prediction", async () => {
    const known = probes();
    server = await server.restart();
    replicate = server.client;
    // Two deployments keep an instance: "warm" and "roll".
    const started = await waitFor(
      () => {
        const pids = [...probes()].filter((pid) => !known.has(pid) && isAlive(pid));
        return pids.length === 2 ? pids : null;
      },
      { message: "the warm instances of both min_instances: 1 deployments" },
    );
    const done = await replicate.deployments.predictions.create("admin", "warm", { input: { ms: 0 }, wait: true });
    assert.ok(started.includes((done.output as Probe).pid), "a warm instance ran it");
    assert.ok((done.output as Probe).setup_done_at <= Date.parse(done.created_at));
  });
});
