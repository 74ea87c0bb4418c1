/**
 * The environment a model process gets: the server's, minus Sprocket's settings and API tokens, so
 * a model cannot read the admin token or other secrets of the server that runs it.
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
