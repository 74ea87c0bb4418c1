import path from "node:path";

type Env = Record<string, string | undefined>;

/**
 * Where the CLI keeps per-user state, following the XDG base directories (what Linux users and CI
 * expect, and what lets tests point them at a temporary directory): `sprocket login`'s file and the
 * hash cache. Null when neither the XDG variable nor HOME is set (then nothing is read or kept).
 */
export function userConfigFile(env: Env): string | null {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? path.join(env.HOME, ".config") : null);
  return base ? path.join(base, "sprocket", "config.json") : null;
}

export function userCacheDir(env: Env): string | null {
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, ".cache") : null);
  return base ? path.join(base, "sprocket") : null;
}
