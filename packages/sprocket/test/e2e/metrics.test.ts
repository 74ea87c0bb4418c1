// GET /metrics: Prometheus text with predictions by status, predict and setup time histograms,
// queue depth and instances by state; only the admin account's token may read it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, createUserToken, pushFixture, startServer, type TestServer } from "./harness.ts";

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe("/metrics", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer({ env: { SPROCKET_EXAMPLES: "false" } });
    await Promise.all([pushFixture(server, "tokens", "admin/tokens"), pushFixture(server, "fails", "admin/fails")]);
  });
  after(() => server?.stop());

  test("counts finished predictions by status and shows instances, queues and time histograms", async () => {
    const read = async () => {
      const response = await api(server.url, "/metrics", { token: server.token });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      return response.body as string;
    };
    const before = await read();
    assert.equal(sample(before, "sprocket_predictions_total", { status: "succeeded" }), 0);
    await server.client.run("admin/tokens", { input: { count: 2, pause: 0 } });
    await server.client.run("admin/tokens", { input: { count: 1, pause: 0 } });
    await assert.rejects(server.client.run("admin/fails", { input: {} }));
    const text = await read();
    assert.equal(sample(text, "sprocket_predictions_total", { status: "succeeded" }), 2);
    assert.equal(sample(text, "sprocket_predictions_total", { status: "failed" }), 1);
    assert.equal(sample(text, "sprocket_predict_seconds_count"), 3);
    assert.equal(sample(text, "sprocket_instance_setup_seconds_count"), 2, "one instance per model was set up");
    const ready = text.split("\n").filter((l) => l.startsWith("sprocket_instances{") && l.includes('state="ready"'));
    assert.equal(ready.length, 2, text);
    assert.ok(ready.every((l) => l.endsWith(" 1")));
    assert.ok(text.split("\n").some((l) => /^sprocket_queue_depth\{pool="[0-9a-f]{64}"\} 0$/.test(l)), "a queue depth per pool");
  });

  test("only the admin token may read it", async () => {
    assert.equal((await api(server.url, "/metrics")).status, 401);
    const user = await createUserToken(server.dataDir, "bob");
    const refused = await api(server.url, "/metrics", { token: user });
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /admin/);
  });
});
