import pg from "pg";
import { AppError } from "../errors/index.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.ts";
import type { Row } from "./sql-rows.ts";

/**
 * The embedded store's migrations, in PostgreSQL's dialect: one list of migrations for both
 * stores, so the schemas cannot drift. Only the dialect differs (no WITHOUT ROWID; 64-bit integers,
 * since pg hands BIGINT back as strings and the row mappers read numbers with Number(); doubles).
 */
export const POSTGRES_MIGRATIONS = SQLITE_MIGRATIONS.map((sql) =>
  sql
    .replace(/\)\s*WITHOUT ROWID;/g, ");")
    .replace(/INTEGER PRIMARY KEY AUTOINCREMENT/g, "BIGSERIAL PRIMARY KEY")
    .replace(/\bINTEGER\b/g, "BIGINT")
    .replace(/\bREAL\b/g, "DOUBLE PRECISION"),
);

/** Connection failures (refused, reset, the server shutting down): the API answers 503 and recovers when it is back. */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "57P01", "57P02", "57P03", "08000", "08003", "08006"]);

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable SPROCKET_DATABASE_URL)";
  }
}

type Queryable = Pick<pg.PoolClient, "query">;

/**
 * The pool under PostgresStore: `?` placeholders (the SQLite store's) become `$n`, connection
 * failures become AppError("unavailable") (503), and `transaction` runs statements on one client
 * between BEGIN and COMMIT. Migrations run at open under an advisory lock, so API replicas starting
 * together apply each once.
 */
export abstract class PostgresConnection {
  protected readonly pool: pg.Pool;

  constructor(protected readonly url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client that loses its connection must not crash the process; the next query reports it.
    this.pool.on("error", () => {});
  }

  /** Connects and migrates; an unreachable database is one clear error naming it. */
  async open(): Promise<this> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      await this.pool.end().catch(() => {});
      throw new AppError("unavailable", `cannot reach PostgreSQL at ${redactUrl(this.url)} (SPROCKET_DATABASE_URL): ${(error as Error).message || (error as { code?: string }).code}`);
    }
    try {
      await client.query("SELECT pg_advisory_lock(hashtext('sprocket-migrations'))");
      await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)");
      const applied = new Set((await client.query("SELECT version FROM schema_migrations")).rows.map((r) => Number(r.version)));
      for (const [index, sql] of POSTGRES_MIGRATIONS.entries()) {
        if (applied.has(index + 1)) continue;
        await client.query("BEGIN");
        try {
          await client.query(sql);
          await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [index + 1]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('sprocket-migrations'))").catch(() => {});
      client.release();
    }
    return this;
  }

  /** Runs one statement (`?` placeholders); rows and the number of rows it changed. */
  protected async q(text: string, params: unknown[] = [], on: Queryable = this.pool): Promise<{ rows: Row[]; changes: number }> {
    let n = 0;
    const sql = text.replace(/\?/g, () => `$${++n}`);
    try {
      const result = await on.query(sql, params);
      return { rows: result.rows as Row[], changes: result.rowCount ?? 0 };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && CONNECTION_CODES.has(code)) throw new AppError("unavailable", "The database is unreachable; retry shortly.", { cause: error });
      throw error;
    }
  }

  protected async one(text: string, params: unknown[] = []): Promise<Row | undefined> {
    return (await this.q(text, params)).rows[0];
  }

  /** Statements that commit together or not at all. */
  protected async transaction<T>(work: (run: (text: string, params?: unknown[]) => Promise<{ rows: Row[]; changes: number }>) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new AppError("unavailable", "The database is unreachable; retry shortly.", { cause: error });
    }
    try {
      await client.query("BEGIN");
      const result = await work((text, params = []) => this.q(text, params, client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
