// Cog-format Python models through the API with the official client: the same calls as for TS
// models, run by the Python harness (the fixtures are the harness's own, in python/tests/fixtures).
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { PACKAGE_ROOT, pushDir, startServer, waitForPrediction, type TestServer } from "./harness.ts";

const PY_FIXTURES = path.join(PACKAGE_ROOT, "python", "tests", "fixtures");

describe("Python (Cog) models", () => {
  let server: TestServer;
  let replicate: Replicate;

  before(async () => {
    server = await startServer({ env: { SPROCKET_CANCEL_GRACE_MS: "2000", SPROCKET_ALLOW_PRIVATE_URLS: "true" } });
    replicate = server.client;
    for (const name of ["hello", "rich", "failing", "sleepy", "setup_fails", "files", "stream", "async_pair", "sleepy_async"]) {
      await pushDir(server, path.join(PY_FIXTURES, name), `admin/py-${name.replace("_", "-")}`);
    }
  });
  after(() => server?.stop());

  test("replicate.run of a Cog predictor returns its output, and what it prints is in the logs", async () => {
    assert.equal(await replicate.run("admin/py-hello", { input: { name: "Ada" } }), "hello, Ada!");
    const prediction = await replicate.predictions.create({ model: "admin/py-hello", input: { name: "Bob" } });
    const done = await waitForPrediction(replicate, prediction.id);
    assert.equal(done.output, "hello, Bob!");
    assert.match(done.logs ?? "", /greeting Bob/);
    assert.match(done.logs ?? "", /to stderr/);
  });

  test("the version's schema has Cog's shape for every Input option", async () => {
    const model = await replicate.models.get("admin", "py-rich");
    const schemas = (model.latest_version!.openapi_schema as { components: { schemas: Record<string, any> } }).components.schemas;
    const input = schemas.Input;
    assert.deepEqual(input.required, ["text"]);
    assert.deepEqual(
      Object.entries(input.properties).map(([name, p]: [string, any]) => [name, p["x-order"]]),
      ["text", "n", "temp", "flag", "mode", "k", "token", "image", "files", "maybe", "old", "delay"].map((name, i) => [name, i]),
    );
    assert.equal(input.properties.n.minimum, 1);
    assert.equal(input.properties.text.pattern, "^[a-z ]+$");
    assert.deepEqual(input.properties.mode.allOf, [{ $ref: "#/components/schemas/mode" }]);
    assert.deepEqual(schemas.mode.enum, ["fast", "slow"]);
    assert.equal(input.properties.token["x-cog-secret"], true);
    assert.equal(input.properties.image.format, "uri");
    assert.equal(input.properties.maybe.nullable, true);
    assert.equal(schemas.Output["x-cog-array-display"], "concatenate");
  });

  test("inputs outside the schema are refused with a 422 before the model sees them", async () => {
    await assert.rejects(replicate.run("admin/py-rich", { input: { text: "UPPER", n: 11 } }), /422[\s\S]*input\.n[\s\S]*input\.text/);
  });

  test("an iterator's items come back as an array, defaults applied", async () => {
    const output = (await replicate.run("admin/py-rich", { input: { text: "abc", token: "s3cret" } })) as string[];
    assert.ok(Array.isArray(output));
    assert.match(output[0], /^abc\|3\|0\.5\|False\|fast\|1\|/);
  });

  test("an exception fails the prediction with its message and the traceback in the logs; state persists between predictions", async () => {
    const failed = await replicate.predictions.create({ model: "admin/py-failing", input: { how: "raise" } });
    const done = await waitForPrediction(replicate, failed.id);
    assert.equal(done.status, "failed");
    assert.match(String(done.error), /boom/);
    assert.match(done.logs ?? "", /Traceback[\s\S]*ValueError: boom/);
    assert.equal(await replicate.run("admin/py-failing", { input: { how: "ok" } }), "call 2");
  });

  test("sys.exit in a predictor fails only that prediction; the next one still runs", async () => {
    const exiting = await replicate.predictions.create({ model: "admin/py-failing", input: { how: "exit" } });
    const done = await waitForPrediction(replicate, exiting.id);
    assert.equal(done.status, "failed");
    assert.match(String(done.error), /exit|SystemExit|3/i);
    assert.match(String(await replicate.run("admin/py-failing", { input: { how: "ok" } })), /^call \d+$/);
  });

  test("cancel interrupts a sleeping sync predictor, which cleans up, and ends canceled", async () => {
    const running = await replicate.predictions.create({ model: "admin/py-sleepy", input: { seconds: 30 } });
    await waitForPrediction(replicate, running.id, (p) => p.status === "processing");
    await replicate.predictions.cancel(running.id);
    const done = await waitForPrediction(replicate, running.id, undefined, 5000);
    assert.equal(done.status, "canceled");
    assert.match(done.logs ?? "", /cleaning up after cancel/);
  });

  test("a setup() that raises fails the prediction saying setup failed, with the setup's output", async () => {
    const prediction = await replicate.predictions.create({ model: "admin/py-setup-fails", input: {} });
    const done = await waitForPrediction(replicate, prediction.id);
    assert.equal(done.status, "failed");
    assert.match(String(done.error), /setup failed[\s\S]*weights not found/);
    assert.match(String(done.error), /loading weights/);
  });

  test("Path outputs become file URLs anyone holding them can fetch, with the right type, size and ranges; BaseModel outputs become objects", async () => {
    const doc = `data:text/plain;base64,${Buffer.from("hello file").toString("base64")}`;
    const prediction = await replicate.predictions.create({ model: "admin/py-files", input: { doc, key: "k-123456" } });
    const done = await waitForPrediction(replicate, prediction.id);
    assert.equal(done.status, "succeeded", String(done.error));
    const output = done.output as { text: string; file: string; extra: string[] };
    assert.match(output.text, /\|k-123456\|/, "the model got the real secret");
    assert.match(output.file, new RegExp(`^${server.url}/o/[A-Za-z0-9_-]{24}/out\\.txt$`));
    assert.equal(output.extra.length, 1);
    const fetched = await fetch(output.file);
    assert.equal(fetched.status, 200);
    assert.match(fetched.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(await fetched.text(), ".txt hello file");
    const withToken = await fetch(output.file, { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(withToken.status, 200);
    const partial = await fetch(output.file, { headers: { range: "bytes=5-9" } });
    assert.equal(partial.status, 206);
    assert.equal(await partial.text(), "hello");
    assert.equal((await fetch(output.file.replace(/\/o\/[^/]+/, "/o/AAAAAAAAAAAAAAAAAAAAAAAA"))).status, 404);
  });

  test("an iterator of Paths streams file URLs item by item into output", async () => {
    const output = (await replicate.run("admin/py-stream", { input: { count: 2, pause: 0 } })) as unknown[];
    assert.equal(output.length, 2);
    const texts = await Promise.all(output.map(async (item) => (await fetch(String(item))).text()));
    assert.deepEqual(texts, ["item 0", "item 1"]);
  });

  test("a Path input given as an http URL arrives at the model as a local file with the URL's content", async () => {
    const files = http.createServer((request, response) => response.end(request.url === "/doc.md" ? "# from the web" : "nope"));
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/doc.md`;
      const output = (await replicate.run("admin/py-files", { input: { doc: url } })) as { file: string };
      assert.equal(await (await fetch(output.file)).text(), ".md # from the web");
    } finally {
      files.close();
    }
  });

  test("an async generator with concurrency.max 2 runs two predictions at once, streams its items, and records metrics", async () => {
    const started = Date.now();
    const [a, b] = await Promise.all([
      replicate.predictions.create({ model: "admin/py-async-pair", input: { name: "a", seconds: 1, words: 2 } }),
      replicate.predictions.create({ model: "admin/py-async-pair", input: { name: "b", seconds: 1 } }),
    ]);
    const [doneA, doneB] = await Promise.all([waitForPrediction(replicate, a.id), waitForPrediction(replicate, b.id)]);
    assert.deepEqual(doneA.output, ["a0", "a1", "a"]);
    assert.deepEqual(doneB.output, ["b"]);
    assert.equal((doneA.metrics as Record<string, number>).slept, 1);
    // Overlapping runs: both 1 s sleeps (after one shared instance start) fit well under 2 s of predicting.
    const overlap = Math.min(Date.parse(doneA.completed_at!), Date.parse(doneB.completed_at!)) - Math.max(Date.parse(doneA.started_at!), Date.parse(doneB.started_at!));
    assert.ok(overlap > 500, `the two predictions overlapped by ${overlap} ms (${Date.now() - started} ms in all)`);
  });

  test("cancel stops an async predictor's task and ends canceled", async () => {
    const running = await replicate.predictions.create({ model: "admin/py-sleepy-async", input: { seconds: 30 } });
    await waitForPrediction(replicate, running.id, (p) => p.status === "processing");
    await replicate.predictions.cancel(running.id);
    assert.equal((await waitForPrediction(replicate, running.id, undefined, 5000)).status, "canceled");
  });
});
