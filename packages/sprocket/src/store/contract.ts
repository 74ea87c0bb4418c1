// The behaviour every Store must have. Each implementation's test file calls `storeContract` with
// a factory that returns an empty store.
import assert from "node:assert/strict";
import { test } from "node:test";
import { workerContract } from "./contract-workers.ts";
import type { DeploymentRecord, FileRecord, ModelRecord, PredictionRecord, Store, VersionRecord, WebhookDeliveryRecord } from "./store.ts";

const model = (owner: string, name: string, visibility: "public" | "private" = "private", createdAt = new Date().toISOString()): ModelRecord => ({
  owner,
  name,
  description: null,
  visibility,
  githubUrl: null,
  paperUrl: null,
  licenseUrl: null,
  coverImageUrl: null,
  hardware: "cpu",
  createdAt,
  runCount: 0,
});

const version = (owner: string, name: string, id: string, createdAt: string): VersionRecord => ({
  id,
  owner,
  name,
  createdAt,
  cogVersion: "test",
  openapiSchema: { openapi: "3.0.2" },
  predictor: "predict.ts:Predictor",
  files: { "cog.yaml": "a".repeat(64) },
});

const prediction = (id: string, account: string, createdAt: string, status: PredictionRecord["status"] = "starting"): PredictionRecord => ({
  id,
  account,
  model: "a/m",
  version: "v".repeat(64),
  input: { name: "x" },
  output: null,
  logs: "",
  error: null,
  status,
  source: "api",
  createdAt,
  startedAt: null,
  completedAt: null,
  deadline: null,
  metrics: {},
  webhook: null,
  webhookEventsFilter: null,
  dataRemoved: false,
});

const delivery = (id: string, predictionId: string, event: WebhookDeliveryRecord["event"], createdAt: string): WebhookDeliveryRecord => ({
  id,
  predictionId,
  account: "ada",
  url: "https://example.com/hook",
  event,
  body: `{"id":"${predictionId}"}`,
  state: "pending",
  attempts: 0,
  createdAt,
  nextAttemptAt: createdAt,
  giveUpAt: "2027-01-01T00:00:00.000Z",
});

const file = (id: string, account: string, createdAt: string): FileRecord => ({
  id,
  account,
  name: `${id}.txt`,
  contentType: "text/plain",
  size: 5,
  sha256: "a".repeat(64),
  md5: "b".repeat(32),
  metadata: { customer_reference_id: "123", nested: { n: 1 } },
  createdAt,
  expiresAt: "2026-01-02T00:00:00.000Z",
});

const deployment = (owner: string, name: string, createdAt: string, number = 1): DeploymentRecord => ({
  owner,
  name,
  createdAt,
  release: {
    number,
    model: `${owner}/m`,
    version: "d".repeat(64),
    hardware: "cpu",
    minInstances: 0,
    maxInstances: 2,
    createdAt,
    createdBy: { type: "user", username: owner, name: owner },
  },
});

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

export function storeContract(name: string, make: () => Promise<Store>): void {
  test(`${name}: a token finds its account, an unknown one finds nothing`, async () => {
    const store = await make();
    await store.ensureAccount("ada");
    await store.addToken("hash1", "ada", "cli");
    assert.equal(await store.findTokenAccount("hash1"), "ada");
    assert.equal(await store.findTokenAccount("nope"), null);
    await store.removeTokens("ada", "cli");
    assert.equal(await store.findTokenAccount("hash1"), null);
    await store.close();
  });

  test(`${name}: a model name is taken once, and lists show own and public models only`, async () => {
    const store = await make();
    assert.equal(await store.insertModel(model("ada", "m1", "private", at(1))), true);
    assert.equal(await store.insertModel(model("ada", "m1")), false);
    await store.insertModel(model("bob", "secret", "private", at(2)));
    await store.insertModel(model("bob", "open", "public", at(3)));
    const seen = (await store.listModels("ada", 10)).rows.map((m) => `${m.owner}/${m.name}`);
    assert.deepEqual(seen, ["bob/open", "ada/m1"]);
    await store.close();
  });

  test(`${name}: the same version id may belong to two models and the latest is the newest`, async () => {
    const store = await make();
    const id = "f".repeat(64);
    assert.equal(await store.insertVersion(version("ada", "m", id, at(1))), true);
    assert.equal(await store.insertVersion(version("ada", "m", id, at(1))), false);
    await store.insertVersion(version("bob", "n", id, at(2)));
    await store.insertVersion(version("ada", "m", "e".repeat(64), at(5)));
    assert.equal((await store.findVersionsById(id)).length, 2);
    assert.equal((await store.latestVersion("ada", "m"))?.id, "e".repeat(64));
    assert.equal(await store.countVersions("ada", "m"), 2);
    await store.deleteVersion("ada", "m", id);
    assert.equal(await store.countVersions("ada", "m"), 1);
    await store.close();
  });

  test(`${name}: predictions page newest first per account, with a cursor and date filters`, async () => {
    const store = await make();
    for (let i = 0; i < 5; i++) await store.insertPrediction(prediction(`p${i}`, "ada", at(i)));
    await store.insertPrediction(prediction("other", "bob", at(9)));
    const first = await store.listPredictions({ account: "ada", limit: 3 });
    assert.deepEqual(first.rows.map((p) => p.id), ["p4", "p3", "p2"]);
    assert.equal(first.more, true);
    const last = first.rows[2];
    const second = await store.listPredictions({ account: "ada", limit: 3, after: { createdAt: last.createdAt, id: last.id } });
    assert.deepEqual(second.rows.map((p) => p.id), ["p1", "p0"]);
    assert.equal(second.more, false);
    const window = await store.listPredictions({ account: "ada", limit: 10, createdAfter: at(1), createdBefore: at(3) });
    assert.deepEqual(window.rows.map((p) => p.id), ["p2", "p1"]);
    await store.close();
  });

  test(`${name}: blob ownership is per account`, async () => {
    const store = await make();
    await store.addBlobOwner("ada", "a".repeat(64));
    await store.addBlobOwner("ada", "a".repeat(64));
    assert.deepEqual([...(await store.blobsOwnedBy("ada", ["a".repeat(64), "b".repeat(64)]))], ["a".repeat(64)]);
    assert.equal((await store.blobsOwnedBy("bob", ["a".repeat(64)])).size, 0);
    await store.close();
  });

  test(`${name}: uploaded files are read, listed and deleted by their own account only`, async () => {
    const store = await make();
    for (let i = 0; i < 3; i++) await store.insertFile(file(`f${i}`, "ada", at(i)));
    await store.insertFile(file("theirs", "bob", at(5)));
    assert.deepEqual(await store.getFile("ada", "f1"), file("f1", "ada", at(1)));
    assert.equal(await store.getFile("ada", "theirs"), null);
    const first = await store.listFiles("ada", 2);
    assert.deepEqual([first.rows.map((f) => f.id), first.more], [["f2", "f1"], true]);
    const rest = await store.listFiles("ada", 2, { createdAt: at(1), id: "f1" });
    assert.deepEqual([rest.rows.map((f) => f.id), rest.more], [["f0"], false]);
    assert.equal(await store.deleteFile("ada", "theirs"), false);
    assert.equal(await store.deleteFile("ada", "f1"), true);
    assert.equal(await store.deleteFile("ada", "f1"), false);
    assert.equal(await store.getFile("ada", "f1"), null);
    assert.notEqual(await store.getFile("bob", "theirs"), null);
    await store.close();
  });

  test(`${name}: a prediction update changes only the patched fields and survives a read`, async () => {
    const store = await make();
    await store.insertPrediction(prediction("p", "ada", at(1)));
    await store.updatePrediction("p", { status: "succeeded", output: ["a", 1], metrics: { predict_time: 0.5 }, completedAt: at(2) });
    const row = await store.getPrediction("p");
    assert.equal(row?.status, "succeeded");
    assert.deepEqual(row?.output, ["a", 1]);
    assert.deepEqual(row?.metrics, { predict_time: 0.5 });
    assert.deepEqual(row?.input, { name: "x" });
    assert.deepEqual((await store.predictionsWithStatus(["starting", "processing"])).length, 0);
    await store.close();
  });

  test(`${name}: an account keeps its first webhook secret`, async () => {
    const store = await make();
    await store.ensureAccount("ada");
    assert.equal(await store.ensureWebhookSecret("ada", "whsec_first"), "whsec_first");
    assert.equal(await store.ensureWebhookSecret("ada", "whsec_second"), "whsec_first");
    assert.equal(await store.ensureWebhookSecret("bob", "whsec_bob"), "whsec_bob");
    await store.close();
  });

  test(`${name}: a prediction's change and its webhook messages commit together or not at all`, async () => {
    const store = await make();
    await store.insertPrediction(prediction("p", "ada", at(1)), [delivery("m1", "p", "start", at(1))]);
    await store.updatePrediction("p", { status: "succeeded" }, [delivery("m2", "p", "completed", at(2))]);
    assert.deepEqual((await store.webhookDeliveries("p")).map((d) => d.id), ["m1", "m2"]);
    // A message id used twice fails the whole write: the status change is not kept either.
    await assert.rejects(store.updatePrediction("p", { status: "failed" }, [delivery("m2", "p", "completed", at(3))]));
    assert.equal((await store.getPrediction("p"))?.status, "succeeded");
    await store.close();
  });

  test(`${name}: the webhook outbox: due messages, attempts, superseding and redelivery`, async () => {
    const store = await make();
    await store.insertWebhookDelivery(delivery("out1", "p", "output", at(1)));
    await store.insertWebhookDelivery(delivery("logs1", "p", "logs", at(2)));
    await store.insertWebhookDelivery(delivery("done", "p", "completed", at(3)));
    await store.insertWebhookDelivery(delivery("later", "q", "completed", at(50)));
    assert.deepEqual((await store.dueWebhookDeliveries(at(10), 10)).map((d) => d.id), ["out1", "logs1", "done"]);

    const attempt = { predictionId: "p", attemptedAt: at(4), url: "https://example.com/hook", statusCode: 503, latencyMs: 1.5, error: "HTTP 503" };
    await store.recordWebhookAttempt({ ...attempt, deliveryId: "done", attempt: 1, event: "completed" }, { state: "pending", attempts: 1, nextAttemptAt: at(20) });
    assert.deepEqual((await store.dueWebhookDeliveries(at(10), 10)).map((d) => d.id), ["out1", "logs1"], "a retry is due later");

    const done = (await store.webhookDeliveries("p")).find((d) => d.id === "done")!;
    await store.supersedeWebhookDeliveries(done, ["output", "logs"]);
    assert.deepEqual((await store.dueWebhookDeliveries(at(30), 10)).map((d) => d.id), ["done"], "older progress messages are dropped");
    assert.deepEqual((await store.webhookDeliveries("p")).map((d) => d.state), ["superseded", "superseded", "pending"]);

    // An attempt that was out while its message was superseded leaves it superseded, unless it got through.
    await store.recordWebhookAttempt({ ...attempt, deliveryId: "out1", attempt: 1, event: "output", attemptedAt: at(5) }, { state: "pending", attempts: 1, nextAttemptAt: at(40) });
    assert.equal((await store.webhookDeliveries("p"))[0].state, "superseded");

    await store.recordWebhookAttempt({ ...attempt, deliveryId: "done", attempt: 2, event: "completed", statusCode: 200, error: null, attemptedAt: at(41) }, { state: "delivered", attempts: 2, nextAttemptAt: null });
    assert.equal((await store.dueWebhookDeliveries(at(100), 10)).some((d) => d.id === "done"), false);
    await store.resetWebhookDelivery("done", at(60), at(90));
    const reset = (await store.webhookDeliveries("p")).find((d) => d.id === "done")!;
    assert.deepEqual([reset.state, reset.attempts, reset.nextAttemptAt, reset.giveUpAt], ["pending", 2, at(60), at(90)]);

    // Two processes taking the same due message: one lease lands; a lease on a stale due time does not.
    const leases = await Promise.all([store.leaseWebhookDelivery("done", at(60), at(70)), store.leaseWebhookDelivery("done", at(60), at(70))]);
    assert.equal(leases.filter(Boolean).length, 1);
    assert.equal(await store.leaseWebhookDelivery("done", at(60), at(80)), false);
    assert.equal((await store.dueWebhookDeliveries(at(65), 10)).some((d) => d.id === "done"), false, "leased: not due until the lease ends");

    const log = await store.webhookAttempts("p");
    assert.deepEqual(log.map((a) => [a.deliveryId, a.attempt, a.statusCode]), [["done", 1, 503], ["out1", 1, 503], ["done", 2, 200]]);
    assert.equal(log[0].latencyMs, 1.5);
    await store.close();
  });

  test(`${name}: deployments: a name is taken once per owner, lists are the owner's, newest first`, async () => {
    const store = await make();
    for (let i = 0; i < 3; i++) assert.equal(await store.insertDeployment(deployment("ada", `d${i}`, at(i))), true);
    assert.equal(await store.insertDeployment(deployment("ada", "d1", at(9))), false);
    assert.equal(await store.insertDeployment(deployment("bob", "d1", at(9))), true);
    assert.deepEqual(await store.getDeployment("ada", "d1"), deployment("ada", "d1", at(1)));
    const first = await store.listDeployments("ada", 2);
    assert.deepEqual([first.rows.map((d) => d.name), first.more], [["d2", "d1"], true]);
    const rest = await store.listDeployments("ada", 2, { createdAt: at(1), id: "d1" });
    assert.deepEqual([rest.rows.map((d) => d.name), rest.more], [["d0"], false]);
    assert.equal((await store.allDeployments()).length, 4);
    assert.equal(await store.deleteDeployment("ada", "d0"), true);
    assert.equal(await store.deleteDeployment("ada", "d0"), false);
    assert.equal(await store.getDeployment("ada", "d0"), null);
    await store.close();
  });

  test(`${name}: a deployment release replaces the one numbered just before it, once`, async () => {
    const store = await make();
    await store.insertDeployment(deployment("ada", "d", at(1)));
    const next = { ...deployment("ada", "d", at(2), 2).release, version: "e".repeat(64), minInstances: 1 };
    assert.equal(await store.versionIsDeployed("ada/m", "d".repeat(64)), true);
    assert.equal(await store.replaceDeploymentRelease("ada", "d", next), true);
    assert.equal(await store.replaceDeploymentRelease("ada", "d", next), false, "release 2 exists: a second update to 2 loses");
    assert.deepEqual((await store.getDeployment("ada", "d"))?.release, next);
    assert.equal((await store.getDeployment("ada", "d"))?.createdAt, at(1));
    assert.equal(await store.versionIsDeployed("ada/m", "d".repeat(64)), false);
    assert.equal(await store.versionIsDeployed("ada/m", "e".repeat(64)), true);
    assert.equal(await store.replaceDeploymentRelease("ada", "gone", { ...next, number: 2 }), false);
    await store.close();
  });

  test(`${name}: a prediction keeps the deployment it was made through`, async () => {
    const store = await make();
    await store.insertPrediction({ ...prediction("p", "ada", at(1)), deployment: "ada/d" });
    await store.insertPrediction(prediction("q", "ada", at(2)));
    assert.equal((await store.getPrediction("p"))?.deployment, "ada/d");
    assert.equal((await store.getPrediction("q"))?.deployment ?? null, null);
    await store.close();
  });

  test(`${name}: data retention: expired predictions are found once, then cleared; expired files go`, async () => {
    const store = await make();
    await store.insertPrediction({ ...prediction("old", "ada", at(1), "succeeded"), dataExpiresAt: at(10), retentionSeconds: 5 });
    await store.insertPrediction({ ...prediction("young", "ada", at(2), "succeeded"), dataExpiresAt: at(50) });
    await store.insertPrediction(prediction("kept", "ada", at(3), "succeeded"));
    assert.deepEqual((await store.predictionsWithExpiredData(at(20), 10)).map((p) => p.id), ["old"]);
    assert.equal((await store.getPrediction("old"))?.retentionSeconds, 5);
    await store.updatePrediction("old", { input: {}, output: null, dataRemoved: true, dataExpiresAt: null });
    assert.deepEqual((await store.predictionsWithExpiredData(at(100), 10)).map((p) => p.id), ["young"]);
    const cleared = await store.getPrediction("old");
    assert.deepEqual([cleared?.input, cleared?.dataRemoved, cleared?.dataExpiresAt], [{}, true, null]);

    await store.insertFile({ ...file("f1", "ada", at(1)), expiresAt: at(5) });
    await store.insertFile({ ...file("f2", "ada", at(2)), expiresAt: at(500) });
    assert.equal(await store.deleteExpiredFiles(at(6)), 1);
    assert.equal(await store.getFile("ada", "f1"), null);
    assert.ok(await store.getFile("ada", "f2"));

    await store.insertWebhookDelivery(delivery("m", "old", "completed", at(3)));
    await store.recordWebhookAttempt(
      { deliveryId: "m", predictionId: "old", attempt: 1, attemptedAt: at(4), url: "https://example.com/hook", event: "completed", statusCode: 200, latencyMs: 1, error: null },
      { state: "delivered", attempts: 1, nextAttemptAt: null },
    );
    await store.deleteWebhookData("old");
    assert.deepEqual([await store.webhookDeliveries("old"), await store.webhookAttempts("old")], [[], []]);
    await store.close();
  });

  test(`${name}: scoped tokens: found with their grant and expiry, listed, spent, deleted per account`, async () => {
    const store = await make();
    await store.ensureAccount("ada");
    await store.ensureAccount("bo");
    const grant = { scopes: ["predictions.create"], models: ["ada/m"], deployments: null, rateLimitPerMinute: 5, spendingCapSeconds: 10 };
    const token = { account: "ada", id: "tok_1", name: "browser", grant, createdAt: at(1), expiresAt: at(100), spentSeconds: 0 };
    await store.insertScopedToken("h1", token);
    await store.insertScopedToken("h2", { ...token, id: "tok_2", createdAt: at(2), grant: { ...grant, models: null } });
    assert.deepEqual(await store.findToken("h1"), token);
    await store.addToken("h3", "ada", "cli");
    assert.deepEqual([(await store.findToken("h3"))?.grant, (await store.findToken("h3"))?.id], [null, null]);
    assert.deepEqual((await store.listScopedTokens("ada")).map((t) => t.id), ["tok_2", "tok_1"]);
    await store.addTokenSpend("tok_1", 1.5);
    await store.addTokenSpend("tok_1", 2);
    assert.equal((await store.findToken("h1"))?.spentSeconds, 3.5);
    assert.equal(await store.deleteScopedToken("bo", "tok_1"), false);
    assert.equal(await store.deleteScopedToken("ada", "tok_1"), true);
    assert.equal(await store.findToken("h1"), null);
    await store.close();
  });

  test(`${name}: a scoped token's predictions are listed apart from its account's others`, async () => {
    const store = await make();
    await store.insertPrediction({ ...prediction("p1", "ada", at(1)), tokenId: "tok_1" });
    await store.insertPrediction(prediction("p2", "ada", at(2)));
    assert.equal((await store.getPrediction("p1"))?.tokenId, "tok_1");
    assert.deepEqual((await store.listPredictions({ account: "ada", limit: 10, tokenId: "tok_1" })).rows.map((p) => p.id), ["p1"]);
    assert.equal((await store.listPredictions({ account: "ada", limit: 10 })).rows.length, 2);
    await store.close();
  });

  test(`${name}: an Idempotency-Key is claimed once per account until it expires; a failed request releases it`, async () => {
    const store = await make();
    assert.equal(await store.claimIdempotencyKey("ada", "k", "hash-a", at(10), at(0)), true);
    const again = await store.claimIdempotencyKey("ada", "k", "hash-b", at(11), at(1));
    assert.notEqual(again, true);
    assert.deepEqual(again, { requestHash: "hash-a", predictionId: null, statusCode: null, createdAt: at(10) });
    assert.equal(await store.claimIdempotencyKey("bo", "k", "hash-b", at(11), at(1)), true, "keys are per account");
    await store.completeIdempotencyKey("ada", "k", "p1", 201);
    await store.releaseIdempotencyKey("ada", "k");
    assert.deepEqual(await store.claimIdempotencyKey("ada", "k", "hash-a", at(12), at(2)), { requestHash: "hash-a", predictionId: "p1", statusCode: 201, createdAt: at(10) });
    assert.equal(await store.claimIdempotencyKey("ada", "k", "hash-c", at(50), at(20)), true, "an expired claim is taken over");
    await store.releaseIdempotencyKey("ada", "k");
    assert.equal(await store.claimIdempotencyKey("ada", "k", "hash-d", at(51), at(21)), true, "a released claim is free again");
    assert.equal(await store.deleteIdempotencyKeysBefore(at(51)), 1, "bo's old claim is pruned, ada's new one kept");
    assert.notEqual(await store.claimIdempotencyKey("ada", "k", "hash-e", at(52), at(22)), true);
    await store.close();
  });

  test(`${name}: audit events are listed per account, newest first, in pages`, async () => {
    const store = await make();
    for (let i = 1; i <= 3; i++) await store.addAuditEvent({ account: "ada", at: at(i), action: "token.refused", tokenId: `tok_${i}`, detail: `d${i}`, ip: "127.0.0.1" });
    await store.addAuditEvent({ account: "bo", at: at(4), action: "token.created", tokenId: null, detail: "x", ip: null });
    const first = await store.listAuditEvents("ada", 2);
    assert.deepEqual(first.map((e) => e.detail), ["d3", "d2"]);
    assert.deepEqual((await store.listAuditEvents("ada", 2, first[1].id)).map((e) => e.detail), ["d1"]);
    await store.close();
  });

  test(`${name}: predictions can be listed by status`, async () => {
    const store = await make();
    await store.insertPrediction(prediction("s1", "ada", at(1), "succeeded"));
    await store.insertPrediction(prediction("f1", "ada", at(2), "failed"));
    await store.insertPrediction(prediction("f2", "bo", at(3), "failed"));
    assert.deepEqual((await store.listPredictions({ account: "ada", limit: 10, status: "failed" })).rows.map((p) => p.id), ["f1"]);
    assert.deepEqual((await store.listPredictions({ account: "ada", limit: 10 })).rows.map((p) => p.id), ["f1", "s1"]);
    await store.close();
  });

  workerContract(name, make, prediction, at);
}
