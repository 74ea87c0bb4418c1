import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, fsyncSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { mediaTypeOf } from "../lib/media-types.ts";
import { STAGED_PREFIX, type StagedFiles } from "../protocol/runner-messages.ts";

type Schema = Record<string, unknown>;

/**
 * File outputs of a TS predictor (`Output.path()`: a local path, found by the output schema's
 * `format: "uri"`): copied into the staging directory `sprocket serve` gives (the kernel copies;
 * nothing is read into memory here) and listed in `files`, or, with no staging directory (Cog's
 * own server), inlined as `data:` URIs as Cog does. URLs a predictor returns are left as they are.
 */
export function stageOutputFiles(value: unknown, schema: Schema | undefined, files: StagedFiles, stagingDir: string | undefined): unknown {
  if (!schema || value === null || value === undefined) return value;
  if (schema.type === "string" && schema.format === "uri" && typeof value === "string" && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) {
    return stageFile(path.resolve(value), files, stagingDir);
  }
  if (schema.type === "array" && Array.isArray(value) && schema.items) {
    return value.map((item) => stageOutputFiles(item, schema.items as Schema, files, stagingDir));
  }
  if (schema.type === "object" && value !== null && typeof value === "object" && schema.properties) {
    const properties = schema.properties as Record<string, Schema>;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, stageOutputFiles(item, properties[key], files, stagingDir)]));
  }
  return value;
}

function stageFile(source: string, files: StagedFiles, stagingDir: string | undefined): string {
  const name = path.basename(source);
  const contentType = mediaTypeOf(name);
  if (!stagingDir) {
    return `data:${contentType};name=${encodeURIComponent(name)};base64,${readFileSync(source).toString("base64")}`;
  }
  const token = randomBytes(16).toString("hex");
  const target = path.join(stagingDir, token);
  copyFileSync(source, target);
  // Flushed here, in the model's process: otherwise the server's next database sync waits for
  // these bytes to reach the disk (~90 ms for 100 MiB), stalling every request it serves.
  const fd = openSync(target, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  files[token] = { path: target, name, content_type: contentType };
  return `${STAGED_PREFIX}${token}`;
}
