import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors/index.ts";
import { mediaTypeOf } from "../lib/media-types.ts";

type Property = Record<string, unknown>;

/**
 * `-i key=value` pairs as typed on the command line → an input object: values parsed by the input's
 * declared type, `key=@path` turned into a file reference by `file` (a data: URI locally, an
 * uploaded file's URL against a server), a repeated key into a list (as `cog predict` does).
 */
export async function parseInputPairs(pairs: string[], openapi: Record<string, unknown>, file: (absolute: string) => Promise<string>): Promise<Record<string, unknown>> {
  const properties = inputProperties(openapi);
  const raw: Record<string, unknown> = {};
  const repeated = new Set<string>();
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new AppError("bad_request", `-i expects key=value or key=@file, got "${pair}"`);
    const key = pair.slice(0, equals);
    const text = pair.slice(equals + 1);
    let value: unknown;
    if (text.startsWith("@")) {
      const absolute = path.resolve(text.slice(1));
      try {
        if (!statSync(absolute).isFile()) throw new Error("not a file");
      } catch {
        throw new AppError("bad_request", `-i ${key}=@${text.slice(1)}: no such file`);
      }
      value = await file(absolute);
    } else {
      value = coerce(text, properties[key]?.type === "array" && key in raw ? (properties[key].items as Property) : properties[key]);
    }
    if (key in raw) {
      if (!repeated.has(key)) raw[key] = [raw[key]];
      repeated.add(key);
      (raw[key] as unknown[]).push(value);
    } else {
      raw[key] = properties[key]?.type === "array" && typeof value === "string" && (properties[key].items as Property | undefined)?.format === "uri" ? [value] : value;
      if (Array.isArray(raw[key]) && typeof value === "string") repeated.add(key);
    }
  }
  return raw;
}

/** A local file as a data: URI (what `cog predict` sends for `@file`). */
export async function dataUriOf(absolute: string): Promise<string> {
  return `data:${mediaTypeOf(path.basename(absolute))};base64,${readFileSync(absolute).toString("base64")}`;
}

export function inputProperties(openapi: Record<string, unknown>): Record<string, Property> {
  const schemas = ((openapi.components as Record<string, unknown> | undefined)?.schemas ?? {}) as Record<string, Property>;
  const properties = (schemas.Input?.properties ?? {}) as Record<string, Property>;
  // Resolve `allOf: [{$ref}]` (choices) to the enum component, whose `type` says how to parse.
  const resolved: Record<string, Property> = {};
  for (const [key, property] of Object.entries(properties)) {
    const ref = (property.allOf as { $ref?: string }[] | undefined)?.[0]?.$ref;
    resolved[key] = ref ? { ...property, ...schemas[ref.split("/").pop()!] } : property;
  }
  return resolved;
}

/** Command-line values are text: parse them by the input's declared type. */
function coerce(value: string, property: Property | undefined): unknown {
  switch (property?.type) {
    case "integer":
    case "number": {
      const number = Number(value);
      return value.trim() !== "" && Number.isFinite(number) ? number : value;
    }
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "array":
    case "object":
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    default:
      return value;
  }
}
