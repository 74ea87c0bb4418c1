/** Opaque list cursors: base64url of the last row's sort key (created_at then id). */
export interface CursorKey {
  createdAt: string;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id])).toString("base64url");
}

/** Returns null for a cursor that was not made by encodeCursor. */
export function decodeCursor(cursor: string): CursorKey | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((v) => typeof v === "string")) {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through: not ours
  }
  return null;
}
