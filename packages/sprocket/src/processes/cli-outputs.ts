import { existsSync, mkdirSync, renameSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import path from "node:path";
import { extensionOf } from "../lib/media-types.ts";

/**
 * Writes file outputs to `dir` and replaces them in the output with the paths written, so a user
 * gets files on disk, not URLs or base64. `fileOf` says whether a string is a file output and
 * fetches its bytes: a server's output URL, a staged local file, or a data: URI. Never overwrites:
 * `out.png` exists → `out-1.png`.
 */
export async function saveFileOutputs(
  output: unknown,
  dir: string,
  fileOf: (value: string) => Promise<{ name: string; bytes?: Uint8Array; from?: string } | null>,
): Promise<{ output: unknown; written: string[] }> {
  const written: string[] = [];
  const visit = async (value: unknown): Promise<unknown> => {
    if (typeof value === "string") {
      const file = await fileOf(value);
      if (!file) return value;
      mkdirSync(dir, { recursive: true });
      const target = freeName(dir, file.name);
      if (file.from) move(file.from, target);
      else writeFileSync(target, file.bytes ?? new Uint8Array());
      written.push(target);
      return target;
    }
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const item of value) items.push(await visit(item));
      return items;
    }
    if (value && typeof value === "object") {
      const entries: [string, unknown][] = [];
      for (const [key, item] of Object.entries(value)) entries.push([key, await visit(item)]);
      return Object.fromEntries(entries);
    }
    return value;
  };
  return { output: await visit(output), written };
}

/** A data: URI's bytes, named `output.<ext>` as `cog predict` names them. */
export function dataUriFile(value: string): { name: string; bytes: Uint8Array } | null {
  const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(value);
  if (!match) return null;
  const bytes = match[2] ? Buffer.from(match[3], "base64") : Buffer.from(decodeURIComponent(match[3]));
  return { name: `output.${extensionOf(match[1] || "application/octet-stream")}`, bytes };
}

function freeName(dir: string, name: string): string {
  const safe = path.basename(name) || "output";
  const extension = path.extname(safe);
  const stem = safe.slice(0, safe.length - extension.length);
  let candidate = path.join(dir, safe);
  for (let n = 1; existsSync(candidate); n++) candidate = path.join(dir, `${stem}-${n}${extension}`);
  return candidate;
}

function move(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to); // another filesystem
    rmSync(from, { force: true });
  }
}
