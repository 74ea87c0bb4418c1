import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { LocalBlobStore } from "../files/local-blob-store.ts";
import { OutputFiles } from "../files/output-files.ts";
import type { PredictionRecord } from "../store/store.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { removeExpiredData } from "./retention.ts";

const dir = mkdtempSync(path.join(tmpdir(), "sprocket-retention-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 0, 1);

test("data past its retention is removed at the sweep after expiry, with its files; the clock is injected", async () => {
  const store = new SqliteStore(path.join(dir, "db.sqlite"));
  const outputs = new OutputFiles(new LocalBlobStore(path.join(dir, "blobs")), path.join(dir, "outputs"));
  await store.insertVersion({
    id: "v".repeat(64),
    owner: "ada",
    name: "m",
    createdAt: new Date(T0).toISOString(),
    cogVersion: "test",
    openapiSchema: { components: { schemas: { Input: { properties: { image: { type: "string", format: "uri" }, prompt: { type: "string" } } } } } },
    predictor: "predict.ts:Predictor",
    files: {},
  });
  // An output file as a runner hands it over: staged, then claimed.
  const staged = path.join(outputs.stagingDir, "0123456789abcdef0123456789abcdef");
  writeFileSync(staged, "image bytes");
  const output = outputs.persist(["sprocket-staged:0123456789abcdef0123456789abcdef"], {
    "0123456789abcdef0123456789abcdef": { path: staged, name: "out.png", content_type: "image/png" },
  }) as string[];
  const key = output[0].slice("sprocket-file:".length).split("/")[0];
  assert.ok(await outputs.open(key), "the output file is served before expiry");
  const record: PredictionRecord = {
    id: "p1",
    account: "ada",
    model: "ada/m",
    version: "v".repeat(64),
    input: { image: "data:image/png;base64,AAAA", prompt: "a cat" },
    output,
    logs: "done\n",
    error: null,
    status: "succeeded",
    source: "api",
    createdAt: new Date(T0).toISOString(),
    startedAt: new Date(T0).toISOString(),
    completedAt: new Date(T0 + 1000).toISOString(),
    deadline: null,
    metrics: { predict_time: 1 },
    webhook: null,
    webhookEventsFilter: null,
    dataRemoved: false,
    retentionSeconds: 3600,
    dataExpiresAt: new Date(T0 + 1000 + HOUR).toISOString(),
  };
  await store.insertPrediction(record);

  assert.equal(await removeExpiredData(store, outputs, T0 + HOUR), 0, "not yet expired");
  assert.ok(await outputs.open(key));
  assert.equal(await removeExpiredData(store, outputs, T0 + 2 * HOUR), 1);
  assert.equal(await outputs.open(key), null, "the output file is gone");
  const cleared = await store.getPrediction("p1");
  assert.equal(cleared?.dataRemoved, true);
  assert.equal(cleared?.output, null);
  assert.deepEqual(cleared?.input, { prompt: "a cat" }, "file inputs are removed, other inputs kept");
  assert.equal(cleared?.logs, "done\n");
  assert.equal(cleared?.status, "succeeded");
  assert.equal(await removeExpiredData(store, outputs, T0 + 3 * HOUR), 0, "cleared once");
  await store.close();
});
