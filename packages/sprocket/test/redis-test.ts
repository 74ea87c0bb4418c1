// Whether the Redis that runs on every machine here (and in CI) answers; tests that need it print
// one SKIPPED line saying why when it does not.
import { Redis } from "ioredis";

export const TEST_REDIS_URL = process.env.SPROCKET_TEST_REDIS_URL || "redis://127.0.0.1:6379";

export async function redisReachable(url: string, what: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch (error) {
    console.log(`SKIPPED: ${what} (no Redis at ${url}: ${(error as Error).message}); set SPROCKET_TEST_REDIS_URL`);
    return false;
  } finally {
    probe.disconnect();
  }
}
