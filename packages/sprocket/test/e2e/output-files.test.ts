// File outputs of a TS predictor through `sprocket serve`: staged by the runner, moved into place
// (never held in memory), served under unguessable URLs with the right type, length and ranges.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, pushFixture, startServer, waitFor, type TestServer } from "./harness.ts";

describe("TS file outputs", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer();
    await pushFixture(server, "ts-files", "admin/ts-files");
  });
  after(() => server?.stop());

  test("a path output and paths nested in a list come back as URLs serving the same bytes", async () => {
    const size = 3 * 1024 * 1024 + 7;
    const output = (await server.client.run("admin/ts-files", { input: { size } })) as { file: URL | string; parts: string[]; text: string };
    const url = String(output.file);
    assert.match(url, new RegExp(`^${server.url}/o/[A-Za-z0-9_-]{24}/out\\.bin$`));
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-length"), String(size));
    assert.equal(response.headers.get("content-type"), "application/octet-stream");
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.length, size);
    assert.ok(bytes.every((b, i) => b === i % 251), "the bytes are the model's");
    const partial = await fetch(url, { headers: { range: "bytes=251-253" } });
    assert.equal(partial.status, 206);
    assert.deepEqual([...Buffer.from(await partial.arrayBuffer())], [0, 1, 2]);

    const [a, b] = await Promise.all(output.parts.map((part) => fetch(String(part))));
    assert.equal(await a.text(), "part a");
    assert.match(a.headers.get("content-type") ?? "", /^text\/plain/);
    assert.deepEqual(await b.json(), { part: "b" });
    assert.equal(output.text, "plain text");
  });

  test("a string that looks like a staged file is returned as text", async () => {
    const output = (await server.client.run("admin/ts-files", { input: { size: 1, text: "sprocket-staged:0123456789abcdef0123456789abcdef" } })) as { text: string };
    assert.equal(output.text, "sprocket-staged:0123456789abcdef0123456789abcdef");
  });

  test("data_retention: once it passes, the output and its files are removed and data_removed is true", async () => {
    const created = await api(server.url, "/v1/models/admin/ts-files/predictions", {
      token: server.token,
      body: JSON.stringify({ input: { size: 10 }, data_retention: 0 }),
      headers: { prefer: "wait" },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, "succeeded");
    const fileUrl = created.body.output.file as string;
    // Retention 0: removed at the scheduler's next sweep (about a second).
    const removed = await waitFor(async () => {
      const prediction = await server.client.predictions.get(created.body.id);
      return prediction.data_removed ? prediction : null;
    }, { message: "data_removed" });
    assert.equal(removed.output, null);
    assert.equal(removed.status, "succeeded");
    assert.equal((await fetch(fileUrl)).status, 404);

    const kept = await api(server.url, "/v1/models/admin/ts-files/predictions", {
      token: server.token,
      body: JSON.stringify({ input: { size: 1 }, data_retention: "keep" }),
      headers: { prefer: "wait" },
    });
    assert.equal(kept.body.data_removed, false);
    for (const bad of ["soon", -5, 1.5]) {
      const refused = await api(server.url, "/v1/models/admin/ts-files/predictions", { token: server.token, body: JSON.stringify({ input: {}, data_retention: bad }) });
      assert.equal(refused.status, 422, String(bad));
      assert.equal(refused.body.invalid_fields[0].field, "data_retention");
    }
  });
});
