// GPU assignment with the official client, on a host whose `nvidia-smi` (a fake one first on PATH:
// CI has no GPU) lists two Tesla T4s: each instance of a GPU deployment gets its own device through
// CUDA_VISIBLE_DEVICES, work beyond the free devices waits with reason no_free_gpu, and CPU
// instances see no GPU at all.
import assert from "node:assert/strict";
import { chmodSync, cpSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { api, FIXTURES_DIR, pushDir, pushFixture, startServer, tempDir, waitForPrediction, type TestServer } from "./harness.ts";

/** What the gpu-probe fixture returns. */
interface Probe {
  devices: string | null;
  order: string | null;
  pid: number;
}

describe("GPU assignment", () => {
  let server: TestServer;
  let replicate: Replicate;
  let version: string;

  before(async () => {
    const bin = tempDir("sprocket-fake-gpu-");
    // What `nvidia-smi --query-gpu=index,name --format=csv,noheader` prints on a two-GPU host.
    writeFileSync(path.join(bin, "nvidia-smi"), '#!/bin/sh\nprintf "0, Tesla T4\\n1, Tesla T4\\n"\n');
    chmodSync(path.join(bin, "nvidia-smi"), 0o755);
    // A long idle window: only waiting work stops an idle instance that holds a device.
    server = await startServer({ env: { PATH: `${bin}${path.delimiter}${process.env.PATH}`, SPROCKET_INSTANCE_IDLE_SECONDS: "300" } });
    replicate = server.client;
    version = await pushFixture(server, "gpu-probe", "admin/gpu-probe");
  });
  after(() => server?.stop());

  const outputOf = async (id: string) => {
    const done = await waitForPrediction(replicate, id, undefined, 30_000);
    assert.equal(done.status, "succeeded", JSON.stringify(done.error));
    return done.output as Probe;
  };

  test("GET /v1/hardware lists the GPUs nvidia-smi reports, once per kind", async () => {
    const hardware = await replicate.hardware.list();
    assert.deepEqual(
      hardware.map((h) => h.sku),
      ["cpu", "gpu-tesla-t4"],
    );
  });

  test("each instance of a GPU deployment gets its own device; a third prediction waits for one with reason no_free_gpu", async () => {
    await replicate.deployments.create({ name: "on-gpu", model: "admin/gpu-probe", version, hardware: "gpu-tesla-t4", min_instances: 0, max_instances: 3 });
    const busy = await Promise.all([0, 1].map(() => replicate.deployments.predictions.create("admin", "on-gpu", { input: { ms: 4000 } })));
    await Promise.all(busy.map((p) => waitForPrediction(replicate, p.id, (read) => read.status === "processing")));

    const third = await replicate.deployments.predictions.create("admin", "on-gpu", { input: { ms: 0 } });
    const waiting = await replicate.predictions.get(third.id);
    assert.equal(waiting.status, "starting", "no third instance starts while both devices are held");
    assert.deepEqual((waiting as unknown as { sprocket_queue: unknown }).sprocket_queue, { position: 1, reason: "no_free_gpu" });

    const [a, b, c] = await Promise.all([...busy, third].map((p) => outputOf(p.id)));
    assert.deepEqual([a.devices, b.devices].sort(), ["0", "1"], "two instances, two different devices");
    assert.notEqual(a.pid, b.pid);
    assert.equal(a.order, "PCI_BUS_ID", "device numbers follow nvidia-smi's order");
    assert.ok(["0", "1"].includes(c.devices!), `the third ran on a device once one was free, not "${c.devices}"`);
  });

  test("a CPU deployment and a CPU model's own predictions see no GPU (CUDA_VISIBLE_DEVICES is empty)", async () => {
    await replicate.deployments.create({ name: "on-cpu", model: "admin/gpu-probe", version, hardware: "cpu", min_instances: 0, max_instances: 1 });
    const onDeployment = await replicate.deployments.predictions.create("admin", "on-cpu", { input: { ms: 0 } });
    assert.equal((await outputOf(onDeployment.id)).devices, "");
    const direct = await replicate.predictions.create({ version, input: { ms: 0 } });
    assert.equal((await outputOf(direct.id)).devices, "");
  });

  test("a model created on GPU hardware runs its versions' predictions on a device, stopping an idle instance that held it", async () => {
    const unknown = await api(server.url, "/v1/models", {
      token: server.token,
      body: JSON.stringify({ owner: "admin", name: "nowhere", visibility: "private", hardware: "gpu-h9000" }),
    });
    assert.equal(unknown.status, 422);
    assert.deepEqual(
      unknown.body.invalid_fields.map((f: { field: string }) => f.field),
      ["hardware"],
    );

    await replicate.models.create("admin", "gpu-model", { visibility: "private", hardware: "gpu-tesla-t4" });
    // Other files than admin/gpu-probe's, so a version of its own (a version's pool is keyed by its id).
    const dir = tempDir();
    cpSync(path.join(FIXTURES_DIR, "gpu-probe"), dir, { recursive: true });
    writeFileSync(path.join(dir, "variant.txt"), "gpu\n");
    const onGpuModel = await pushDir(server, dir, "admin/gpu-model");
    // Both devices are held by the idle instances of the on-gpu deployment from the test before.
    const direct = await replicate.predictions.create({ version: onGpuModel, input: { ms: 0 } });
    assert.ok(["0", "1"].includes((await outputOf(direct.id)).devices!));
  });
});
