// The event bus contract against a real Redis (127.0.0.1:6379 on every machine here and in CI;
// SPROCKET_TEST_REDIS_URL to point elsewhere): two buses stand for two processes. Each run uses a
// channel prefix of its own. Without a reachable Redis the suite says that it skipped and why.
import { randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventBusContract } from "./contract.ts";
import { RedisEventBus } from "./redis-event-bus.ts";
import { TEST_REDIS_URL as url, redisReachable } from "../../test/services.ts";

const reachable = await redisReachable(url, "the Redis event bus contract");

describe("RedisEventBus", { skip: !reachable && "no Redis reachable (see the SKIPPED line)" }, () => {
  eventBusContract("RedisEventBus", async () => {
    const prefix = `sprocket-test-${randomBytes(6).toString("hex")}:`;
    const a = new RedisEventBus(url, prefix);
    const b = new RedisEventBus(url, prefix);
    await Promise.all([a.open(), b.open()]);
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });
});

describe("RedisEventBus local-only events", { skip: !reachable && "no Redis reachable (see the SKIPPED line)" }, () => {
  test("an event the composition root keeps local reaches this process's listeners only; others still cross", async () => {
    const prefix = `sprocket-test-${randomBytes(6).toString("hex")}:`;
    const localOnly = (channel: string) => channel === "all";
    const a = new RedisEventBus(url, prefix, undefined, localOnly);
    const b = new RedisEventBus(url, prefix, undefined, localOnly);
    await Promise.all([a.open(), b.open()]);
    const here: string[] = [];
    const there: string[] = [];
    a.subscribe("all", (e) => here.push(e.type));
    for (const channel of ["all", "p1"]) b.subscribe(channel, (e) => there.push(`${channel}:${e.type}`));
    await Promise.all([a.ready(), b.ready()]);
    a.publish("all", { type: "cancel_requested", id: "p1" });
    a.publish("p1", { type: "log", id: "p1", data: "x" });
    const start = Date.now();
    while (there.length < 1 && Date.now() - start < 2000) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(here, ["cancel_requested"]);
    assert.deepEqual(there, ["p1:log"]);
    await Promise.all([a.close(), b.close()]);
  });
});
