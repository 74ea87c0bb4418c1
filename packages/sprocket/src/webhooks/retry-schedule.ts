/** Statuses a delivery is retried on; any other non-2xx answer is final (the receiver said no). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

const FIRST_RETRY_MS = 1000;
const LONGEST_WAIT_MS = 60 * 60 * 1000;

/**
 * When to try again after `attempts` failed tries: 1 s, 2 s, 4 s … doubling up to an hour, with
 * ±20 % jitter so receivers coming back up are not hit by every sender at once. A receiver's own
 * Retry-After (seconds) is honoured up to the same hour. Never past `giveUpAt`: the last try is at
 * the end of the window. Null when the window is over.
 */
export function nextAttemptAt(attempts: number, now: number, giveUpAt: number, retryAfterSeconds?: number | null): number | null {
  if (now >= giveUpAt) return null;
  const backoff = Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempts - 1, 30), LONGEST_WAIT_MS) * (0.8 + Math.random() * 0.4);
  const wait = retryAfterSeconds != null && retryAfterSeconds >= 0 ? Math.min(retryAfterSeconds * 1000, LONGEST_WAIT_MS) : backoff;
  return Math.min(now + wait, giveUpAt);
}

/** Retry-After as seconds (either form HTTP allows), or null. */
export function parseRetryAfter(header: string | undefined, now: number): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, (date - now) / 1000);
}
