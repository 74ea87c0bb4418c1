import { createHash } from "node:crypto";
// In-process API tests: the real server (SQLite, worker, runner) driven with fastify's inject.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { InjectOptions } from "fastify";
import { loadConfig } from "../config/index.ts";
import { serve, type RunningServer } from "../processes/serve.ts";

let server: RunningServer;
let dir: string;
let auth: Record<string, string>;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "sprocket-api-"));
  const config = loadConfig({ env: { SPROCKET_LOG_LEVEL: "silent", SPROCKET_TRUST_PROXY: "true", SPROCKET_EXAMPLES: "hello" }, flags: { port: 0, dataDir: dir } });
  server = await serve({ config, env: { PATH: process.env.PATH }, execPath: process.execPath });
  auth = { authorization: `Bearer ${server.adminToken}` };
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const inject = (options: InjectOptions) => server.app.inject(options);

describe("the HTTP API", () => {
  test("a sync prediction returns the finished prediction with every field Replicate's clients expect", async () => {
    const response = await inject({
      method: "POST",
      url: "/v1/models/admin/hello/predictions",
      headers: { ...auth, prefer: "wait=30", "content-type": "application/json" },
      payload: { input: { name: "Ada" } },
    });
    assert.equal(response.statusCode, 201);
    assert.equal(response.headers["preference-applied"], "wait=30");
    const body = response.json();
    assert.equal(body.status, "succeeded");
    assert.equal(body.output, "hello, Ada!");
    for (const key of ["id", "model", "version", "input", "logs", "output", "data_removed", "error", "status", "source", "created_at", "started_at", "completed_at", "metrics", "urls"]) {
      assert.ok(key in body, key);
    }
    for (const key of ["get", "cancel", "stream", "web"]) assert.match(body.urls[key], /^http:\/\//, key);
    assert.equal(response.headers.location, body.urls.get);
  });

  test("without Prefer: wait, create answers 201 with status starting", async () => {
    const response = await inject({ method: "POST", url: "/v1/models/admin/hello/predictions", headers: auth, payload: { input: {} } });
    assert.equal(response.statusCode, 201);
    assert.equal(response.json().status, "starting");
  });

  test("a malformed Host or X-Forwarded-Host never produces a broken URL", async () => {
    const response = await inject({ method: "GET", url: "/v1/predictions", headers: { ...auth, host: "exa mple.com", "x-forwarded-host": "a/b" } });
    assert.equal(response.statusCode, 200);
    for (const prediction of response.json().results) assert.doesNotThrow(() => new URL(prediction.urls.get));
  });

  test("URLs use the origin a trusted proxy reports, so clients can follow them", async () => {
    const response = await inject({
      method: "GET",
      url: "/v1/predictions",
      headers: { ...auth, "x-forwarded-proto": "https", "x-forwarded-host": "models.example.com" },
    });
    for (const prediction of response.json().results) assert.match(prediction.urls.get, /^https:\/\/models\.example\.com\/v1\/predictions\//);
  });

  test("an empty body sent as application/json (as the JS client does on cancel) is accepted", async () => {
    const created = (await inject({ method: "POST", url: "/v1/models/admin/hello/predictions", headers: auth, payload: { input: {} } })).json();
    const response = await inject({
      method: "POST",
      url: `/v1/predictions/${created.id}/cancel`,
      headers: { ...auth, "content-type": "application/json" },
      payload: "",
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().id, created.id);
  });

  test("the legacy `Token` scheme authenticates like Bearer", async () => {
    const response = await inject({ method: "GET", url: "/v1/account", headers: { authorization: `Token ${server.adminToken}` } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { type: "user", username: "admin", name: "admin", github_url: null, avatar_url: null });
  });

  test("QUERY /v1/models searches, with the JSON-quoted text body the JS client sends", async () => {
    const response = await inject({ method: "QUERY" as InjectOptions["method"], url: "/v1/models", headers: { ...auth, "content-type": "text/plain" }, payload: '"hello"' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().results.map((m: { name: string }) => m.name), ["hello"]);
  });

  test("the three version forms of POST /v1/predictions resolve; an unknown version is a 422", async () => {
    const model = (await inject({ method: "GET", url: "/v1/models/admin/hello", headers: auth })).json();
    const id = model.latest_version.id;
    for (const version of [id, `admin/hello:${id}`, "admin/hello"]) {
      const response = await inject({ method: "POST", url: "/v1/predictions", headers: auth, payload: { version, input: {} } });
      assert.equal(response.statusCode, 201, version);
      assert.equal(response.json().version, id);
    }
    const unknown = await inject({ method: "POST", url: "/v1/predictions", headers: auth, payload: { version: "0".repeat(64), input: {} } });
    assert.equal(unknown.statusCode, 422);
    assert.equal(unknown.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal(unknown.json().title, "Invalid version or not permitted");
  });

  test("unknown body keys, a missing version and a missing input are each named in one 422", async () => {
    const response = await inject({ method: "POST", url: "/v1/predictions", headers: auth, payload: { model: "admin/hello" } });
    assert.equal(response.statusCode, 422);
    const types = response.json().invalid_fields.map((f: { type: string }) => f.type).sort();
    assert.deepEqual(types, ["additional_property_not_allowed", "required", "required"]);
  });

  test("a bad Cancel-After is a 422; a good one sets the deadline", async () => {
    const bad = await inject({ method: "POST", url: "/v1/models/admin/hello/predictions", headers: { ...auth, "cancel-after": "2s" }, payload: { input: {} } });
    assert.equal(bad.statusCode, 422);
    const good = await inject({ method: "POST", url: "/v1/models/admin/hello/predictions", headers: { ...auth, "cancel-after": "1m" }, payload: { input: {} } });
    const body = good.json();
    assert.equal(Date.parse(body.deadline) - Date.parse(body.created_at), 60_000);
  });

  test("a Cancel-After beyond a year is a 422, not a crash", async () => {
    for (const value of ["99999999999999999999", "9999999h"]) {
      const response = await inject({ method: "POST", url: "/v1/models/admin/hello/predictions", headers: { ...auth, "cancel-after": value }, payload: { input: {} } });
      assert.equal(response.statusCode, 422, value);
    }
  });

  test("raw bytes sent to a JSON route are refused at once with a 415", async () => {
    const response = await inject({
      method: "POST",
      url: "/v1/predictions",
      headers: { ...auth, "content-type": "application/octet-stream" },
      payload: Buffer.alloc(100_000),
    });
    assert.equal(response.statusCode, 415);
    assert.ok(response.body.length < 1000);
  });

  test("a pushed blob is stored under its sha256 only when the bytes match it", async () => {
    const bytes = Buffer.from("weights ".repeat(10_000));
    const sha = createHash("sha256").update(bytes).digest("hex");
    const put = (digest: string) =>
      inject({ method: "PUT", url: `/v1/blobs/${digest}`, headers: { ...auth, "content-type": "application/octet-stream" }, payload: bytes });
    const wrong = await put("0".repeat(64));
    assert.equal(wrong.statusCode, 422);
    assert.match(wrong.json().detail, new RegExp(`sha256 ${sha}`));
    const right = await put(sha);
    assert.equal(right.statusCode, 201);
    assert.deepEqual(right.json(), { sha256: sha, size: bytes.length });
    assert.equal((await put(sha)).statusCode, 200);
    const missing = await inject({ method: "POST", url: "/v1/blobs/missing", headers: auth, payload: { digests: [sha, "1".repeat(64)] } });
    assert.deepEqual(missing.json().missing, ["1".repeat(64)]);
  });

  test("a JSON object with thousands of unknown keys gets a short 422", async () => {
    const payload = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 1]));
    const response = await inject({ method: "POST", url: "/v1/predictions", headers: auth, payload });
    assert.equal(response.statusCode, 422);
    assert.ok(response.json().invalid_fields.length <= 25);
  });

  test("a search text that only looks like JSON is searched as text", async () => {
    const response = await inject({ method: "QUERY" as InjectOptions["method"], url: "/v1/models", headers: { ...auth, "content-type": "text/plain" }, payload: '"a"b"' });
    assert.equal(response.statusCode, 200);
  });

  test("an unknown route is a 404 in problem+json, not an HTML page", async () => {
    const response = await inject({ method: "GET", url: "/v1/nothing-here", headers: auth });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().status, 404);
  });

  test("a cursor that was not made by the server is a 400", async () => {
    const response = await inject({ method: "GET", url: "/v1/predictions?cursor=garbage", headers: auth });
    assert.equal(response.statusCode, 400);
  });
});
