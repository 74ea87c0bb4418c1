// cog.yaml's build: section on a host without Docker: what can be honoured is, what cannot is said
// (build notes at push), and packages that cannot be installed fail the push naming them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES_DIR, PACKAGE_ROOT, api, pushDir, pushFixture, startServer, waitForPrediction, type TestServer } from "./harness.ts";

describe("Python environments from cog.yaml's build section", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer();
    for (const name of ["py-build-notes", "py-needs-packages"]) {
      const created = await api(server.url, "/v1/models", { token: server.token, body: JSON.stringify({ owner: "admin", name, visibility: "private" }) });
      assert.equal(created.status, 201);
    }
  });
  after(() => server?.stop());

  async function pushRaw(fixture: string) {
    const dir = path.join(FIXTURES_DIR, fixture);
    const files: Record<string, string> = {};
    for (const name of ["cog.yaml", "predict.py"]) {
      const bytes = readFileSync(path.join(dir, name));
      const sha = createHash("sha256").update(bytes).digest("hex");
      files[name] = sha;
      const put = await api(server.url, `/v1/blobs/${sha}`, { method: "PUT", token: server.token, body: bytes, headers: { "content-type": "application/octet-stream" } });
      assert.ok(put.status === 200 || put.status === 201, JSON.stringify(put.body));
    }
    return api(server.url, `/v1/models/admin/${fixture}/versions`, { token: server.token, body: JSON.stringify({ files }) });
  }

  test("a push says which build settings this host could not honour, and the model still runs", async () => {
    const response = await pushRaw("py-build-notes");
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const notes: string[] = response.body.build_notes;
    const all = notes.join("\n");
    assert.match(all, /python_version is 3\.9, but this host runs Python 3\./);
    assert.match(all, /already installed on this host: pip/);
    assert.match(all, /"sprocket-no-such-package" is not installed on this host/);
    assert.doesNotMatch(all, /"bash" is not installed/);
    assert.match(all, /build\.run was not run/);
    assert.match(all, /no NVIDIA GPU|CUDA/);
    assert.equal(await server.client.run("admin/py-build-notes", { input: {} }), "built");
  });

  test("packages that cannot be installed fail the push with a 422 naming them", async () => {
    const response = await pushRaw("py-needs-packages");
    assert.equal(response.status, 422);
    assert.match(response.body.detail, /sprocket-no-such-package==1\.0/);
    assert.match(response.body.detail, /SPROCKET_PYTHON/);
    await assert.rejects(pushFixture(server, "py-needs-packages", "admin/py-needs-packages"), /422/);
  });

  test("a file input URL pointing at a private address fails the prediction, saying so (SSRF)", async () => {
    await pushDir(server, path.join(PACKAGE_ROOT, "python", "tests", "fixtures", "files"), "admin/py-files");
    const prediction = await server.client.predictions.create({ model: "admin/py-files", input: { doc: "http://169.254.169.254/latest/meta-data/" } });
    const done = await waitForPrediction(server.client, prediction.id);
    assert.equal(done.status, "failed");
    assert.match(String(done.error), /could not be fetched.*private address.*SPROCKET_ALLOW_PRIVATE_URLS/);
  });
});
