import { TokenService } from "../accounts/token-service.ts";
import { loadConfig } from "../config/index.ts";
import { openStore } from "./open-store.ts";
import { dataPaths, ensureDataDir } from "./data-dir.ts";

/** `sprocket token create`: writes straight to the data directory's database. */
export async function createTokenInDataDir(dataDir: string, username: string): Promise<string> {
  const paths = dataPaths(dataDir);
  ensureDataDir(paths.root);
  const store = await openStore(loadConfig({ env: process.env }), paths.database);
  try {
    return await new TokenService(store).createToken(username);
  } finally {
    await store.close();
  }
}
