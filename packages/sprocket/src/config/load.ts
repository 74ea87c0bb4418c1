import { existsSync, readFileSync } from "node:fs";
import { AppError } from "../errors/index.ts";
import { SETTINGS, type Config, type ConfigKey } from "./schema.ts";
import { userConfigFile } from "./user-files.ts";

/** The only settings `sprocket login` stores; anything else in that file is ignored. */
const LOGIN_KEYS: ConfigKey[] = ["serverUrl", "apiToken"];

export interface LoadOptions {
  /** The environment to read; pass `process.env` from a composition root. */
  env: Record<string, string | undefined>;
  /** Values from command-line flags; they win over everything. */
  flags?: Partial<Record<ConfigKey, unknown>>;
}

/**
 * defaults ← `sprocket login`'s file (server and token only) ← JSON file named by SPROCKET_CONFIG ←
 * environment ← flags; validated and frozen.
 */
export function loadConfig({ env, flags = {} }: LoadOptions): Config {
  const values: Record<string, unknown> = {};
  const file = env.SPROCKET_CONFIG ? readConfigFile(env.SPROCKET_CONFIG) : {};
  const loginFile = userConfigFile(env);
  const login = loginFile && existsSync(loginFile) ? readConfigFile(loginFile) : {};
  for (const [key, setting] of Object.entries(SETTINGS) as [ConfigKey, (typeof SETTINGS)[ConfigKey]][]) {
    let value: unknown = setting.default;
    const sources: [string, unknown][] = [
      [`${loginFile} (${key})`, LOGIN_KEYS.includes(key) ? login[key] : undefined],
      [`${env.SPROCKET_CONFIG} (${key})`, file[key]],
      [setting.env, env[setting.env] ?? ("fallbackEnv" in setting ? env[setting.fallbackEnv] : undefined)],
      [`--${key}`, flags[key]],
    ];
    for (const [source, raw] of sources) {
      if (raw === undefined) continue;
      try {
        value = (setting.parse as (r: string) => unknown)(String(raw));
      } catch (error) {
        throw new AppError("config_invalid", `${source}: ${(error as Error).message}`);
      }
    }
    values[key] = value;
  }
  return Object.freeze(values) as Config;
}

function readConfigFile(path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new AppError("config_invalid", `cannot read config file ${path}: ${(error as Error).message}`);
  }
}
