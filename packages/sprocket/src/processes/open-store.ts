import type { Config } from "../config/index.ts";
import { PostgresStore } from "../store/postgres-store.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { Store } from "../store/store.ts";

/**
 * The store a process runs on: PostgreSQL when SPROCKET_DATABASE_URL is set (connected and
 * migrated here, so an unreachable database stops the start with one line naming it), else the
 * embedded SQLite file in the data directory.
 */
export async function openStore(config: Pick<Config, "databaseUrl">, sqliteFile: string, options: { onError?: (message: string) => void; background?: boolean } = {}): Promise<Store> {
  if (config.databaseUrl) return new PostgresStore(config.databaseUrl).open();
  return new SqliteStore(sqliteFile, { backgroundCheckpoints: options.background ?? false, onError: options.onError });
}
