// The PostgreSQL and Redis that run on every machine here (and in CI), for the tests that need
// them: whether they answer (a test that cannot reach one prints one SKIPPED line saying why), and
// a database URL confined to a schema of the test's own.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { Redis } from "ioredis";

export const TEST_DATABASE_URL = process.env.SPROCKET_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
export const TEST_REDIS_URL = process.env.SPROCKET_TEST_REDIS_URL || "redis://127.0.0.1:6379";

/** A pool on the test database (for creating schemas and reading rows), and whether it answers. */
export async function testPostgres(what: string, max = 1): Promise<{ admin: pg.Pool; reachable: boolean }> {
  const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max, connectionTimeoutMillis: 3000 });
  admin.on("error", () => {});
  const reachable = await admin.query("SELECT 1").then(
    () => true,
    (error: Error) => {
      console.log(`SKIPPED: ${what} (no PostgreSQL at ${TEST_DATABASE_URL}: ${error.message}); set SPROCKET_TEST_DATABASE_URL`);
      return false;
    },
  );
  return { admin, reachable };
}

/** The test database with `schema` as its search path: what a store under test is given. */
export function schemaUrl(schema: string): string {
  return `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

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

/**
 * What a scale-out test needs: the PostgreSQL pool, whether PostgreSQL and Redis both answer, a
 * schema name and Redis key prefix of the run's own, and the settings that put a server on them.
 */
export async function testScaleOut(what: string, schemaPrefix: string) {
  const { admin, reachable: pgReachable } = await testPostgres(what);
  const reachable = pgReachable && (await redisReachable(TEST_REDIS_URL, what));
  const tag = randomBytes(6).toString("hex");
  const schema = `${schemaPrefix}_${tag}`;
  const env = { SPROCKET_DATABASE_URL: schemaUrl(schema), SPROCKET_REDIS_URL: TEST_REDIS_URL, SPROCKET_REDIS_PREFIX: `sprocket-test-${tag}` };
  return { admin, reachable, tag, schema, env };
}
