// The event bus contract against a real Redis (127.0.0.1:6379 on every machine here and in CI;
// SPROCKET_TEST_REDIS_URL to point elsewhere): two buses stand for two processes. Each run uses a
// channel prefix of its own. Without a reachable Redis the suite says that it skipped and why.
import { randomBytes } from "node:crypto";
import { describe } from "node:test";
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
