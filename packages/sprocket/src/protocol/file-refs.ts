// How a file in a prediction's output is stored: the string `sprocket-file:<key>/<name>`, which
// the API turns into an absolute URL for whoever asks (the origin depends on the request), so
// stored outputs never hold a host name.

const PREFIX = "sprocket-file:";

export function fileRef(key: string, name: string): string {
  return `${PREFIX}${key}/${encodeURIComponent(name)}`;
}

/** Replaces every file reference in a JSON value with `toUrl("<key>/<name>")`. */
export function resolveFileRefs(value: unknown, toUrl: (keyAndName: string) => string): unknown {
  return mapStrings(value, (text) => (text.startsWith(PREFIX) ? toUrl(text.slice(PREFIX.length)) : text));
}

/**
 * Applies `fn` to every string of a JSON value. Returns the very same value (no copy) when `fn`
 * changed nothing, which is the common case on the hot path: most outputs hold no files.
 */
export function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) {
    let changed: unknown[] | undefined;
    value.forEach((item, i) => {
      const mapped = mapStrings(item, fn);
      if (mapped !== item) (changed ??= [...value])[i] = mapped;
    });
    return changed ?? value;
  }
  if (value !== null && typeof value === "object") {
    let changed: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const mapped = mapStrings(item, fn);
      if (mapped !== item) (changed ??= { ...(value as Record<string, unknown>) })[key] = mapped;
    }
    return changed ?? value;
  }
  return value;
}

/** The keys of every file reference in a JSON value (to delete the files behind them). */
export function fileRefKeys(value: unknown): string[] {
  const keys: string[] = [];
  mapStrings(value, (text) => {
    if (text.startsWith(PREFIX)) keys.push(text.slice(PREFIX.length).split("/")[0]);
    return text;
  });
  return keys;
}

/** The key and name of a stored file reference, or null when `text` is not one. */
export function parseFileRef(text: string): { key: string; name: string } | null {
  if (!text.startsWith(PREFIX)) return null;
  const rest = text.slice(PREFIX.length);
  const slash = rest.indexOf("/");
  return slash > 0 ? { key: rest.slice(0, slash), name: decodeURIComponent(rest.slice(slash + 1)) } : null;
}
