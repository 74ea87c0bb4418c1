// PostgreSQL lost mid-run: a `sprocket serve` on a PostgreSQL of this test's own (initdb + pg_ctl
// on a free port, as the postgres user), stopped and started again here. While it is down requests
// that need it answer 503 `unavailable` at once (no hang, no 500); when it is back they work again,
// and what was stored before is all there. Says it skipped, and why, where no PostgreSQL server
// binaries (or no root to run them as postgres) are on the machine.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { api, startServer, waitFor, type TestServer } from "./harness.ts";

const BIN_ROOT = "/usr/lib/postgresql";
const bin = existsSync(BIN_ROOT) ? readdirSync(BIN_ROOT).map((v) => path.join(BIN_ROOT, v, "bin")).find((dir) => existsSync(path.join(dir, "pg_ctl"))) : undefined;
const usable = bin !== undefined && process.getuid?.() === 0 && spawnSync("runuser", ["--help"]).status === 0;
if (!usable) console.log(`SKIPPED: PostgreSQL lost mid-run (needs PostgreSQL's server binaries under ${BIN_ROOT} and root to run them as the postgres user)`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe("PostgreSQL lost mid-run", { skip: !usable && "see the SKIPPED line" }, () => {
  let dir: string;
  let port: number;
  let server: TestServer;
  const pgCtl = (...args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", path.join(bin!, "pg_ctl"), "-D", path.join(dir, "data"), ...args], { stdio: "ignore", timeout: 30_000 });
  const startPg = () => pgCtl("-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "-l", path.join(dir, "log"), "-w", "start");

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sprocket-pg-"));
    chownSync(dir, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })));
    execFileSync("runuser", ["-u", "postgres", "--", path.join(bin!, "initdb"), "-D", path.join(dir, "data"), "-A", "trust", "-U", "postgres"], { stdio: "ignore", timeout: 60_000 });
    port = await freePort();
    startPg();
    server = await startServer({ env: { SPROCKET_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` } });
  });
  after(async () => {
    await server?.stop().catch(() => {});
    try {
      pgCtl("-m", "immediate", "stop");
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("while the database is down requests answer 503 at once; when it is back they work and nothing stored is lost", async () => {
    const before = (await api(server.url, "/v1/models/admin/hello/predictions", { token: server.token, headers: { prefer: "wait" }, body: JSON.stringify({ input: { name: "kept" } }) })).body;
    assert.equal(before.status, "succeeded");
    pgCtl("-m", "immediate", "stop");
    const started = Date.now();
    const read = await api(server.url, `/v1/predictions/${before.id}`, { token: server.token });
    const create = await api(server.url, "/v1/models/admin/hello/predictions", { token: server.token, body: JSON.stringify({ input: { name: "down" } }) });
    assert.equal(read.status, 503, JSON.stringify(read.body));
    assert.equal(read.body.code, "unavailable");
    assert.equal(create.status, 503, JSON.stringify(create.body));
    assert.ok(Date.now() - started < 10_000, `answered in ${Date.now() - started} ms`);
    startPg();
    const back = await waitFor(async () => {
      const again = await api(server.url, `/v1/predictions/${before.id}`, { token: server.token });
      return again.status === 200 ? again.body : undefined;
    }, { timeoutMs: 20_000, message: "reads never recovered" });
    assert.equal(back.output, "hello, kept!");
    assert.equal(await server.client.run("admin/hello", { input: { name: "again" } }), "hello, again!");
  });
});
