// The dashboard (packages/dashboard) in headless Chromium against a real `sprocket serve`: sign in
// with a token, run examples/hello through the generated form (and its curl and JS snippets, as
// copied), watch a token stream arrive item by item, upload a file input (examples/image-tools)
// and see its image output, see a failed prediction's error, cancel, filter the history, redeliver
// a webhook, run again, create and edit a deployment and watch its instances, create and revoke a
// token, reveal the webhook secret, sign out. Every page is saved as a screenshot at desktop size
// and at 375 px in the dark colour scheme (packages/dashboard/test-artifacts/, gitignored), and at
// 375 px no page may scroll sideways.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { PACKAGE_ROOT, api, pushFixture, startServer, waitFor, type TestServer } from "./harness.ts";

const REPO = path.resolve(import.meta.dirname, "../../../..");
const DASHBOARD = path.join(REPO, "packages", "dashboard");
const ARTIFACTS = path.join(DASHBOARD, "test-artifacts");
const CHROMIUM = process.env.SPROCKET_CHROMIUM || "/usr/bin/chromium";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const skip = !existsSync(CHROMIUM) && `SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set SPROCKET_CHROMIUM); .ci/run installs it`;

/** Whether packages/dashboard/dist is missing or older than any of the dashboard's sources. */
function buildIsStale(): boolean {
  const built = path.join(DASHBOARD, "dist", "index.html");
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newer = (file: string): boolean =>
    statSync(file).isDirectory() ? readdirSync(file).some((name) => newer(path.join(file, name))) : statSync(file).mtimeMs > builtAt;
  return ["src", "index.html", "vite.config.ts", "package.json"].some((name) => newer(path.join(DASHBOARD, name)));
}

describe("the dashboard in a real browser", { skip }, () => {
  let sprocket: TestServer;
  let browser: Browser;
  let page: Page;
  let hooks: Server;
  let hookUrl: string;
  const hookCalls: string[] = [];
  /** Pages visited, for the 375 px pass at the end. */
  const visited: [string, string][] = [];

  before(async () => {
    // The served build must be this checkout's dashboard: rebuilt when a source is newer than it
    // (not every time, so a server in another test file never sees dist/ half written).
    if (buildIsStale()) {
      const build = spawnSync(process.execPath, [path.join(DASHBOARD, "bin", "build.mjs"), "--strict"], { encoding: "utf8" });
      assert.equal(build.status, 0, `the dashboard build failed:\n${build.stdout}${build.stderr}`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    hooks = createServer((request, response) => {
      hookCalls.push(request.url ?? "");
      request.resume();
      response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => hooks.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    sprocket = await startServer({ env: { SPROCKET_EXAMPLES: "hello,textgen,image-tools", SPROCKET_ALLOW_PRIVATE_URLS: "true" } });
    await pushFixture(sprocket, "tokens", "admin/tokens");
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    // bypassCSP: the test's own waitForFunction strings are evaluated in the page, which the
    // dashboard's Content-Security-Policy (no eval) would refuse.
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
  });
  after(async () => {
    await browser?.close();
    hooks?.close();
    await sprocket?.stop();
  });

  /** Saves the page as <name>-desktop.png and remembers its URL for the phone-sized pass. */
  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
    visited.push([name, page.url()]);
  }
  const heading = (name: string) => page.getByRole("heading", { level: 1, name }).waitFor();
  const output = () => page.getByTestId("output").first();

  test("sign in with the admin token; a wrong token is refused with the server's words", async () => {
    await page.goto(`${sprocket.url}/`);
    await heading("Sign in to Sprocket");
    await shot("sign-in");
    await page.getByLabel("API token").fill("r8_not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("You did not pass a valid authentication token").waitFor();
    await page.getByLabel("API token").fill(sprocket.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading("Models");
    await page.getByRole("link", { name: "admin/hello", exact: true }).waitFor();
    await shot("models");
    // Keyboard: on a page load, the first Tab lands on the skip link.
    await page.reload();
    await heading("Models");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate("document.activeElement.textContent"), "Skip to content");
  });

  test("a model is created from the Models page and has no versions yet", async () => {
    await page.getByRole("button", { name: "Create a model" }).click();
    await page.getByLabel("Name").fill("new-model");
    await page.getByLabel("Description").fill("Made in the dashboard");
    await page.getByRole("button", { name: "Create model" }).click();
    await heading("admin/new-model");
    await page.getByText("Made in the dashboard").waitFor();
    await page.getByText("No versions yet.").waitFor();
    await page.getByRole("link", { name: "Models" }).click();
    await heading("Models");
  });

  test("the model page lists versions; examples/hello runs through the generated form", async () => {
    await page.getByRole("link", { name: "admin/hello", exact: true }).click();
    await heading("admin/hello");
    await page.getByRole("cell", { name: /latest/ }).waitFor();
    await shot("model");
    await page.getByRole("link", { name: "Run", exact: true }).first().click();
    await heading("Run admin/hello");
    const name = page.getByLabel(/^Name/);
    assert.equal(await name.inputValue(), "world", "the default is filled in");
    await name.fill("Ada");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await output().getByText("hello, Ada!").waitFor({ timeout: 20_000 });
    await page.getByRole("status").getByText("succeeded").waitFor();
    // The snippets run as they are: curl in a shell, JavaScript with the official client.
    const env = { ...process.env, REPLICATE_API_TOKEN: sprocket.token };
    const curl = (await page.locator("#snippet-code").textContent()) ?? "";
    assert.match(curl, /"name": "Ada"/);
    const shell = spawnSync("bash", ["-c", curl], { encoding: "utf8", env, timeout: 20_000 });
    assert.equal(JSON.parse(shell.stdout).output, "hello, Ada!", `${curl}\n→ ${shell.stdout}${shell.stderr}`);
    await page.getByRole("tab", { name: "JavaScript" }).click();
    const js = (await page.locator("#snippet-code").textContent()) ?? "";
    const node = spawnSync(process.execPath, ["--input-type=module", "--eval", js], { cwd: PACKAGE_ROOT, encoding: "utf8", env, timeout: 20_000 });
    assert.equal(node.stdout.trim(), "hello, Ada!", `${js}\n→ ${node.stdout}${node.stderr}`);
    await shot("run-hello");
  });

  test("a token stream arrives item by item, with its logs", async () => {
    await page.goto(`${sprocket.url}/models/admin/tokens/run`);
    await heading("Run admin/tokens");
    await page.locator("#input-count-value").fill("12");
    await page.getByLabel("Pause").fill("250");
    // Every text the output box shows, as it changes (a string: it runs in the page).
    // …and where the logs box (below the output) sits each time: it must not move while output streams.
    await page.evaluate(`window.__seen = []; window.__logsTop = []; new MutationObserver(() => {
      const box = document.querySelector('[data-testid=output]');
      const logs = document.querySelector('pre.logs');
      if (box) window.__seen.push(box.textContent);
      if (logs) window.__logsTop.push(Math.round(logs.getBoundingClientRect().top + window.scrollY));
    }).observe(document.body, { subtree: true, childList: true, characterData: true })`);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await output().getByText(/w0 w1/).waitFor({ timeout: 20_000 });
    await shot("run-streaming");
    await output().getByText(/w11/).waitFor({ timeout: 20_000 });
    const seen = (await page.evaluate("window.__seen")) as string[];
    const partial = seen.filter((text) => text.includes("w0") && !text.includes("w11"));
    assert.ok(new Set(partial).size >= 3, `the output grew in steps before the end: ${JSON.stringify([...new Set(seen)])}`);
    await page.getByLabel("Logs").getByText("token 11").waitFor();
    const tops = new Set((await page.evaluate("window.__logsTop")) as number[]);
    assert.equal(tops.size, 1, `the logs box stayed put while output streamed (seen at ${[...tops].join(", ")} px)`);
  });

  test("a running prediction can be canceled from the page", async () => {
    await page.locator("#input-count-value").fill("1000");
    await page.getByLabel("Pause").fill("100");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await output().getByText(/w1 /).waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("status").getByText("canceled").waitFor({ timeout: 20_000 });
    await page.getByText("Canceled.").waitFor();
  });

  test("textgen's streamed text is shown as one text", async () => {
    await page.goto(`${sprocket.url}/models/admin/textgen/run`);
    await heading("Run admin/textgen");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByRole("status").getByText("succeeded").waitFor({ timeout: 30_000 });
    // 40 words and marks (the default max_tokens), joined into one text rather than listed.
    assert.equal(await output().locator("pre.output-text").count(), 1);
    assert.equal(await output().locator("ol").count(), 0);
    assert.ok(((await output().textContent()) ?? "").split(/\s+/).length >= 25);
    await shot("run-textgen");
  });

  test("a file input is uploaded through the Files API; the image output is shown; a non-image fails with its error", async () => {
    await page.goto(`${sprocket.url}/models/admin/image-tools/run`);
    await heading("Run admin/image-tools");
    assert.equal(await page.getByLabel(/^Format/).inputValue(), "png", "a choices input is a select with its default");
    await page.setInputFiles("#input-image", path.join(REPO, "examples", "ocr", "sample.png"));
    await page.getByText(/Uploaded sample\.png/).waitFor();
    await page.getByLabel("Grayscale").check();
    await page.locator("#input-width-value").fill("200");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const image = output().locator("img");
    await image.waitFor({ timeout: 30_000 });
    assert.match((await image.getAttribute("src")) ?? "", /\/o\/[^/]+\/output\.png$/);
    await page.waitForFunction("document.querySelector('[data-testid=output] img').naturalWidth === 200");
    await shot("run-image");

    await page.setInputFiles("#input-image", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("this is not an image") });
    await page.getByText(/Uploaded notes\.txt/).waitFor();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const alert = page.getByRole("alert").filter({ hasText: "The prediction failed" });
    await alert.waitFor({ timeout: 30_000 });
    assert.match((await alert.textContent()) ?? "", /unsupported image format|Input/i);
    await shot("run-failed");
  });

  test("predictions: history filtered by status; a prediction's page with its webhook deliveries and a redelivery", async () => {
    const created = await api(sprocket.url, "/v1/models/admin/hello/predictions", {
      token: sprocket.token,
      headers: { prefer: "wait" },
      body: JSON.stringify({ input: { name: "Hook" }, webhook: hookUrl }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await waitFor(() => hookCalls.length >= 1, { message: "the webhook arrived" });

    await page.getByRole("link", { name: "Predictions" }).click();
    await heading("Predictions");
    await page.getByLabel("Status").selectOption("failed");
    // The server filters (?status=): only the one failed prediction is listed.
    await waitFor(async () => (await page.locator("table.predictions tbody tr").count()) === 1, { message: "only the failed prediction listed" });
    assert.equal(await page.locator("table.predictions tbody tr").first().getByText("failed").count() > 0, true);
    await shot("predictions-failed");
    await page.getByLabel("Status").selectOption("all");

    await page.getByRole("link", { name: created.body.id }).click();
    await heading("Prediction");
    await page.getByRole("cell", { name: "delivered" }).first().waitFor();
    await page.getByRole("button", { name: "Redeliver final webhook" }).click();
    await page.getByText(/Redelivery queued/).waitFor();
    await waitFor(() => hookCalls.length >= 2, { message: "the redelivered webhook arrived" });
    await shot("prediction");
    // The page a prediction's urls.web names is this page.
    assert.equal(created.body.urls.web, `${sprocket.url}/p/${created.body.id}`);
    // "Run again" opens the form with this prediction's input.
    await page.getByRole("link", { name: "Run again" }).click();
    await heading("Run admin/hello");
    await page.waitForFunction("document.getElementById('input-name')?.value === 'Hook'");
  });

  test("deployments: create from a model's version, see its warm instance, edit min/max", async () => {
    await page.getByRole("link", { name: "Deployments" }).click();
    await heading("Deployments");
    await page.getByRole("button", { name: "Create a deployment" }).click();
    await page.getByLabel("Name", { exact: true }).fill("greeter");
    await page.getByLabel("Model").selectOption("admin/hello");
    await page.locator("#release-version option").first().waitFor({ state: "attached" });
    await page.waitForFunction("document.getElementById('release-version').value !== ''");
    await page.getByLabel("Min instances").fill("1");
    await page.getByLabel("Max instances").fill("1");
    await page.getByRole("button", { name: "Create deployment" }).click();
    await heading("admin/greeter");
    await page.getByRole("cell", { name: "ready" }).waitFor({ timeout: 20_000 });
    await page.getByLabel("Max instances").fill("3");
    await page.getByRole("button", { name: "Save as a new release" }).click();
    await page.getByRole("heading", { name: "Release 2" }).waitFor();
    await shot("deployment");
    await page.getByRole("link", { name: "Run", exact: true }).click();
    await heading("Run deployment admin/greeter");
    await page.getByLabel("Name").fill("Deployed");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await output().getByText("hello, Deployed!").waitFor({ timeout: 20_000 });
    assert.match((await page.locator("#snippet-code").textContent()) ?? "", /\/v1\/deployments\/admin\/greeter\/predictions/);
    await shot("run-deployment");
    await page.getByRole("link", { name: "Deployments" }).click();
    await page.getByRole("cell", { name: "1–3" }).waitFor();
    await shot("deployments");
  });

  test("account: create a scoped token (shown once), revoke it, reveal the webhook signing secret", async () => {
    await page.getByRole("link", { name: "Account" }).click();
    await heading("Account");
    await page.getByText("Create a token").click();
    await page.getByLabel("Name", { exact: true }).fill("ci bot");
    await page.getByRole("button", { name: "Create token" }).click();
    assert.match((await page.getByTestId("new-token").textContent()) ?? "", /^r8_/);
    await page.getByRole("cell", { name: "ci bot", exact: true }).waitFor();
    await page.getByRole("button", { name: "Reveal signing secret" }).click();
    assert.match((await page.getByTestId("webhook-secret").textContent()) ?? "", /^whsec_/);
    await shot("account");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Revoke ci bot" }).click();
    await page.getByText("No scoped tokens.").waitFor();
  });

  test("at 375 px (in the dark colour scheme) every page fits the width, and every control is labelled", async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 780 }, bypassCSP: true, colorScheme: "dark" });
    try {
      await phone.goto(`${sprocket.url}/`);
      await phone.getByLabel("API token").waitFor();
      await phone.screenshot({ path: path.join(ARTIFACTS, "sign-in-375.png"), fullPage: true });
      await phone.getByLabel("API token").fill(sprocket.token);
      await phone.getByRole("button", { name: "Sign in" }).click();
      await phone.getByRole("heading", { level: 1, name: "Models" }).waitFor();
      for (const [name, url] of visited) {
        if (name === "sign-in") continue;
        await phone.goto(url);
        await phone.locator("h1").first().waitFor();
        if (["run-hello", "run-textgen", "run-streaming"].includes(name)) {
          // A run page opens empty: run it again, so the phone screenshot shows live output.
          await phone.getByRole("button", { name: "Run", exact: true }).click();
          await phone.getByRole("status").getByText(/succeeded|processing/).waitFor({ timeout: 20_000 });
        }
        await phone.waitForLoadState("networkidle").catch(() => {});
        await phone.screenshot({ path: path.join(ARTIFACTS, `${name}-375.png`), fullPage: true });
        const width = (await phone.evaluate("document.documentElement.scrollWidth")) as number;
        assert.ok(width <= 375, `${name} (${url}) is ${width} px wide at 375 px`);
        // Every control has a name a screen reader can say.
        const unlabelled = await phone.evaluate(`[...document.querySelectorAll("input, select, textarea, button")]
          .filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !(e.textContent || "").trim())
          .map((e) => e.id || e.name || e.outerHTML.slice(0, 60))`);
        assert.deepEqual(unlabelled, [], `${name}: controls without a label`);
      }
    } finally {
      await phone.close();
    }
  });

  test("sign out forgets the token", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await heading("Sign in to Sprocket");
    await page.reload();
    await heading("Sign in to Sprocket");
  });
});
