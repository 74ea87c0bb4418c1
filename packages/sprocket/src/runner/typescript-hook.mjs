// TypeScript for model files, without tsx in the model's process. Registered after resolve-hook.mjs
// (see load-predictor.ts), so it runs first for every module the model loads.
//
// Why not tsx: loading tsx costs a model process ~140 ms of its cold start (measured: `node` on an
// empty .mjs 70 ms, under tsx 210 ms), about the whole budget of a cold start. A model's .ts files
// need only their types stripped: esbuild's transform does that (tsx uses the same esbuild), and the
// result is cached on disk by content, so a second instance of the same version (a restart, scaling
// out, a min_instances replacement) never starts esbuild at all.
//
// 1. Resolve: an import of "./x.js" that does not exist but "./x.ts" does resolves to the .ts file
//    (TypeScript's ESM convention), as tsx does.
// 2. Load: .ts/.mts files outside node_modules that load as ES modules are transformed to JS.
//    A .cts file, or a .ts file a package.json declares CommonJS, is left to the next loader (tsx
//    when the runner itself runs from source).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Keyed by the esbuild version too, so an upgrade never serves stale output.
const CACHE_DIR = path.join(os.tmpdir(), `sprocket-ts-cache-${process.getuid?.() ?? "user"}`);
// Read from its package.json so that a cache hit never loads esbuild itself.
const ESBUILD_VERSION = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("esbuild/package.json"), "utf8")).version;
let esbuild;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code === "ERR_MODULE_NOT_FOUND" && specifier.startsWith(".") && /\.[cm]?js$/.test(specifier)) {
      return nextResolve(specifier.replace(/js$/, "ts"), context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !/\.m?ts$/.test(url) || url.includes("/node_modules/")) return nextLoad(url, context);
  // resolve-hook.mjs marks a model's .ts files as modules; .mts always is one.
  const format = context.format ?? (url.endsWith(".mts") ? "module" : undefined);
  if (format !== "module") return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = readFileSync(file, "utf8");
  return { format: "module", source: await transformed(file, source), shortCircuit: true };
}

async function transformed(file, source) {
  const key = createHash("sha256").update(`${ESBUILD_VERSION}\0${file}\0${source}`).digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.mjs`);
  try {
    return readFileSync(cached, "utf8");
  } catch {
    // Not cached yet.
  }
  esbuild ??= await import("esbuild");
  const result = await esbuild.transform(source, {
    loader: "ts",
    format: "esm",
    target: `node${process.versions.node}`,
    sourcefile: file,
    // Inline source maps: a model's stack traces name its own .ts lines.
    sourcemap: "inline",
  });
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename: two instances starting together never read a half-written file.
    const temporary = `${cached}.${process.pid}.tmp`;
    writeFileSync(temporary, result.code);
    renameSync(temporary, cached);
  } catch {
    // A cache that cannot be written costs the next start a transform, nothing more.
  }
  return result.code;
}
