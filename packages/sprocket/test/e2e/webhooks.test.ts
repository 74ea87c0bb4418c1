// Webhooks end to end, with real HTTP receivers on loopback (the server runs with
// SPROCKET_ALLOW_PRIVATE_URLS=true): filters, throttling, signatures checked with the official
// client's validateWebhook, retries while the receiver is down, a restart in the middle of
// retrying, the attempt log, redelivery, and the refusals.
import assert from "node:assert/strict";
import { lookup } from "node:dns/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { after, before, describe, test } from "node:test";
import { validateWebhook } from "replicate";
import { isPrivateAddress } from "../../src/lib/private-addresses.ts";
import { api, pushFixture, startServer, waitFor, waitForPrediction, type TestServer } from "./harness.ts";

interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  url: string;
  at: number;
}

/**
 * A receiver on a loopback port. `answer` picks the status of each request (default 200); one that
 * returns null holds the request open until the receiver closes.
 */
class Receiver {
  readonly received: Received[] = [];
  answer: (request: Received, index: number) => number | null = () => 200;
  private server?: http.Server;
  private held: http.ServerResponse[] = [];

  constructor(public port = 0) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const got: Received = {
          id: String(req.headers["webhook-id"]),
          timestamp: String(req.headers["webhook-timestamp"]),
          signature: String(req.headers["webhook-signature"]),
          body,
          url: req.url ?? "",
          at: Date.now(),
        };
        this.received.push(got);
        const status = this.answer(got, this.received.length - 1);
        if (status === null) this.held.push(res);
        else res.writeHead(status).end(status >= 400 ? "not now" : "ok");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  url(path = "/hook"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Parsed bodies of what arrived for one prediction. */
  bodiesFor(predictionId: string): any[] {
    return this.received.map((r) => JSON.parse(r.body)).filter((b) => b.id === predictionId);
  }
}

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = await new Receiver().start();
  await probe.stop();
  return probe.port;
}

describe("webhooks", () => {
  let server: TestServer;
  let receiver: Receiver;
  let secret: string;
  const receivers: Receiver[] = [];

  const webhookLog = async (id: string) => {
    const response = await api(server.url, `/v1/predictions/${id}/webhooks`, { token: server.token });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body as { deliveries: any[]; results: any[]; webhook: string };
  };
  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    api(server.url, "/v1/models/admin/tokens/predictions", { token: server.token, body: JSON.stringify(body), headers });
  const signatureValid = (r: Received) => validateWebhook({ id: r.id, timestamp: r.timestamp, signature: r.signature, body: r.body, secret });
  const newReceiver = async (port = 0) => {
    const made = await new Receiver(port).start();
    receivers.push(made);
    return made;
  };

  before(async () => {
    server = await startServer({ env: { SPROCKET_ALLOW_PRIVATE_URLS: "true", SPROCKET_CANCEL_GRACE_MS: "500" } });
    await Promise.all([pushFixture(server, "tokens", "admin/tokens"), pushFixture(server, "fails", "admin/fails"), pushFixture(server, "slow", "admin/slow")]);
    receiver = await newReceiver();
    secret = (await server.client.webhooks.default.secret.get()).key;
  });
  after(async () => {
    await server?.stop();
    await Promise.all(receivers.map((r) => r.stop()));
  });

  test("the account secret has Replicate's shape and stays the same", async () => {
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    assert.equal((await server.client.webhooks.default.secret.get()).key, secret);
  });

  test("with no filter, start, progress and completed arrive, each signed so validateWebhook accepts it", async () => {
    const prediction = await server.client.predictions.create({
      model: "admin/tokens",
      input: { count: 6, pause: 100 },
      webhook: receiver.url("/hook?job=42"),
    });
    await waitFor(() => receiver.bodiesFor(prediction.id).some((b) => b.status === "succeeded"), { message: "the completed webhook" });
    const mine = receiver.received.filter((r) => JSON.parse(r.body).id === prediction.id);
    for (const r of mine) assert.equal(await signatureValid(r), true, `signature of ${r.id}`);
    assert.ok(mine.every((r) => r.url === "/hook?job=42"), "the query string is kept");
    const bodies = mine.map((r) => JSON.parse(r.body));
    assert.equal(bodies[0].status, "processing", "the first message is start");
    const final = bodies.at(-1);
    assert.deepEqual(final.output, ["w0 ", "w1 ", "w2 ", "w3 ", "w4 ", "w5 "]);
    assert.deepEqual(final, JSON.parse(JSON.stringify(await server.client.predictions.get(prediction.id))), "the body is the prediction as GET shows it");
    const log = await webhookLog(prediction.id);
    const events = new Set(log.deliveries.map((d) => d.event));
    assert.ok(events.has("start") && events.has("completed") && (events.has("output") || events.has("logs")), [...events].join());
    assert.equal(new Set(mine.map((r) => r.id)).size, mine.length, "each message has its own webhook-id");
  });

  for (const filter of [["completed"], ["start", "completed"], ["output"], ["logs"], ["start", "output", "logs", "completed"]]) {
    test(`webhook_events_filter ${JSON.stringify(filter)}: only those events are sent`, async () => {
      const prediction = await server.client.predictions.create({
        model: "admin/tokens",
        input: { count: 4, pause: 150 },
        webhook: receiver.url(),
        webhook_events_filter: filter as any,
      });
      await waitForPrediction(server.client, prediction.id);
      const log = await waitFor(async () => {
        const got = await webhookLog(prediction.id);
        return got.deliveries.length > 0 && got.deliveries.every((d) => d.state !== "pending") ? got : null;
      }, { message: "every delivery to settle" });
      const events = new Set(log.deliveries.map((d) => d.event));
      for (const event of events) assert.ok(filter.includes(event), `${event} was sent though the filter is ${filter}`);
      for (const event of ["start", "completed"]) assert.equal(events.has(event), filter.includes(event), `${event} with filter ${filter}`);
      if (filter.includes("output")) assert.ok(events.has("output"), "an output message");
      if (filter.includes("logs")) assert.ok(events.has("logs") || events.has("output"), "a progress message");
      const bodies = receiver.bodiesFor(prediction.id);
      assert.equal(bodies.some((b) => b.status === "succeeded"), filter.includes("completed"));
    });
  }

  test("output messages are throttled to one per 500 ms, each carrying all output so far", async () => {
    const prediction = await server.client.predictions.create({
      model: "admin/tokens",
      input: { count: 30, pause: 50 },
      webhook: receiver.url(),
      webhook_events_filter: ["output"],
    });
    await waitForPrediction(server.client, prediction.id);
    await waitFor(async () => (await webhookLog(prediction.id)).deliveries.every((d) => d.state !== "pending"), { message: "deliveries to settle" });
    const mine = receiver.received.filter((r) => JSON.parse(r.body).id === prediction.id);
    // 30 items over about 1.5 s: at most one message per 500 ms window (plus the leading one).
    assert.ok(mine.length >= 2 && mine.length <= 5, `${mine.length} output messages for 30 items`);
    for (let i = 1; i < mine.length; i++) {
      assert.ok(mine[i].at - mine[i - 1].at >= 400, `messages ${i - 1} and ${i} arrived ${mine[i].at - mine[i - 1].at} ms apart`);
      assert.ok(JSON.parse(mine[i].body).output.length >= JSON.parse(mine[i - 1].body).output.length, "output only grows");
    }
  });

  test("failed and canceled predictions send completed with their final status", async () => {
    const failed = await server.client.predictions.create({ model: "admin/fails", input: {}, webhook: receiver.url(), webhook_events_filter: ["completed"] });
    const slow = await server.client.predictions.create({ model: "admin/slow", input: { ms: 20_000 }, webhook: receiver.url(), webhook_events_filter: ["completed"] });
    await waitForPrediction(server.client, slow.id, (p) => p.status === "processing");
    await server.client.predictions.cancel(slow.id);
    await waitFor(() => receiver.bodiesFor(failed.id).length > 0 && receiver.bodiesFor(slow.id).length > 0, { message: "both completed webhooks" });
    const failedBody = receiver.bodiesFor(failed.id)[0];
    assert.equal(failedBody.status, "failed");
    assert.match(failedBody.error, /always throws/);
    assert.equal(receiver.bodiesFor(slow.id)[0].status, "canceled");
  });

  test("a receiver answering 500 then 200: retried under the same webhook-id, each try re-signed and logged", async () => {
    const flaky = await newReceiver();
    flaky.answer = (_r, index) => (index < 2 ? 500 : 200);
    const prediction = await server.client.predictions.create({
      model: "admin/tokens",
      input: { count: 1, pause: 0 },
      webhook: flaky.url(),
      webhook_events_filter: ["completed"],
    });
    await waitFor(() => flaky.received.length >= 3, { timeoutMs: 15_000, message: "the third attempt" });
    assert.equal(new Set(flaky.received.map((r) => r.id)).size, 1, "one webhook-id for every retry");
    for (const r of flaky.received) assert.equal(await signatureValid(r), true);
    const log = await waitFor(async () => {
      const got = await webhookLog(prediction.id);
      return got.deliveries[0]?.state === "delivered" ? got : null;
    }, { message: "the delivery to be marked delivered" });
    assert.deepEqual(log.results.map((a) => [a.attempt, a.status]), [[1, 500], [2, 500], [3, 200]]);
    assert.ok(log.results.every((a) => a.webhook_id === flaky.received[0].id && a.event === "completed" && a.url === flaky.url() && typeof a.latency_ms === "number"));
    assert.match(log.results[0].error, /HTTP 500/);
    assert.equal(log.results[2].error, null);
  });

  test("a receiver that is down for a while still gets the final webhook once it is up; a 4xx is not retried", async () => {
    const port = await freePort();
    const prediction = await server.client.predictions.create({
      model: "admin/tokens",
      input: { count: 1, pause: 0 },
      webhook: `http://127.0.0.1:${port}/hook`,
      webhook_events_filter: ["completed"],
    });
    await waitFor(async () => (await webhookLog(prediction.id)).results.length >= 1, { message: "the first, failed attempt" });
    const late = await newReceiver(port);
    await waitFor(() => late.bodiesFor(prediction.id).length > 0, { timeoutMs: 15_000, message: "delivery after the receiver came up" });
    const log = await waitFor(async () => {
      const got = await webhookLog(prediction.id);
      return got.deliveries[0].state === "delivered" ? got : null;
    }, { message: "delivered state" });
    assert.equal(log.results[0].status, null, "no answer at first");
    assert.match(log.results[0].error, /ECONNREFUSED/);
    assert.equal(log.results.at(-1).status, 200);

    const refusing = await newReceiver();
    refusing.answer = () => 410;
    const gone = await server.client.predictions.create({ model: "admin/tokens", input: { count: 1 }, webhook: refusing.url(), webhook_events_filter: ["completed"] });
    const goneLog = await waitFor(async () => {
      const got = await webhookLog(gone.id);
      return got.deliveries[0]?.state === "failed" ? got : null;
    }, { message: "the 410 delivery to fail" });
    assert.equal(goneLog.results.length, 1);
    assert.equal(refusing.received.length, 1);
  });

  test("a receiver that never answers does not slow the prediction", async () => {
    const stuck = await newReceiver();
    stuck.answer = () => null;
    const response = await create({ input: { count: 2, pause: 0 }, webhook: stuck.url() }, { prefer: "wait=30" });
    assert.equal(response.status, 201);
    assert.equal(response.body.status, "succeeded");
    await waitFor(() => stuck.received.length > 0, { message: "the first webhook to reach the stuck receiver" });
    const log = await webhookLog(response.body.id);
    assert.ok(log.deliveries.some((d) => d.state === "pending"), "its deliveries are still out");
  });

  test("redeliver sends the final webhook again under its webhook-id; it needs a finished prediction with a webhook", async () => {
    const hook = await newReceiver();
    const prediction = await server.client.predictions.create({ model: "admin/tokens", input: { count: 1 }, webhook: hook.url(), webhook_events_filter: ["completed"] });
    await waitFor(() => hook.received.length === 1, { message: "the completed webhook" });
    const again = await api(server.url, `/v1/predictions/${prediction.id}/webhooks/redeliver`, { method: "POST", token: server.token });
    assert.equal(again.status, 202);
    assert.equal(again.body.webhook_id, hook.received[0].id);
    await waitFor(() => hook.received.length === 2, { message: "the redelivery" });
    assert.equal(hook.received[1].id, hook.received[0].id);
    assert.equal(await signatureValid(hook.received[1]), true);
    const log = await waitFor(async () => {
      const got = await webhookLog(prediction.id);
      return got.results.length === 2 ? got : null;
    }, { message: "two attempts in the log" });
    assert.deepEqual(log.results.map((a) => a.attempt), [1, 2]);

    const plain = await server.client.predictions.create({ model: "admin/tokens", input: { count: 1 } });
    await waitForPrediction(server.client, plain.id);
    const noHook = await api(server.url, `/v1/predictions/${plain.id}/webhooks/redeliver`, { method: "POST", token: server.token });
    assert.equal(noHook.status, 409);
    const running = await server.client.predictions.create({ model: "admin/slow", input: { ms: 10_000 }, webhook: hook.url() });
    const early = await api(server.url, `/v1/predictions/${running.id}/webhooks/redeliver`, { method: "POST", token: server.token });
    assert.equal(early.status, 409);
    assert.match(early.body.detail, /finished/);
    await server.client.predictions.cancel(running.id);
    const missing = await api(server.url, `/v1/predictions/nope/webhooks`, { token: server.token });
    assert.equal(missing.status, 404);
  });

  test("a bad webhook URL or event name is a 422 naming the field", async () => {
    for (const [body, field] of [
      [{ input: {}, webhook: "not a url" }, "webhook"],
      [{ input: {}, webhook: "ftp://example.com/hook" }, "webhook"],
      [{ input: {}, webhook: receiver.url(), webhook_events_filter: ["finished"] }, "webhook_events_filter"],
      [{ input: {}, webhook: receiver.url(), webhook_events_filter: "completed" }, "webhook_events_filter"],
    ] as const) {
      const response = await create(body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.ok(response.body.invalid_fields?.some((f: { field: string }) => f.field === field), JSON.stringify(response.body));
    }
  });
});

describe("webhooks across a restart, and SSRF refusal", () => {
  test("a final webhook still being retried when the server stops is delivered after it starts again", async () => {
    const port = await freePort();
    let server = await startServer({ env: { SPROCKET_ALLOW_PRIVATE_URLS: "true" } });
    let receiver: Receiver | undefined;
    try {
      await pushFixture(server, "tokens", "admin/tokens");
      const prediction = await server.client.predictions.create({
        model: "admin/tokens",
        input: { count: 2, pause: 0 },
        webhook: `http://127.0.0.1:${port}/hook`,
        webhook_events_filter: ["completed"],
      });
      const first = await waitFor(async () => {
        const got = await api(server.url, `/v1/predictions/${prediction.id}/webhooks`, { token: server.token });
        return got.body.results.length >= 1 ? got.body : null;
      }, { message: "a failed attempt before the restart" });
      assert.equal(first.deliveries[0].state, "pending");
      await server.stop();
      receiver = await new Receiver(port).start();
      server = await server.restart();
      await waitFor(() => receiver!.bodiesFor(prediction.id).length > 0, { timeoutMs: 15_000, message: "delivery after the restart" });
      const got = receiver.received[0];
      assert.equal(got.id, first.deliveries[0].webhook_id, "the same webhook-id as before the restart");
      const secret = (await server.client.webhooks.default.secret.get()).key;
      assert.equal(await validateWebhook({ id: got.id, timestamp: got.timestamp, signature: got.signature, body: got.body, secret }), true);
      assert.equal(JSON.parse(got.body).status, "succeeded");
      const log = await waitFor(async () => {
        const after = await api(server.url, `/v1/predictions/${prediction.id}/webhooks`, { token: server.token });
        return after.body.deliveries[0].state === "delivered" ? after.body : null;
      }, { message: "the delivered state" });
      assert.equal(log.results.at(-1).status, 200);
      assert.equal(log.results[0].status, null);
    } finally {
      await server.stop();
      await receiver?.stop();
    }
  });

  test("without SPROCKET_ALLOW_PRIVATE_URLS, webhooks to private addresses are refused", async (t) => {
    const server = await startServer();
    try {
      await pushFixture(server, "tokens", "admin/tokens");
      for (const webhook of ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook", "http://169.254.169.254/latest", "http://10.1.2.3/x"]) {
        const response = await api(server.url, "/v1/models/admin/tokens/predictions", { token: server.token, body: JSON.stringify({ input: {}, webhook }) });
        assert.equal(response.status, 422, webhook);
        assert.ok(response.body.invalid_fields.some((f: { field: string; description: string }) => f.field === "webhook" && /private/.test(f.description)));
      }
      // A name that resolves to a private address passes the request check and is refused when
      // sent (after DNS): this machine's own name, where it resolves to one.
      const name = hostname();
      const address = await lookup(name).then((a) => a.address, () => null);
      if (!address || !isPrivateAddress(address)) {
        t.skip(`this machine's name (${name}) does not resolve to a private address`);
        return;
      }
      const prediction = await server.client.predictions.create({ model: "admin/tokens", input: { count: 1 }, webhook: `http://${name}:9/hook`, webhook_events_filter: ["completed"] });
      const log = await waitFor(async () => {
        const got = await api(server.url, `/v1/predictions/${prediction.id}/webhooks`, { token: server.token });
        return got.body.deliveries[0]?.state === "failed" ? got.body : null;
      }, { message: "the delivery to fail" });
      assert.equal(log.results.length, 1, "not retried");
      assert.equal(log.results[0].status, null);
      assert.match(log.results[0].error, /private address/);
    } finally {
      await server.stop();
    }
  });
});
