import { createHash, randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { AppError } from "../errors/index.ts";
import type { BlobStore } from "../files/blob-store.ts";

/** A bundle: every file of a model directory, by relative POSIX path → sha256 of its bytes. */
export type Manifest = Record<string, string>;

/** Never part of a bundle: dependencies, VCS data, Sprocket's own data, caches. */
const ALWAYS_IGNORED = new Set(["node_modules", ".git", ".sprocket", "__pycache__", ".DS_Store", ".venv"]);
const IGNORE_FILES = [".sprocketignore", ".dockerignore"];

/** The version id: sha256 of the manifest in a canonical form (sorted by path). */
export function versionIdOf(manifest: Manifest): string {
  const entries = Object.keys(manifest)
    .sort()
    .map((file) => [file, manifest[file]]);
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex");
}

export interface CollectedBundle {
  manifest: Manifest;
  /** sha256 → absolute path of a file with that content. */
  sources: Map<string, string>;
}

/** How a file's sha256 is found; the CLI passes one that remembers big files (processes/hash-cache.ts). */
export type FileHasher = (absolute: string, stat: Stats) => string;
const hashWhole: FileHasher = (absolute) => createHash("sha256").update(readFileSync(absolute)).digest("hex");

/** The names of the files whose globs leave paths out of a bundle (`sprocket dev` reloads on their change). */
export const BUNDLE_IGNORE_FILES: readonly string[] = IGNORE_FILES;

/**
 * Whether a relative POSIX path is left out of the bundle by the directory's ignore files (one glob
 * per line). Exported so `sprocket dev` ignores exactly what a build ignores, and no more.
 */
export function ignoreMatcher(root: string): (relative: string) => boolean {
  const patterns = IGNORE_FILES.flatMap((name) => {
    const file = path.join(root, name);
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .map((line) => line.trim().replace(/^\/+|\/+$/g, ""))
      .filter((line) => line && !line.startsWith("#") && !line.startsWith("!"));
  });
  return (relative) =>
    relative.split("/").some((segment) => ALWAYS_IGNORED.has(segment)) ||
    patterns.some((pattern) => path.matchesGlob(relative, pattern) || path.matchesGlob(path.posix.basename(relative), pattern));
}

/** Walks a model directory, honouring .sprocketignore / .dockerignore (one glob per line). */
export function collectDirectory(dir: string, hash: FileHasher = hashWhole): CollectedBundle {
  const root = path.resolve(dir);
  if (!existsSync(path.join(root, "cog.yaml"))) {
    throw new AppError("bundle_invalid", `${root} has no cog.yaml`);
  }
  const ignored = ignoreMatcher(root);
  const manifest: Manifest = {};
  const sources = new Map<string, string>();
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(path.join(root, relativeDir), { withFileTypes: true })) {
      if (ALWAYS_IGNORED.has(entry.name)) continue;
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (ignored(relative)) continue;
      const absolute = path.join(root, relative);
      if (entry.isDirectory()) walk(relative);
      else if (entry.isFile()) {
        const sha = hash(absolute, statSync(absolute));
        manifest[relative] = sha;
        sources.set(sha, absolute);
      }
    }
  };
  walk("");
  return { manifest, sources };
}

/** Checks a manifest received over the wire: relative paths inside the bundle, sha256 digests. */
export function validateManifest(manifest: unknown): Manifest {
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    throw new AppError("bundle_invalid", "files must be an object mapping each relative path to the sha256 of its content");
  }
  const entries = Object.entries(manifest as Record<string, unknown>);
  if (entries.length === 0) throw new AppError("bundle_invalid", "the bundle has no files");
  for (const [file, sha] of entries) {
    const normal = path.posix.normalize(file);
    const bad = normal !== file || file.startsWith("/") || file.startsWith("..") || file.includes("\\") || file === "." || file.endsWith("/");
    if (bad) {
      throw new AppError("bundle_invalid", `bundle path "${file}" must be a normalised relative path inside the bundle`);
    }
    if (typeof sha !== "string" || !/^[0-9a-f]{64}$/.test(sha)) {
      throw new AppError("bundle_invalid", `bundle file "${file}" needs a sha256 hex digest, got ${JSON.stringify(sha)}`);
    }
  }
  // A path cannot be both a file and a directory ("a" and "a/b").
  const files = new Set(entries.map(([file]) => file));
  for (const [file] of entries) {
    for (let slash = file.indexOf("/"); slash !== -1; slash = file.indexOf("/", slash + 1)) {
      if (files.has(file.slice(0, slash))) {
        throw new AppError("bundle_invalid", `bundle path "${file.slice(0, slash)}" is a file, so "${file}" cannot be inside it`);
      }
    }
  }
  if (!("cog.yaml" in (manifest as object))) throw new AppError("bundle_invalid", "the bundle has no cog.yaml at its root");
  return manifest as Manifest;
}

/** Writes a version's files to `target` once (to a temporary directory, then renamed). */
export async function materialize(target: string, manifest: Manifest, blobs: Pick<BlobStore, "localPath">): Promise<void> {
  if (existsSync(target)) return;
  const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    for (const [file, sha] of Object.entries(manifest)) {
      const destination = path.join(temporary, file);
      mkdirSync(path.dirname(destination), { recursive: true });
      placeFile(await blobs.localPath(sha), destination);
    }
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (existsSync(target) && statSync(target).isDirectory()) return; // another request won the race
    throw error;
  }
}

/** Files this size and up are hard-linked from the blob store instead of copied. */
const LINK_FROM_BYTES = 1024 * 1024;

/**
 * A version's file from its blob. Big files (weights) are hard links: copying a 1 GB blob for
 * every pushed version costs a second and a gigabyte of disk per push, and a one-line code change
 * must not. The shared inode is made read-only, so a model that opens its weights for writing gets
 * EACCES instead of silently changing the blob every version shares. Small files are copied (a
 * model may rewrite its own config files at setup; they cost nothing to copy). Where the blob store
 * is on another filesystem, or links are refused, the file is copied as before.
 */
function placeFile(blob: string, destination: string): void {
  if (statSync(blob).size >= LINK_FROM_BYTES) {
    try {
      chmodSync(blob, 0o444);
      linkSync(blob, destination);
      return;
    } catch {
      // EXDEV (another filesystem), EPERM (no links here), a read-only store: copy instead.
    }
  }
  copyFileSync(blob, destination);
}
