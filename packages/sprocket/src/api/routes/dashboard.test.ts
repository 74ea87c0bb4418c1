// The dashboard's routes: its built files at / and /assets/*, index.html for client-side paths a
// browser navigates to, API paths never answered with the page, no token needed for the page and
// still needed for the API; without a build, / says how to make one.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { loadConfig } from "../../config/index.ts";
import { serve, type RunningServer } from "../../processes/serve.ts";
import { registerDashboardRoutes } from "./dashboard.ts";

const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

/** A bare server with only the dashboard's routes and a JSON 404, on a given build directory. */
async function bare(dir: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ status: 404, detail: "not found" }));
  registerDashboardRoutes(app, dir);
  await app.ready();
  return app;
}

describe("the dashboard's routes", () => {
  const dirs: string[] = [];
  const temp = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sprocket-dashboard-"));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test("a built dashboard: / and client-side paths answer index.html, assets are cached for good, API paths and non-HTML requests get the 404", async () => {
    const dir = temp();
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Sprocket</title><div id=root></div>");
    writeFileSync(path.join(dir, "assets", "index-abc.js"), "console.log(1)");
    const app = await bare(dir);
    const root = await app.inject({ url: "/" });
    assert.equal(root.statusCode, 200);
    assert.match(root.headers["content-type"] as string, /text\/html/);
    assert.match(root.body, /<div id=root>/);
    assert.equal(root.headers["cache-control"], "no-cache");
    assert.match(root.headers["content-security-policy"] as string, /frame-ancestors 'none'/);
    const deep = await app.inject({ url: "/p/abc123", headers: html });
    assert.equal(deep.statusCode, 200);
    assert.match(deep.body, /<div id=root>/);
    const asset = await app.inject({ url: "/assets/index-abc.js" });
    assert.equal(asset.statusCode, 200);
    assert.match(asset.headers["cache-control"] as string, /immutable/);
    assert.equal((await app.inject({ url: "/assets/missing.js" })).statusCode, 404);
    assert.notEqual((await app.inject({ url: "/assets/..%2findex.html" })).statusCode, 200, "nothing outside assets/ through /assets/");
    for (const url of ["/v1/nothing", "/o/x", "/metrics/x"]) assert.equal((await app.inject({ url, headers: html })).statusCode, 404, url);
    assert.equal((await app.inject({ url: "/models/a/b", headers: { accept: "application/json" } })).statusCode, 404);
    await app.close();
  });

  test("without a build, / says how to build it", async () => {
    const app = await bare(temp());
    const root = await app.inject({ url: "/" });
    assert.equal(root.statusCode, 200);
    assert.match(root.body, /dashboard is not built/);
    assert.match(root.body, /npm run build -w packages\/dashboard/);
    assert.match((await app.inject({ url: "/models", headers: html })).body, /not built/);
    await app.close();
  });
});

describe("the dashboard on the real server", () => {
  let server: RunningServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sprocket-api-"));
    const config = loadConfig({ env: { SPROCKET_LOG_LEVEL: "silent", SPROCKET_EXAMPLES: "false" }, flags: { port: 0, dataDir: dir } });
    server = await serve({ config, env: { PATH: process.env.PATH }, execPath: process.execPath });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the page needs no token; the API still does, also on paths only the page's catch-all matches", async () => {
    const inject = server.app.inject.bind(server.app);
    assert.equal((await inject({ url: "/" })).statusCode, 200);
    assert.equal((await inject({ url: "/models/admin/hello", headers: html })).statusCode, 200);
    for (const url of ["/v1/account", "/v1/nothing-here", "/metrics"]) {
      const response = await inject({ url, headers: html });
      assert.equal(response.statusCode, 401, url);
      assert.match(response.headers["content-type"] as string, /problem\+json/, url);
    }
    const unknown = await inject({ url: "/v1/nothing-here", headers: { authorization: `Bearer ${server.adminToken}` } });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().status, 404);
    assert.equal((await inject({ method: "POST", url: "/models" })).statusCode, 401, "only GET and HEAD are the page's");
  });
});
