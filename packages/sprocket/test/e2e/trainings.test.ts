// Trainings (replicate-api.md §11) with the official client: train examples/bigram on an uploaded
// text, run the new version from output.version and see what it learned; a TS trainer; cancel a
// running training; a crash fails with no version; webhooks; destination and version checks.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { writeFileSync } from "node:fs";
import { cli } from "./cli-run.ts";
import { PACKAGE_ROOT, api, tempDir, createUserToken, pushDir, pushFixture, startServer, statusOf, waitFor, type TestServer } from "./harness.ts";

type Training = Awaited<ReturnType<TestServer["client"]["trainings"]["get"]>>;

describe("trainings", () => {
  let server: TestServer;
  let bigram: string;
  let hooks: Server;
  let hookUrl: string;
  const received: { status: string; id: string; output: unknown }[] = [];

  before(async () => {
    hooks = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        received.push(JSON.parse(body));
        response.end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    server = await startServer({ env: { SPROCKET_EXAMPLES: "false", SPROCKET_ALLOW_PRIVATE_URLS: "true" } });
    bigram = await pushDir(server, path.join(PACKAGE_ROOT, "..", "..", "examples", "bigram"), "admin/bigram");
    await server.client.models.create("admin", "my-bigram", { visibility: "private", hardware: "cpu" });
  });
  after(async () => {
    await server?.stop();
    hooks?.close();
  });

  const finished = (id: string) =>
    waitFor(async () => {
      const training = await server.client.trainings.get(id);
      return ["succeeded", "failed", "canceled"].includes(training.status) ? training : null;
    }, { timeoutMs: 30_000, message: () => `training ${id} did not finish` }) as Promise<Training>;

  test("a training on an uploaded text becomes a version of the destination that predicts what it learned", async () => {
    // The JS client uploads Blobs for predictions but not for trainings: upload with the Files API.
    const text = await server.client.files.create(new Blob(["the cat sat on the mat and the cat ran after the cat"], { type: "text/plain" }));
    const created = await server.client.trainings.create("admin", "bigram", bigram, {
      destination: "admin/my-bigram",
      input: { text: text.urls.get },
      webhook: hookUrl,
      webhook_events_filter: ["completed"],
    });
    assert.equal(created.status, "starting");
    assert.match(created.urls.get, /\/v1\/trainings\//);
    const done = await finished(created.id);
    assert.equal(done.status, "succeeded", String(done.error ?? ""));
    const output = done.output as { version: string; weights: string };
    assert.match(output.version, /^admin\/my-bigram:[0-9a-f]{64}$/);
    assert.match(output.weights, /^http:\/\/127\.0\.0\.1:\d+\/o\/.+\/weights\.json$/);
    assert.match(done.logs ?? "", /learned \d+ word pairs/);

    const trained = (await server.client.run(output.version as `${string}/${string}:${string}`, { input: { word: "the", count: 1 } })) as { words: string[]; source: string };
    const base = (await server.client.run(`admin/bigram:${bigram}`, { input: { word: "the", count: 1 } })) as { words: string[]; source: string };
    assert.deepEqual(trained, { words: ["cat"], source: "trained" });
    assert.deepEqual(base, { words: ["wheel"], source: "base" });
    assert.equal((await server.client.models.get("admin", "my-bigram")).latest_version?.id, output.version.split(":")[1]);

    const listed = await server.client.trainings.list();
    assert.ok(listed.results.some((t) => t.id === created.id));
    assert.ok(!(await server.client.predictions.list()).results.some((p) => p.id === created.id), "trainings are not listed as predictions");
    await waitFor(() => received.find((w) => w.id === created.id), { message: () => "the completed webhook" });
    const hook = received.find((w) => w.id === created.id)!;
    assert.equal(hook.status, "succeeded");
    assert.deepEqual((hook.output as { version: string }).version, output.version);
  });

  test("a TypeScript trainer, written with definePredictor, trains a TS model", async () => {
    const version = await pushFixture(server, "ts-trainer", "admin/ts-trainer");
    await server.client.models.create("admin", "ts-trained", { visibility: "private", hardware: "cpu" });
    const created = await server.client.trainings.create("admin", "ts-trainer", version, { destination: "admin/ts-trained", input: { word: "sprocket" } });
    const done = await finished(created.id);
    assert.equal(done.status, "succeeded", String(done.error ?? ""));
    assert.equal(await server.client.run((done.output as { version: string }).version as `${string}/${string}`, { input: {} }), "sprocket");
    assert.equal(await server.client.run(`admin/ts-trainer:${version}`, { input: {} }), "untrained");
  });

  test("a running training is canceled; a crashing one fails with its error and logs, and makes no version", async () => {
    const version = await pushFixture(server, "slow-trainer", "admin/slow-trainer");
    await server.client.models.create("admin", "slow-trained", { visibility: "private", hardware: "cpu" });
    const running = await server.client.trainings.create("admin", "slow-trainer", version, { destination: "admin/slow-trained", input: { seconds: 30 } });
    await waitFor(async () => (await server.client.trainings.get(running.id)).status === "processing", { timeoutMs: 15_000 });
    const canceled = await server.client.trainings.cancel(running.id);
    assert.match(canceled.urls.get, /\/v1\/trainings\//);
    assert.equal((await finished(running.id)).status, "canceled");

    const crashing = await server.client.trainings.create("admin", "slow-trainer", version, { destination: "admin/slow-trained", input: { crash: true } });
    const failed = await finished(crashing.id);
    assert.equal(failed.status, "failed");
    assert.match(String(failed.error), /crashed on purpose/);
    assert.match(failed.logs ?? "", /RuntimeError/);
    assert.equal((await server.client.models.get("admin", "slow-trained")).latest_version, null);
  });

  test("destination and version checks", async () => {
    const create = (body: Record<string, unknown>, version = bigram, model = "admin/bigram") =>
      api(server.url, `/v1/models/${model}/versions/${version}/trainings`, { token: server.token, body: JSON.stringify(body) });
    const missing = await create({ destination: "admin/nowhere", input: { text: "data:text/plain;base64,YQ==" } });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.detail, "The specified training destination does not exist");
    const malformed = await create({ destination: "nope", input: {} });
    assert.equal(malformed.status, 422);
    assert.deepEqual(malformed.body.invalid_fields.map((f: { field: string }) => f.field), ["destination"]);
    const badInput = await create({ destination: "admin/my-bigram", input: { min_count: 0 } });
    assert.equal(badInput.status, 422);

    const bo = await createUserToken(server.dataDir, "bo");
    await api(server.url, "/v1/models", { token: bo, body: JSON.stringify({ owner: "bo", name: "theirs", visibility: "public", hardware: "cpu" }) });
    const foreign = await create({ destination: "bo/theirs", input: { text: "data:text/plain;base64,YQ==" } });
    assert.equal(foreign.status, 422);
    assert.match(foreign.body.invalid_fields[0].description, /belongs to another account/);

    const hello = await pushFixture(server, "echo", "admin/echo");
    const untrainable = await create({ destination: "admin/my-bigram", input: {} }, hello, "admin/echo");
    assert.equal(untrainable.status, 400);
    assert.match(untrainable.body.detail, /has no `train:`/);
    assert.equal(await statusOf(server.client.trainings.get("00000000000000000000000000")), 404);
  });

  test("the CLI trains (sprocket train, @file input uploaded), prints the new version, and lists trainings", async () => {
    await server.client.models.create("admin", "cli-bigram", { visibility: "private", hardware: "cpu" });
    const text = `${tempDir()}/book.txt`;
    writeFileSync(text, "a red fox and a red hen and a red fox");
    const env = { SPROCKET_API_TOKEN: server.token };
    const trained = await cli(["train", `admin/bigram:${bigram}`, "-d", "admin/cli-bigram", "-i", `text=@${text}`, "--server", server.url], { env });
    assert.equal(trained.code, 0, trained.stderr);
    const version = trained.stdout.trim().split("\n").at(-1)!;
    assert.match(version, /^admin\/cli-bigram:[0-9a-f]{64}$/);
    const ran = await cli(["run", version, "-i", "word=red", "-i", "count=1", "--json", "--server", server.url], { env });
    assert.deepEqual(JSON.parse(ran.stdout).output, { words: ["fox"], source: "trained" });
    const listed = await cli(["trainings", "list", "--json", "--server", server.url], { env });
    assert.ok(JSON.parse(listed.stdout).results.some((t: { output?: { version?: string } }) => t.output?.version === version));
    const untrainable = await cli(["train", "admin/echo", "-d", "admin/cli-bigram", "--server", server.url], { env });
    assert.notEqual(untrainable.code, 0);
    assert.match(untrainable.stderr, /cannot be trained/);
  });
});
