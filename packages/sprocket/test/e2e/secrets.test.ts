// Secret inputs: the model gets the real value; the stored and returned input and the logs never
// show it (Replicate's mask instead).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pushFixture, startServer, waitForPrediction, type TestServer } from "./harness.ts";

const MASK = "**********";

describe("Secret inputs", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer();
    await pushFixture(server, "secret-echo", "admin/secret-echo");
  });
  after(() => server?.stop());

  test("the model gets the real secret, but the prediction's input and logs only ever show the mask", async () => {
    const replicate = server.client;
    const secret = "sk-live-0123456789";
    const created = await replicate.predictions.create({ model: "admin/secret-echo", input: { token: secret, note: "demo" } });
    assert.equal((created.input as Record<string, unknown>).token, MASK);
    const done = await waitForPrediction(replicate, created.id);
    assert.equal(done.status, "succeeded");
    assert.equal(done.output, secret.length, "the model saw the real value");
    assert.equal((done.input as Record<string, unknown>).token, MASK);
    assert.equal((done.input as Record<string, unknown>).note, "demo");
    assert.match(done.logs ?? "", new RegExp(`using token \\*{10} for demo`));
    const listed = (await replicate.predictions.list()).results.find((p) => p.id === created.id);
    assert.ok(listed);
    assert.doesNotMatch(JSON.stringify(listed), /sk-live/);
    assert.doesNotMatch(JSON.stringify(done), /sk-live/);
    // Nor is it anywhere in the database files.
    for (const file of ["sprocket.db", "sprocket.db-wal"]) {
      const full = path.join(server.dataDir, file);
      if (existsSync(full)) assert.equal(readFileSync(full).includes(secret), false, file);
    }
  });

  test("a secret split across two writes, or quoted in the model's error, is masked too", async () => {
    const replicate = server.client;
    const secret = "sk-live-abcdefghijk";
    const created = await replicate.predictions.create({ model: "admin/secret-echo", input: { token: secret, fail: true } });
    const done = await waitForPrediction(replicate, created.id);
    assert.equal(done.status, "failed");
    assert.equal(String(done.error), `bad credentials: ${MASK}`);
    assert.match(done.logs ?? "", new RegExp(`split: \\*{10}`));
    assert.doesNotMatch(JSON.stringify(done), /sk-live/);
  });
});
