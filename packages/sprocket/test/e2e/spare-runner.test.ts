// Spare runners (SPROCKET_SPARE_RUNNER): a TS model's cold start adopts a Node runner started ahead
// of need, and the model cannot tell — it runs in its own directory with a CPU instance's
// environment — and the next cold start finds a new spare. Off, every instance is spawned for its model.
import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { FIXTURES_DIR, pushDir, startServer, tempDir, waitForPrediction, type TestServer } from "./harness.ts";

interface Probe {
  tag: string;
  pid: number;
  spare: boolean;
  cwd: string;
  data: string;
  cuda: string | null;
}

/** A copy of the fixture with its own version id (a fresh version means a cold start). */
function variant(tag: string): string {
  const dir = path.join(tempDir(), tag);
  cpSync(path.join(FIXTURES_DIR, "spare-probe"), dir, { recursive: true });
  writeFileSync(path.join(dir, "cog.yaml"), `# ${tag}\npredict: "predict.ts:Predictor"\n`);
  return dir;
}

async function coldRun(server: TestServer, tag: string): Promise<Probe> {
  const version = await pushDir(server, variant(tag), `admin/${tag}`);
  const created = await server.client.predictions.create({ version, input: { tag } });
  const done = await waitForPrediction(server.client, created.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done));
  return done.output as Probe;
}

describe("spare runners", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { SPROCKET_EXAMPLES: "false" } });
  });
  after(() => server.stop());

  test("each cold start adopts a spare that runs the model in its own directory, as a spawned one would", async () => {
    const first = await coldRun(server, "spare-one");
    const second = await coldRun(server, "spare-two");
    for (const probe of [first, second]) {
      assert.equal(probe.spare, true, "started as a spare");
      assert.equal(probe.data, "read at setup from a path relative to the model's directory");
      assert.match(probe.cwd, /versions?/);
      assert.equal(probe.cuda, "", "a CPU instance sees no GPU");
    }
    assert.notEqual(first.pid, second.pid, "a new spare for the second cold start");
    assert.notEqual(first.cwd, second.cwd);
  });
});

describe("without spare runners", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { SPROCKET_EXAMPLES: "false", SPROCKET_SPARE_RUNNER: "false" } });
  });
  after(() => server.stop());

  test("the instance is spawned for its model", async () => {
    const probe = await coldRun(server, "spawned");
    assert.equal(probe.spare, false);
    assert.equal(probe.data, "read at setup from a path relative to the model's directory");
  });
});
