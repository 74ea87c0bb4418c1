// urls.stream: server-sent events with the official client's stream(), replay, Last-Event-ID
// resume, several subscribers, and the final events of failed and canceled predictions.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { pushFixture, startServer, waitForPrediction, type TestServer } from "./harness.ts";

interface Event {
  event: string;
  id: string;
  data: string;
}

/** Reads a whole SSE response (until the server closes it) into events. */
async function readStream(url: string, headers: Record<string, string> = {}): Promise<Event[]> {
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.includes("event:"))
    .map((block) => {
      const lines = block.split("\n");
      const field = (name: string) => lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
      return { event: field("event")[0], id: field("id")[0], data: field("data").join("\n") };
    });
}

describe("prediction streams (SSE)", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer({ env: { SPROCKET_CANCEL_GRACE_MS: "500" } });
    await Promise.all([pushFixture(server, "tokens", "admin/tokens"), pushFixture(server, "fails", "admin/fails")]);
  });
  after(() => server?.stop());

  test("replicate.stream yields each token live: the first arrives while the prediction is still running", async () => {
    const seen: { data: string; at: number }[] = [];
    for await (const event of server.client.stream("admin/tokens", { input: { count: 5, pause: 100 } })) {
      if (event.event === "output") seen.push({ data: event.data, at: Date.now() });
    }
    assert.deepEqual(seen.map((e) => e.data), ["w0 ", "w1 ", "w2 ", "w3 ", "w4 "]);
    assert.ok(seen[4].at - seen[0].at >= 300, `items arrived ${seen[4].at - seen[0].at} ms apart, not live`);
  });

  test("a subscriber arriving late gets a replay from the start; Last-Event-ID resumes with no loss and no duplicates", async () => {
    const prediction = await server.client.predictions.create({ model: "admin/tokens", input: { count: 4, pause: 1 } });
    await waitForPrediction(server.client, prediction.id);
    const all = await readStream(prediction.urls!.stream!);
    assert.deepEqual(all.filter((e) => e.event === "output").map((e) => e.data), ["w0 ", "w1 ", "w2 ", "w3 "]);
    assert.match(all.find((e) => e.event === "logs")!.data, /token 0[\s\S]*token 3/);
    assert.equal(all.at(-1)!.event, "done");
    assert.equal(new Set(all.map((e) => e.id)).size, all.length, "every event has its own id");
    const secondOutput = all.filter((e) => e.event === "output")[1];
    const resumed = await readStream(prediction.urls!.stream!, { "last-event-id": secondOutput.id });
    assert.deepEqual(resumed.filter((e) => e.event === "output").map((e) => e.data), ["w2 ", "w3 "]);
    assert.equal(resumed.at(-1)!.event, "done");
  });

  test("two subscribers of a running prediction both get every item, with or without a token", async () => {
    const prediction = await server.client.predictions.create({ model: "admin/tokens", input: { count: 6, pause: 40 } });
    const [a, b] = await Promise.all([
      readStream(prediction.urls!.stream!),
      readStream(prediction.urls!.stream!, { authorization: `Bearer ${server.token}` }),
    ]);
    for (const events of [a, b]) assert.equal(events.filter((e) => e.event === "output").map((e) => e.data).join(""), "w0 w1 w2 w3 w4 w5 ");
  });

  test("a failed prediction's stream ends with error then done; the client's stream() throws", async () => {
    const prediction = await server.client.predictions.create({ model: "admin/fails", input: {} });
    const events = await readStream(prediction.urls!.stream!);
    assert.deepEqual(events.slice(-2).map((e) => e.event), ["error", "done"]);
    assert.match(events.at(-1)!.data, /"reason":"error"/);
    await assert.rejects(async () => {
      for await (const _ of server.client.stream("admin/fails", { input: {} })) {
        // drain
      }
    });
  });

  test("a canceled prediction's stream ends with done and reason canceled", async () => {
    const prediction = await server.client.predictions.create({ model: "admin/tokens", input: { count: 1000, pause: 20 } });
    const reading = readStream(prediction.urls!.stream!);
    await waitForPrediction(server.client, prediction.id, (p) => Array.isArray(p.output) && p.output.length > 0);
    await server.client.predictions.cancel(prediction.id);
    const events = await reading;
    assert.equal(events.at(-1)!.event, "done");
    assert.match(events.at(-1)!.data, /"reason":"canceled"/);
  });

  test("a stream URL with a wrong signature is a 404", async () => {
    const prediction = await server.client.predictions.create({ model: "admin/tokens", input: { count: 1, pause: 1 } });
    const forged = prediction.urls!.stream!.replace(/sig=[^&]+/, "sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert.equal((await fetch(forged)).status, 404);
  });
});
