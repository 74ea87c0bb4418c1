import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors/index.ts";

const SHA256 = /^[0-9a-f]{64}$/;

/** Content-addressed files on local disk. */
export class BlobStore {
  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  path(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError("bad_request", `"${sha256}" is not a sha256 hex digest`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.path(sha256));
  }

  /** Stores bytes under their digest; refuses bytes whose digest is not the one claimed. */
  put(sha256: string, data: Uint8Array): void {
    const target = this.path(sha256);
    const actual = createHash("sha256").update(data).digest("hex");
    if (actual !== sha256) throw new AppError("bad_request", `content hashes to ${actual}, not ${sha256}`);
    if (existsSync(target)) return;
    mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, target);
  }
}
