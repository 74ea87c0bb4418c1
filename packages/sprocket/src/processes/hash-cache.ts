import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";

/** Smaller files are hashed every time: reading them costs less than keeping their entries. */
const CACHED_FROM_BYTES = 1024 * 1024;
const CHUNK_BYTES = 8 * 1024 * 1024;

interface Entry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  sha256: string;
}

/**
 * sha256 of files, remembered by path + size + mtime/ctime + inode in the user's cache directory,
 * so an unchanged multi-gigabyte weight file is read once, not on every build, push and dev
 * rebuild. Any change to the file changes one of those, and the file is hashed again.
 */
export class HashCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;
  /** Bytes actually read and hashed since this cache was opened (what a rebuild costs). */
  hashedBytes = 0;

  constructor(private readonly file: string | null) {
    if (!file) return;
    try {
      this.entries = JSON.parse(readFileSync(file, "utf8")) as Record<string, Entry>;
    } catch {
      // missing or unreadable: start empty (it is only a cache)
    }
  }

  static inDir(dir: string | null): HashCache {
    return new HashCache(dir ? path.join(dir, "file-hashes.json") : null);
  }

  hash(absolute: string, stat: Stats): string {
    const cached = this.entries[absolute];
    if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs && cached.ctimeMs === stat.ctimeMs && cached.ino === stat.ino) {
      return cached.sha256;
    }
    const sha256 = hashFile(absolute, stat.size);
    this.hashedBytes += stat.size;
    if (stat.size >= CACHED_FROM_BYTES) {
      this.entries[absolute] = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, sha256 };
      this.dirty = true;
    }
    return sha256;
  }

  /** Writes the cache (atomically: a concurrent build never reads half a file). */
  save(): void {
    if (!this.file || !this.dirty) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.entries));
    renameSync(temporary, this.file);
    this.dirty = false;
  }
}

/** Reads in chunks: a weight file never has to fit in memory to be hashed. */
function hashFile(file: string, size: number): string {
  const hash = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(size, 1)));
    for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}
