import Database from "libsql";
import { startCheckpointer, type Checkpointer } from "./checkpointer.ts";
import { GroupCommit } from "./group-commit.ts";
import type { Row } from "./sql-rows.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.ts";

type Db = InstanceType<typeof Database>;
/** libsql's bundled typings declare one parameter; at run time it takes them spread, like better-sqlite3. */
export interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/**
 * The connection under SqliteStore: WAL with synchronous=NORMAL, migrations applied at open,
 * prepared statements cached by text, prediction writes sharing transactions (group commit), and
 * checkpoints in a worker thread. The tables' SQL lives in the subclasses.
 */
export abstract class SqliteConnection {
  protected readonly db: Db;
  private readonly statements = new Map<string, Statement>();
  /** Prediction writes (the hot path) share transactions; see group-commit.ts. */
  protected readonly batch: GroupCommit;

  private readonly checkpointer?: Checkpointer;

  /**
   * `backgroundCheckpoints`: checkpoint from a worker thread (every 200 ms) instead of inside
   * commits, where its fsync would stall a request now and then; off for `:memory:` and tests.
   */
  constructor(path: string, options: { backgroundCheckpoints?: boolean; onError?: (message: string) => void } = {}) {
    this.db = new Database(path);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
    this.migrate();
    if (options.backgroundCheckpoints && path !== ":memory:") {
      // After a restart of the WAL, truncate it back to 4 MiB so a burst does not keep its disk space.
      this.db.exec("PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 4194304;");
      this.checkpointer = startCheckpointer(path, 200, options.onError ?? (() => {}));
    }
    this.batch = new GroupCommit({
      begin: () => this.db.exec("BEGIN"),
      commit: () => this.db.exec("COMMIT"),
      rollback: () => this.db.exec("ROLLBACK"),
      savepoint: () => this.db.exec("SAVEPOINT atomic_write"),
      release: () => this.db.exec("RELEASE atomic_write"),
      rollbackToSavepoint: () => this.db.exec("ROLLBACK TO atomic_write; RELEASE atomic_write"),
    });
  }

  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
    const applied = new Set((this.db.prepare("SELECT version FROM schema_migrations").all() as Row[]).map((r) => Number(r.version)));
    SQLITE_MIGRATIONS.forEach((sql, index) => {
      if (applied.has(index + 1)) return;
      this.db.exec("BEGIN");
      try {
        this.db.exec(sql);
        this.db.prepare("INSERT INTO schema_migrations (version) VALUES (?)").run(index + 1);
        this.db.exec("COMMIT");
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw error;
      }
    });
  }

  protected sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text) as unknown as Statement;
      this.statements.set(text, statement);
    }
    return statement;
  }

  async close() {
    this.batch.flush();
    await this.checkpointer?.stop();
    this.db.close();
  }
}
