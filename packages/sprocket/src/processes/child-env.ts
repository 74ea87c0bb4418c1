/**
 * The environment a model process gets: the server's, minus Sprocket's settings and API tokens.
 * This keeps secrets out of the environment only: a model runs as the server's OS user and can
 * read the files the server can (docs/architecture/03-runners.md, "Trust").
 */
export function modelEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (key.startsWith("SPROCKET_") || key === "REPLICATE_API_TOKEN") continue;
    out[key] = value;
  }
  return out;
}
