// The job queue contract against BullMQ on a real Redis (127.0.0.1:6379 here and in CI;
// SPROCKET_TEST_REDIS_URL to point elsewhere): two RedisQueues on one queue name stand for two
// processes. Each test gets a queue name of its own, removed after.
import { randomBytes } from "node:crypto";
import { describe } from "node:test";
import { jobQueueContract } from "./contract.ts";
import { RedisQueue } from "./redis-queue.ts";
import { TEST_REDIS_URL, redisReachable } from "../../test/services.ts";

const reachable = await redisReachable(TEST_REDIS_URL, "the Redis (BullMQ) queue contract");

describe("RedisQueue", { skip: !reachable && "no Redis reachable (see the SKIPPED line)" }, () => {
  jobQueueContract("RedisQueue", async () => {
    const name = `sprocket-test-${randomBytes(6).toString("hex")}`;
    const a = new RedisQueue(TEST_REDIS_URL, name);
    const b = new RedisQueue(TEST_REDIS_URL, name);
    await Promise.all([a.open(), b.open()]);
    return {
      a,
      b,
      close: async () => {
        await a.obliterate();
        await Promise.all([a.close(), b.close()]);
      },
    };
  });
});
