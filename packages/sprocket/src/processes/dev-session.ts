import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * What a running `sprocket dev` tells `sprocket predict` about a model directory: which server and
 * deployment keep its latest version warm. Kept in the user's cache directory (not the model's, so it
 * never ends up in a commit or a bundle), one file per directory. It holds no token: `predict`
 * connects with its own flags, environment or `sprocket login`, like every command.
 */
export interface DevSessionRecord {
  dir: string;
  server: string;
  deployment: string;
  /** The version whose instance is warm: `predict` uses it only while the directory still builds to it. */
  version: string;
  pid: number;
}

function sessionFile(cacheDir: string, dir: string): string {
  const key = createHash("sha256").update(path.resolve(dir)).digest("hex").slice(0, 32);
  return path.join(cacheDir, "dev-sessions", `${key}.json`);
}

export function writeDevSession(cacheDir: string | null, record: DevSessionRecord): void {
  if (!cacheDir) return;
  const file = sessionFile(cacheDir, record.dir);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  } catch {
    // Without it, `predict` runs the model itself: slower, never wrong.
  }
}

export function removeDevSession(cacheDir: string | null, dir: string): void {
  if (cacheDir) rmSync(sessionFile(cacheDir, dir), { force: true });
}

/** The dev session of `dir` whose process is still alive, if any (a killed `dev` leaves its file behind). */
export function readDevSession(cacheDir: string | null, dir: string): DevSessionRecord | null {
  if (!cacheDir) return null;
  let record: DevSessionRecord;
  try {
    record = JSON.parse(readFileSync(sessionFile(cacheDir, dir), "utf8")) as DevSessionRecord;
    process.kill(record.pid, 0);
  } catch {
    return null;
  }
  return record.dir === path.resolve(dir) ? record : null;
}
