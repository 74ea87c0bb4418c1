// Sprocket with its blobs in S3 (a real s3rver started here; test/s3-server.ts says what it does
// not verify): a pushed model runs from the bucket, its output files are served by a second API
// replica (its own data directory, the same PostgreSQL schema and bucket), model processes get no
// S3 keys, and a bucket that cannot be used stops the start with one line naming it. The replica
// test needs the machine's PostgreSQL (as postgres-mode.test.ts); each part says when it skipped.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { startS3, type TestS3 } from "../s3-server.ts";
import { CLI } from "./cli-run.ts";
import { PACKAGE_ROOT, api, pushFixture, startServer, tempDir, waitFor, type TestServer } from "./harness.ts";

const started = await startS3();
const s3 = "why" in started ? null : started;
if (!s3) console.log(`SKIPPED: Sprocket on S3 (${(started as { why: string }).why})`);
after(() => s3?.close());

function s3Env(server: TestS3, prefix: string): Record<string, string> {
  const location = server.location(prefix);
  return {
    SPROCKET_S3_BUCKET: location.bucket,
    SPROCKET_S3_ENDPOINT: location.endpoint!,
    SPROCKET_S3_ACCESS_KEY_ID: location.accessKeyId,
    SPROCKET_S3_SECRET_ACCESS_KEY: location.secretAccessKey,
    SPROCKET_S3_PREFIX: prefix,
  };
}

/** `sprocket serve` that should not start (asynchronously: s3rver runs in this process). */
function serveFails(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, "serve", "--port", "0", "--data", tempDir()], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, SPROCKET_EXAMPLES: "false", ...env },
      encoding: "utf8",
      timeout: 30_000,
    }, (_error, _stdout, stderr) => resolve({ status: child.exitCode, stderr }));
  });
}

describe("Sprocket on S3", { skip: !s3 && "s3rver could not start (see the SKIPPED line)" }, () => {
  test("a bucket that cannot be used stops the start with one line naming it (never the secret), exit non-zero", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...s3Env(s3!, "x"), SPROCKET_S3_ENDPOINT: "http://127.0.0.1:1", SPROCKET_S3_SECRET_ACCESS_KEY: "hunter2" }, /cannot reach S3 bucket "sprocket-test" at http:\/\/127\.0\.0\.1:1 \(SPROCKET_S3_ENDPOINT\)/],
      [{ ...s3Env(s3!, "x"), SPROCKET_S3_BUCKET: "missing-bucket", SPROCKET_S3_SECRET_ACCESS_KEY: "hunter2" }, /no such bucket \(SPROCKET_S3_BUCKET\)/],
      [{ SPROCKET_S3_BUCKET: "b", SPROCKET_S3_SECRET_ACCESS_KEY: "hunter2" }, /SPROCKET_S3_BUCKET is set, so SPROCKET_S3_ACCESS_KEY_ID must be too/],
    ];
    for (const [env, message] of cases) {
      const result = await serveFails(env);
      assert.notEqual(result.status, 0, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /hunter2|\n\s+at /);
    }
  });

  const URL_BASE = process.env.SPROCKET_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
  const admin = new pg.Pool({ connectionString: URL_BASE, max: 1, connectionTimeoutMillis: 3000 });
  admin.on("error", () => {});
  const schema = `sprocket_s3_${randomBytes(6).toString("hex")}`;
  const databaseUrl = `${URL_BASE}${URL_BASE.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

  describe("two API replicas sharing PostgreSQL and the bucket", () => {
    let reachable = true;
    let a: TestServer | undefined;
    let b: TestServer | undefined;
    before(async () => {
      reachable = await admin.query("SELECT 1").then(() => true, (error: Error) => {
        console.log(`SKIPPED: the two-replica S3 test (no PostgreSQL at ${URL_BASE}: ${error.message}); set SPROCKET_TEST_DATABASE_URL`);
        return false;
      });
      if (!reachable) return;
      await admin.query(`CREATE SCHEMA ${schema}`);
      // One URL signing secret for both, as deploy/kubernetes sets it: each accepts the other's signed URLs.
      const env = { SPROCKET_DATABASE_URL: databaseUrl, SPROCKET_URL_SIGNING_SECRET: randomBytes(32).toString("base64url"), ...s3Env(s3!, `replicas-${schema}`) };
      a = await startServer({ env });
      b = await startServer({ env: { ...env, SPROCKET_WORKER: "false", SPROCKET_EXAMPLES: "false" }, adminToken: a.token });
    });
    after(async () => {
      await a?.stop().catch(() => {});
      await b?.stop().catch(() => {});
      if (reachable) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await admin.end();
    });

    test("a model pushed to one replica runs; its output files are served by the other, byte for byte, with ranges", async (t) => {
      if (!reachable) return t.skip("no PostgreSQL (see the SKIPPED line)");
      const version = await pushFixture(a!, "ts-files", "admin/ts-files");
      // The other replica asks the bucket, not its own disk: it has every blob of the push.
      const versionRow = await a!.client.models.versions.get("admin", "ts-files", version);
      assert.equal(versionRow.id, version);
      const raw = (await admin.query(`SELECT files FROM ${schema}.versions WHERE id = $1`, [version])).rows[0].files as string | Record<string, string>;
      const files = typeof raw === "string" ? (JSON.parse(raw) as Record<string, string>) : raw;
      const missing = await api(b!.url, "/v1/blobs/missing", { token: b!.token, body: JSON.stringify({ digests: Object.values(files) }) });
      assert.deepEqual(missing.body, { missing: [] });

      const size = 2 * 1024 * 1024 + 3;
      const output = (await a!.client.run("admin/ts-files", { input: { size } })) as { file: string; parts: string[] };
      const path = new URL(String(output.file)).pathname;
      // The worker publishes the output as its upload starts (OutputFiles.persist is synchronous),
      // so the other replica may need a moment: poll with a deadline.
      const response = await waitFor(async () => {
        const r = await fetch(`${b!.url}${path}`);
        return r.status === 200 ? r : null;
      }, { timeoutMs: 10_000, message: `GET ${path} on the other replica` });
      assert.equal(response.headers.get("content-length"), String(size));
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.ok(bytes.length === size && bytes.every((byte, i) => byte === i % 251), "the model's bytes");
      const partial = await fetch(`${b!.url}${path}`, { headers: { range: "bytes=251-253" } });
      assert.equal(partial.status, 206);
      assert.deepEqual([...Buffer.from(await partial.arrayBuffer())], [0, 1, 2]);
      const part = await waitFor(async () => {
        const r = await fetch(`${b!.url}${new URL(String(output.parts[0])).pathname}`);
        return r.status === 200 ? r.text() : null;
      }, { timeoutMs: 10_000 });
      assert.equal(part, "part a");
    });

    test("a file uploaded through one replica downloads from the other (its bytes from the bucket, its signed URL accepted there)", async (t) => {
      if (!reachable) return t.skip("no PostgreSQL (see the SKIPPED line)");
      const form = new FormData();
      form.append("content", new Blob([Buffer.from("uploaded through a")], { type: "text/plain" }), "note.txt");
      const created = (await (await fetch(`${a!.url}/v1/files`, { method: "POST", headers: { authorization: `Bearer ${a!.token}` }, body: form })).json()) as { id: string; urls: { download: string } };
      const download = new URL(created.urls.download);
      const response = await fetch(`${b!.url}${download.pathname}${download.search}`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "uploaded through a");
    });

    test("the other replica answers a model's README, read from the bucket (it never wrote the version's files)", async (t) => {
      if (!reachable) return t.skip("no PostgreSQL (see the SKIPPED line)");
      const readme = await fetch(`${b!.url}/v1/models/admin/hello/readme`, { headers: { authorization: `Bearer ${b!.token}` } });
      assert.equal(readme.status, 200);
      assert.match(await readme.text(), /hello/i);
    });

    test("model processes get no S3 settings or keys (only the one setting meant for them, their output directory)", async (t) => {
      if (!reachable) return t.skip("no PostgreSQL (see the SKIPPED line)");
      await pushFixture(a!, "env-probe", "admin/env-probe");
      assert.deepEqual(await a!.client.run("admin/env-probe", { input: {} }), ["SPROCKET_OUTPUT_DIR"]);
    });
  });
});
