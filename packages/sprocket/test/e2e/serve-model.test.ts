// `sprocket serve-model DIR`: Cog's in-container HTTP API (docs/cog.md Part 2), driven over plain
// HTTP the way a tool written against a Cog container drives it. Each model runs in its own
// `serve-model` child on a free port; webhooks and uploads go to HTTP servers in this process.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { runnerCommands } from "../../src/worker/runner-command.ts";
import { readModelSchema } from "../../src/worker/schema-reader.ts";
import { FIXTURES_DIR, PACKAGE_ROOT, waitFor } from "./harness.ts";

const CLI = path.join(PACKAGE_ROOT, "bin", "sprocket.mjs");
const PYTHON_FIXTURES = path.join(PACKAGE_ROOT, "python", "tests", "fixtures");
const PYTHON = process.env.SPROCKET_PYTHON || "python3";

// ---- processes and local receivers -------------------------------------------------------------

const children = new Set<ChildProcess>();
const servers = new Set<Server>();
after(async () => {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
  for (const server of servers) server.close();
});

interface ModelServer {
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `sprocket serve-model DIR --port 0 …` and resolves with the URL it printed. */
async function serveModel(dir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ModelServer> {
  const child = spawn(process.execPath, [CLI, "serve-model", dir, "--port", "0", ...args], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (data: string) => (output += data));
  child.stderr!.setEncoding("utf8").on("data", (data: string) => (output += data));
  const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], {
    timeoutMs: 20_000,
    message: () => `serve-model ${dir} to print its URL; output:\n${output}`,
  });
  return { url, child, output: () => output, exited };
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP server that records every request and answers with `respond`'s status and headers. */
async function receiver(respond: (request: Received, base: string) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 })) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(entry);
      const answer = respond(entry, base);
      response.writeHead(answer.status, answer.headers).end();
    });
  });
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, received };
}

async function call(url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const health = async (server: ModelServer) => (await call(`${server.url}/health-check`, "GET")).body;
const waitForHealth = (server: ModelServer, status: string) =>
  waitFor(async () => (await health(server)).status === status, { message: () => `health ${status}; output:\n${server.output()}` });

const RESPONSE_KEYS = ["input", "output", "id", "version", "created_at", "started_at", "completed_at", "logs", "error", "status", "metrics"];
const COG_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

// ---- a TypeScript model ------------------------------------------------------------------------

describe("serve-model with a TypeScript model", () => {
  const dir = path.join(FIXTURES_DIR, "echo");
  let server: ModelServer;
  before(async () => {
    server = await serveModel(dir);
    await waitForHealth(server, "READY");
  });

  test("GET / lists Cog's endpoints", async () => {
    const { status, body } = await call(`${server.url}/`, "GET");
    assert.equal(status, 200);
    assert.match(body.cog_version, /^0\.16\.\d+\+sprocket\./);
    assert.equal(body.healthcheck_url, "/health-check");
    assert.equal(body.predictions_idempotent_url, "/predictions/{prediction_id}");
    assert.equal(body.predictions_cancel_url, "/predictions/{prediction_id}/cancel");
  });

  test("GET /openapi.json serves exactly the model's OpenAPI document", async () => {
    const expected = await readModelSchema(dir, runnerCommands(process.execPath, PYTHON), process.env as Record<string, string>);
    assert.deepEqual((await call(`${server.url}/openapi.json`, "GET")).body, expected.openapiSchema);
  });

  test("a sync POST /predictions answers the finished prediction in Cog's shape", async () => {
    const { status, body } = await call(`${server.url}/predictions`, "POST", { input: { word: "beta", ignored: true } });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), RESPONSE_KEYS);
    assert.equal(body.status, "succeeded");
    // Defaults filled in, unknown keys dropped (as Cog does).
    assert.deepEqual(body.input, { word: "beta", count: 3, ratio: 0.5, loud: false });
    assert.deepEqual(body.output, { word: "beta", count: 3, ratio: 0.5, loud: false });
    assert.equal(body.id, null);
    assert.equal(body.error, null);
    assert.match(body.started_at, COG_TIME);
    assert.match(body.completed_at, COG_TIME);
    assert.equal(body.metrics.echo_count, 3);
    assert.equal(typeof body.metrics.predict_time, "number");
  });

  test("an input that breaks the schema gets FastAPI's 422, one entry per field", async () => {
    const { status, body } = await call(`${server.url}/predictions`, "POST", { input: { word: "delta", count: 0, ratio: "half" } });
    assert.equal(status, 422);
    const byField = Object.fromEntries(body.detail.map((d: { loc: string[] }) => [d.loc.join("."), d]));
    assert.equal(byField["body.input.word"].type, "type_error.enum");
    assert.deepEqual(byField["body.input.count"], { loc: ["body", "input", "count"], msg: "ensure this value is greater than or equal to 1", type: "value_error.number.not_ge" });
    assert.deepEqual(byField["body.input.ratio"], { loc: ["body", "input", "ratio"], msg: "value is not a valid float", type: "type_error.float" });

    const missing = await call(`${server.url}/predictions`, "POST", { input: {} });
    assert.deepEqual(missing.body, { detail: [{ loc: ["body", "input", "word"], msg: "field required", type: "value_error.missing" }] });
  });

  test("Prefer: respond-async answers 202 at once and POSTs start and completed to the webhook", async () => {
    const hooks = await receiver();
    const { status, body } = await call(
      `${server.url}/predictions`,
      "POST",
      { id: "async-1", input: { word: "gamma", count: 2 }, webhook: `${hooks.base}/hook` },
      { prefer: "respond-async" },
    );
    assert.equal(status, 202);
    assert.equal(body.id, "async-1");
    const bodies = () => hooks.received.map((r) => JSON.parse(r.body));
    await waitFor(() => bodies().some((b) => b.status === "succeeded"), { message: "the completed webhook" });
    const [start, completed] = [bodies()[0], bodies().at(-1)];
    assert.equal(start.status, "processing");
    assert.equal(start.id, "async-1");
    assert.ok(!("completed_at" in start) && !("version" in start), "unset fields are left out of webhooks");
    assert.deepEqual(completed.output, { word: "gamma", count: 2, ratio: 0.5, loud: false });
    assert.equal(typeof completed.metrics.predict_time, "number");
    assert.match(completed.completed_at, COG_TIME);
    assert.match(String(hooks.received[0].headers["user-agent"]), /^cog-worker\//);
  });

  test("webhook_events_filter limits deliveries to the events it lists", async () => {
    const hooks = await receiver();
    const { body } = await call(`${server.url}/predictions`, "POST", {
      input: { word: "alpha" },
      webhook: `${hooks.base}/hook`,
      webhook_events_filter: ["completed"],
    });
    assert.equal(body.status, "succeeded");
    await waitFor(() => hooks.received.length > 0, { message: "the completed webhook" });
    assert.deepEqual(
      hooks.received.map((r) => JSON.parse(r.body).status),
      ["succeeded"],
    );
  });

  test("POST /shutdown answers {} and ends the process", async () => {
    const { status, body } = await call(`${server.url}/shutdown`, "POST");
    assert.equal(status, 200);
    assert.deepEqual(body, {});
    assert.equal(await server.exited, 0);
  });
});

describe("serve-model while setup() runs", () => {
  test("health-check says STARTING with an empty setup, refuses predictions with 409, then says READY with setup's record", async () => {
    const server = await serveModel(path.join(FIXTURES_DIR, "slow-setup"));
    const first = await waitFor(() => health(server).catch(() => null), { message: "a first health-check" });
    assert.deepEqual(first, { status: "STARTING", setup: {} });
    const refused = await call(`${server.url}/predictions`, "POST", { input: {} });
    assert.deepEqual(refused, { status: 409, body: { detail: "Already running a prediction" } });
    await waitForHealth(server, "READY");
    const { setup } = await health(server);
    assert.equal(setup.status, "succeeded");
    assert.match(setup.started_at, COG_TIME);
    assert.ok(Date.parse(setup.completed_at) - Date.parse(setup.started_at) >= 1500, "setup's timing covers its 2 s");
  });
});

// ---- Python models ------------------------------------------------------------------------------

describe("serve-model with Python models", () => {
  test("a Python model's sync prediction returns its output and its logs", async () => {
    const server = await serveModel(path.join(PYTHON_FIXTURES, "hello"));
    await waitForHealth(server, "READY");
    const { setup } = await health(server);
    assert.match(setup.logs, /setting up/);
    const { status, body } = await call(`${server.url}/predictions`, "POST", { input: { name: "Ada" } });
    assert.equal(status, 200);
    assert.equal(body.output, "hello, Ada!");
    assert.match(body.logs, /greeting Ada\n/);
    assert.match(body.logs, /to stderr/);
  });

  describe("a slow model (python/tests/fixtures/sleepy)", () => {
    let server: ModelServer;
    before(async () => {
      server = await serveModel(path.join(PYTHON_FIXTURES, "sleepy"));
      await waitForHealth(server, "READY");
    });

    test("PUT with the same id while it runs answers its current state and starts nothing new", async () => {
      const hooks = await receiver();
      const request = { input: { seconds: 30 }, webhook: `${hooks.base}/hook` };
      const first = await call(`${server.url}/predictions/put-1`, "PUT", request, { prefer: "respond-async" });
      assert.equal(first.status, 202);
      assert.equal(first.body.status, "processing");
      const again = await call(`${server.url}/predictions/put-1`, "PUT", request, { prefer: "respond-async" });
      assert.equal(again.status, 202);
      assert.equal(again.body.id, "put-1");
      assert.equal(again.body.started_at, first.body.started_at, "the same prediction, not a new one");
      assert.equal((await health(server)).status, "BUSY");
      const other = await call(`${server.url}/predictions/put-2`, "PUT", request, { prefer: "respond-async" });
      assert.deepEqual(other, { status: 409, body: { detail: "Already running a prediction" } });
      const mismatched = await call(`${server.url}/predictions/put-3`, "PUT", { ...request, id: "put-4" });
      assert.equal(mismatched.status, 422);
      assert.deepEqual(mismatched.body.detail[0].loc, ["body", "id"]);

      assert.deepEqual(await call(`${server.url}/predictions/put-1/cancel`, "POST"), { status: 200, body: {} });
      const bodies = () => hooks.received.map((r) => JSON.parse(r.body));
      await waitFor(() => bodies().some((b) => b.status === "canceled"), { message: "the canceled webhook" });
      assert.equal(bodies().filter((b) => b.status === "processing" && b.logs === "").length, 1, "one start webhook: one run");
      assert.equal(bodies().filter((b) => b.status === "canceled").length, 1);
      await waitForHealth(server, "READY");
    });

    test("cancel stops a running sync prediction, which answers canceled; unknown ids get 404", async () => {
      const pending = call(`${server.url}/predictions`, "POST", { id: "sync-cancel", input: { seconds: 30 } });
      await waitForHealth(server, "BUSY");
      assert.deepEqual(await call(`${server.url}/predictions/no-such-id/cancel`, "POST"), { status: 404, body: {} });
      assert.deepEqual(await call(`${server.url}/predictions/sync-cancel/cancel`, "POST"), { status: 200, body: {} });
      const { status, body } = await pending;
      assert.equal(status, 200);
      assert.equal(body.status, "canceled");
      assert.match(body.logs, /cleaning up after cancel/);
      assert.ok(!body.metrics?.predict_time, "no predict_time for a canceled prediction");
      await waitForHealth(server, "READY");
    });
  });

  test("without --upload-url, file outputs stay data: URLs, and Secret inputs are masked in the echoed input", async () => {
    const server = await serveModel(path.join(PYTHON_FIXTURES, "files"));
    await waitForHealth(server, "READY");
    const doc = `data:text/plain;base64,${Buffer.from("bar").toString("base64")}`;
    const { status, body } = await call(`${server.url}/predictions`, "POST", { input: { doc, key: "s3cr3t-value" } });
    assert.equal(status, 200);
    assert.equal(body.status, "succeeded", body.logs);
    assert.equal(body.input.key, "**********");
    assert.ok(!body.logs.includes("s3cr3t-value"));
    assert.match(body.output.file, /^data:text\/plain;(name=out\.txt;)?base64,/);
    assert.equal(Buffer.from(body.output.file.split(",")[1], "base64").toString(), ".txt bar");
  });

  test("with --upload-url, file outputs are PUT to the upload server and replaced by the URL it answered", async () => {
    const uploads = await receiver((request, base) => ({ status: 201, headers: { location: `${base}/files${request.url}?sig=abc` } }));
    const server = await serveModel(path.join(PYTHON_FIXTURES, "stream"), ["--upload-url", `${uploads.base}/upload/`]);
    await waitForHealth(server, "READY");
    const { status, body } = await call(`${server.url}/predictions`, "POST", { id: "up-1", input: { count: 2, pause: 0.01 } });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.status, "succeeded", body.logs);
    assert.deepEqual(body.output, [`${uploads.base}/files/upload/item0.txt`, `${uploads.base}/files/upload/item1.txt`]);
    assert.deepEqual(
      uploads.received.map((r) => [r.method, r.url, r.body, r.headers["content-type"], r.headers["x-prediction-id"]]),
      [
        ["PUT", "/upload/item0.txt", "item 0", "text/plain", "up-1"],
        ["PUT", "/upload/item1.txt", "item 1", "text/plain", "up-1"],
      ],
    );
  });
});
