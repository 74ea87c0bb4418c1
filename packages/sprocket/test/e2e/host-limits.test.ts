// The host's instance cap (SPROCKET_MAX_INSTANCES) with the official client: at the cap, work for
// another pool stops the least recently used idle instance (above its pool's min first, never a
// busy one), and work waits queued while every instance is busy. A deployment's min instance
// counts against the cap.
import assert from "node:assert/strict";
import { cpSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { FIXTURES_DIR, isAlive, pushDir, startServer, tempDir, waitFor, waitForPrediction, type TestServer } from "./harness.ts";

interface Probe {
  pid: number;
}

describe("host limits", () => {
  let server: TestServer;
  let replicate: Replicate;
  let probeDir: string;
  const versions: Record<"a" | "b" | "c", string> = { a: "", b: "", c: "" };
  let minPid = 0;

  const probes = () => new Set(readdirSync(probeDir).map(Number));
  const run = async (version: string, ms = 0) => {
    const done = await replicate.predictions.create({ version, input: { ms }, wait: true });
    assert.equal(done.status, "succeeded", JSON.stringify(done.error));
    return (done.output as Probe).pid;
  };

  before(async () => {
    probeDir = tempDir("sprocket-probe-");
    // The idle window is long, so only the cap stops instances here.
    server = await startServer({ env: { SPROCKET_MAX_INSTANCES: "2", SPROCKET_INSTANCE_IDLE_SECONDS: "300", POOL_PROBE_DIR: probeDir } });
    replicate = server.client;
    // Three versions of the pool-probe model, each its own pool.
    for (const name of ["a", "b", "c"] as const) {
      const dir = tempDir();
      cpSync(path.join(FIXTURES_DIR, "pool-probe"), dir, { recursive: true });
      writeFileSync(path.join(dir, "variant.txt"), `${name}\n`);
      versions[name] = await pushDir(server, dir, `admin/probe-${name}`);
    }
  });
  after(() => server?.stop());

  test("at the cap, another version's work stops the least recently used idle instance, not a deployment's min instance", async () => {
    const known = probes();
    await replicate.deployments.create({ name: "warm", model: "admin/probe-a", version: versions.a, hardware: "cpu", min_instances: 1, max_instances: 1 });
    minPid = await waitFor(() => [...probes()].find((pid) => !known.has(pid) && isAlive(pid)), { message: "the min instance" });

    const pidB = await run(versions.b);
    // Two instances now: the host is at its cap, and version c needs a third.
    const pidC = await run(versions.c);
    assert.ok(![minPid, pidB].includes(pidC));
    await waitFor(() => !isAlive(pidB), { message: "version b's idle instance to be stopped for c" });
    assert.ok(isAlive(minPid), "the deployment's min instance was kept");

    const pidB2 = await run(versions.b);
    assert.notEqual(pidB2, pidB, "b got a fresh instance");
    await waitFor(() => !isAlive(pidC), { message: "version c's idle instance, now the least recently used above its min, to stop" });
    assert.ok(isAlive(minPid));
  });

  test("with every instance busy, work for another pool waits queued, then runs once one is free; nothing busy is stopped", async () => {
    assert.ok(minPid, "needs the previous test's deployment");
    const onMin = await replicate.deployments.predictions.create("admin", "warm", { input: { ms: 3000 } });
    const onB = await replicate.predictions.create({ version: versions.b, input: { ms: 1500 } });
    await waitForPrediction(replicate, onMin.id, (p) => p.status === "processing");
    await waitForPrediction(replicate, onB.id, (p) => p.status === "processing");

    // b finishes well before the min instance, so its instance is the one that becomes idle first.
    const waiting = await replicate.predictions.create({ version: versions.c, input: { ms: 0 } });
    const read = await replicate.predictions.get(waiting.id);
    assert.equal(read.status, "starting", "no third instance starts while two are busy");
    assert.deepEqual((read as unknown as { sprocket_queue: unknown }).sprocket_queue, { position: 1, reason: "host_at_capacity" });

    const [min, b, c] = await Promise.all([onMin, onB, waiting].map((p) => waitForPrediction(replicate, p.id)));
    assert.deepEqual([min.status, b.status, c.status], ["succeeded", "succeeded", "succeeded"]);
    assert.equal((min.output as Probe).pid, minPid, "the busy min instance finished its work");
    assert.ok(isAlive(minPid), "and is still warm: b's instance, above its min, made room");
    await waitFor(() => !isAlive((b.output as Probe).pid), { message: "b's instance to have been stopped for c" });
    assert.ok(isAlive((c.output as Probe).pid));
  });
});
