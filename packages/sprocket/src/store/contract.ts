// The behaviour every Store must have. Each implementation's test file calls `storeContract` with
// a factory that returns an empty store.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ModelRecord, PredictionRecord, Store, VersionRecord } from "./store.ts";

const model = (owner: string, name: string, visibility: "public" | "private" = "private", createdAt = new Date().toISOString()): ModelRecord => ({
  owner,
  name,
  description: null,
  visibility,
  githubUrl: null,
  paperUrl: null,
  licenseUrl: null,
  coverImageUrl: null,
  hardware: "cpu",
  createdAt,
  runCount: 0,
});

const version = (owner: string, name: string, id: string, createdAt: string): VersionRecord => ({
  id,
  owner,
  name,
  createdAt,
  cogVersion: "test",
  openapiSchema: { openapi: "3.0.2" },
  predictor: "predict.ts:Predictor",
  files: { "cog.yaml": "a".repeat(64) },
});

const prediction = (id: string, account: string, createdAt: string, status: PredictionRecord["status"] = "starting"): PredictionRecord => ({
  id,
  account,
  model: "a/m",
  version: "v".repeat(64),
  input: { name: "x" },
  output: null,
  logs: "",
  error: null,
  status,
  source: "api",
  createdAt,
  startedAt: null,
  completedAt: null,
  deadline: null,
  metrics: {},
  webhook: null,
  webhookEventsFilter: null,
  dataRemoved: false,
});

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

export function storeContract(name: string, make: () => Promise<Store>): void {
  test(`${name}: a token finds its account, an unknown one finds nothing`, async () => {
    const store = await make();
    await store.ensureAccount("ada");
    await store.addToken("hash1", "ada", "cli");
    assert.equal(await store.findTokenAccount("hash1"), "ada");
    assert.equal(await store.findTokenAccount("nope"), null);
    await store.removeTokens("ada", "cli");
    assert.equal(await store.findTokenAccount("hash1"), null);
    await store.close();
  });

  test(`${name}: a model name is taken once, and lists show own and public models only`, async () => {
    const store = await make();
    assert.equal(await store.insertModel(model("ada", "m1", "private", at(1))), true);
    assert.equal(await store.insertModel(model("ada", "m1")), false);
    await store.insertModel(model("bob", "secret", "private", at(2)));
    await store.insertModel(model("bob", "open", "public", at(3)));
    const seen = (await store.listModels("ada", 10)).rows.map((m) => `${m.owner}/${m.name}`);
    assert.deepEqual(seen, ["bob/open", "ada/m1"]);
    await store.close();
  });

  test(`${name}: the same version id may belong to two models and the latest is the newest`, async () => {
    const store = await make();
    const id = "f".repeat(64);
    assert.equal(await store.insertVersion(version("ada", "m", id, at(1))), true);
    assert.equal(await store.insertVersion(version("ada", "m", id, at(1))), false);
    await store.insertVersion(version("bob", "n", id, at(2)));
    await store.insertVersion(version("ada", "m", "e".repeat(64), at(5)));
    assert.equal((await store.findVersionsById(id)).length, 2);
    assert.equal((await store.latestVersion("ada", "m"))?.id, "e".repeat(64));
    assert.equal(await store.countVersions("ada", "m"), 2);
    await store.deleteVersion("ada", "m", id);
    assert.equal(await store.countVersions("ada", "m"), 1);
    await store.close();
  });

  test(`${name}: predictions page newest first per account, with a cursor and date filters`, async () => {
    const store = await make();
    for (let i = 0; i < 5; i++) await store.insertPrediction(prediction(`p${i}`, "ada", at(i)));
    await store.insertPrediction(prediction("other", "bob", at(9)));
    const first = await store.listPredictions({ account: "ada", limit: 3 });
    assert.deepEqual(first.rows.map((p) => p.id), ["p4", "p3", "p2"]);
    assert.equal(first.more, true);
    const last = first.rows[2];
    const second = await store.listPredictions({ account: "ada", limit: 3, after: { createdAt: last.createdAt, id: last.id } });
    assert.deepEqual(second.rows.map((p) => p.id), ["p1", "p0"]);
    assert.equal(second.more, false);
    const window = await store.listPredictions({ account: "ada", limit: 10, createdAfter: at(1), createdBefore: at(3) });
    assert.deepEqual(window.rows.map((p) => p.id), ["p2", "p1"]);
    await store.close();
  });

  test(`${name}: blob ownership is per account`, async () => {
    const store = await make();
    await store.addBlobOwner("ada", "a".repeat(64));
    await store.addBlobOwner("ada", "a".repeat(64));
    assert.deepEqual([...(await store.blobsOwnedBy("ada", ["a".repeat(64), "b".repeat(64)]))], ["a".repeat(64)]);
    assert.equal((await store.blobsOwnedBy("bob", ["a".repeat(64)])).size, 0);
    await store.close();
  });

  test(`${name}: a prediction update changes only the patched fields and survives a read`, async () => {
    const store = await make();
    await store.insertPrediction(prediction("p", "ada", at(1)));
    await store.updatePrediction("p", { status: "succeeded", output: ["a", 1], metrics: { predict_time: 0.5 }, completedAt: at(2) });
    const row = await store.getPrediction("p");
    assert.equal(row?.status, "succeeded");
    assert.deepEqual(row?.output, ["a", 1]);
    assert.deepEqual(row?.metrics, { predict_time: 0.5 });
    assert.deepEqual(row?.input, { name: "x" });
    assert.deepEqual((await store.predictionsWithStatus(["starting", "processing"])).length, 0);
    await store.close();
  });
}
