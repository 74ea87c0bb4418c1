import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { newToken } from "../lib/ids.ts";

/** Layout of the data directory. */
export function dataPaths(dataDir: string) {
  const root = path.resolve(dataDir);
  return {
    root,
    database: path.join(root, "sprocket.db"),
    blobs: path.join(root, "blobs"),
    versions: path.join(root, "versions"),
    envs: path.join(root, "envs"),
    outputs: path.join(root, "outputs"),
    adminToken: path.join(root, "admin-token"),
    secret: path.join(root, "secret"),
  };
}

export function ensureDataDir(root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
}

/** Reads a file holding one secret, creating it (readable by the owner only) when missing. */
export function readOrCreateSecret(file: string, make: () => string = () => randomBytes(32).toString("base64url")): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return value;
}

/** The admin token: from SPROCKET_ADMIN_TOKEN when set (and saved), else the saved one, else a new one. */
export function adminTokenFor(file: string, fromEnv: string | null): string {
  if (fromEnv) {
    writeFileSync(file, `${fromEnv}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return fromEnv;
  }
  return readOrCreateSecret(file, newToken);
}
