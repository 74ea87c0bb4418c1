import { AppError } from "../errors/index.ts";

/**
 * Fixed one-minute windows per token and kind of request (prediction creates, everything else),
 * as Replicate's documented limits. A limit of 0 turns that kind off.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limits: { create: number; other: number }) {}

  check(token: string, kind: "create" | "other", now = Date.now()): void {
    this.checkLimit(`${kind}:${token}`, this.limits[kind], now);
  }

  /** One more request in `key`'s window, refused (429) past `limit` a minute; 0: no limit. */
  checkLimit(key: string, limit: number, now = Date.now()): void {
    if (limit === 0) return;
    let window = this.windows.get(key);
    if (!window || now - window.start >= 60_000) {
      if (this.windows.size > 100_000) this.windows.clear();
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count > limit) {
      const seconds = Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000));
      throw new AppError("rate_limited", `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? "" : "s"}.`, {
        headers: { "retry-after": String(seconds) },
      });
    }
  }
}
