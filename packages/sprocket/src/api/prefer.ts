/** Sync mode never holds a request longer than this (Replicate's limit). */
export const MAX_WAIT_SECONDS = 60;

/**
 * Reads `Prefer: wait` / `Prefer: wait=N` (among other comma-separated preferences). Returns the
 * seconds to wait, clamped to 1..60 (the JS client sends values above 60; Replicate clamps), or
 * null when the client did not ask to wait.
 */
export function parsePreferWait(header: string | string[] | undefined): number | null {
  const text = Array.isArray(header) ? header.join(",") : header;
  if (!text) return null;
  for (const part of text.split(",")) {
    const match = /^\s*wait\s*(?:=\s*"?(\d+)"?)?\s*$/i.exec(part);
    if (match) return match[1] === undefined ? MAX_WAIT_SECONDS : Math.min(MAX_WAIT_SECONDS, Math.max(1, Number(match[1])));
  }
  return null;
}
