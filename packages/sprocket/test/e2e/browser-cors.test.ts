// CORS (SPROCKET_CORS_ORIGINS) and the browser example (examples/browser/index.html): preflights
// answered for allowed origins only, full tokens refused from browsers when the operator asks
// (SPROCKET_CORS_SCOPED_ONLY), and the example page, run in headless Chromium, calling a deployment
// with a scoped token — from an allowed origin it works, from another the browser refuses.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { api, pushDir, startServer, type TestServer } from "./harness.ts";

const EXAMPLE = path.resolve(import.meta.dirname, "../../../../examples");
const CHROMIUM = process.env.SPROCKET_CHROMIUM || "/usr/bin/chromium";

/** Serves examples/browser/index.html, as a user would with any static server. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const html = readFileSync(path.join(EXAMPLE, "browser", "index.html"));
  const server = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("CORS and the browser example", () => {
  let sprocket: TestServer;
  let allowed: Awaited<ReturnType<typeof pageServer>>;
  let refused: Awaited<ReturnType<typeof pageServer>>;
  let scoped: string;

  before(async () => {
    allowed = await pageServer();
    refused = await pageServer();
    sprocket = await startServer({ env: { SPROCKET_EXAMPLES: "false", SPROCKET_CORS_ORIGINS: allowed.origin, SPROCKET_CORS_SCOPED_ONLY: "true" } });
    const version = await pushDir(sprocket, path.join(EXAMPLE, "hello"), "admin/hello");
    const deployment = await api(sprocket.url, "/v1/deployments", {
      token: sprocket.token,
      body: JSON.stringify({ name: "hello", model: "admin/hello", version, hardware: "cpu", min_instances: 0, max_instances: 1 }),
    });
    assert.equal(deployment.status, 200, JSON.stringify(deployment.body));
    const token = await api(sprocket.url, "/v1/tokens", { token: sprocket.token, body: JSON.stringify({ scopes: ["predictions.create"], deployments: ["admin/hello"] }) });
    scoped = token.body.token;
  });
  after(async () => {
    await sprocket?.stop();
    allowed?.server.close();
    refused?.server.close();
  });

  const preflight = (origin: string) =>
    fetch(`${sprocket.url}/v1/deployments/admin/hello/predictions`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type,prefer" },
    });

  test("a preflight from an allowed origin is answered with its origin; from another, without", async () => {
    const ok = await preflight(allowed.origin);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get("access-control-allow-origin"), allowed.origin);
    assert.match(ok.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.match(ok.headers.get("access-control-allow-headers") ?? "", /authorization/);
    const no = await preflight(refused.origin);
    assert.equal(no.headers.get("access-control-allow-origin"), null);
  });

  test("from an allowed origin a full token is refused (scoped only) and a scoped one works, with CORS headers on both", async () => {
    const call = (token: string) =>
      api(sprocket.url, "/v1/deployments/admin/hello/predictions", { token, headers: { origin: allowed.origin, prefer: "wait" }, body: JSON.stringify({ input: { name: "Ada" } }) });
    const full = await call(sprocket.token);
    assert.equal(full.status, 403);
    assert.match(full.body.detail, /need a scoped token/);
    assert.equal(full.headers.get("access-control-allow-origin"), allowed.origin, "the page can read why");
    const ok = await call(scoped);
    assert.equal(ok.status, 201);
    assert.equal(ok.body.output, "hello, Ada!");
    // Without an Origin (curl, servers), full tokens work as ever.
    assert.equal((await api(sprocket.url, "/v1/account", { token: sprocket.token })).status, 200);
  });

  test("the example page in headless Chromium: works from the allowed origin, refused from another", { skip: !existsSync(CHROMIUM) && `SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set SPROCKET_CHROMIUM); .ci/run installs it` }, async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    try {
      const run = async (origin: string) => {
        const page = await browser.newPage();
        await page.goto(`${origin}/#server=${encodeURIComponent(sprocket.url)}&deployment=admin/hello&token=${scoped}`);
        await page.fill("#name", "Ada");
        await page.click("#go");
        // A string: it runs in the page (this file is type-checked without the DOM's types).
        await page.waitForFunction("!['', 'running…'].includes(document.getElementById('result').textContent)", null, { timeout: 20_000 });
        const text = await page.textContent("#result");
        await page.close();
        return text;
      };
      assert.equal(await run(allowed.origin), "hello, Ada!");
      assert.match((await run(refused.origin)) ?? "", /could not call .* is this page's origin \(http:\/\/127\.0\.0\.1:\d+\) in SPROCKET_CORS_ORIGINS/);
    } finally {
      await browser.close();
    }
  });
});
