import { TokenService } from "../accounts/token-service.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { dataPaths, ensureDataDir } from "./data-dir.ts";

/** `sprocket token create`: writes straight to the data directory's database. */
export async function createTokenInDataDir(dataDir: string, username: string): Promise<string> {
  const paths = dataPaths(dataDir);
  ensureDataDir(paths.root);
  const store = new SqliteStore(paths.database);
  try {
    return await new TokenService(store).createToken(username);
  } finally {
    await store.close();
  }
}
