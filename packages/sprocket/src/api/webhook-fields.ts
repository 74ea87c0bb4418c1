import { privateLiteralHost } from "../lib/private-addresses.ts";
import type { InvalidField } from "../protocol/api-types.ts";

const WEBHOOK_EVENTS = ["start", "output", "logs", "completed"];

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** What is wrong with a create's `webhook`, `webhook_completed` and `webhook_events_filter` (predictions and trainings alike). */
export function webhookFieldProblems(record: Record<string, unknown>, allowPrivate: boolean): InvalidField[] {
  const problems: InvalidField[] = [];
  for (const key of ["webhook", "webhook_completed"]) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (!isHttpUrl(value)) {
      problems.push({ type: "format", field: key, description: `${key} must be an absolute http(s) URL` });
    } else {
      // A hostname that resolves privately is refused when the webhook is sent (after DNS).
      const literal = allowPrivate ? null : privateLiteralHost(new URL(value as string));
      if (literal) {
        problems.push({
          type: "format",
          field: key,
          description: `${key} points at a private address (${literal}); Sprocket refuses those unless the operator sets SPROCKET_ALLOW_PRIVATE_URLS=true`,
        });
      }
    }
  }
  const filter = record.webhook_events_filter;
  if (filter !== undefined && filter !== null) {
    if (!Array.isArray(filter) || filter.some((event) => !WEBHOOK_EVENTS.includes(event as string))) {
      problems.push({
        type: "enum",
        field: "webhook_events_filter",
        description: `webhook_events_filter must be a list of: ${WEBHOOK_EVENTS.map((e) => `"${e}"`).join(", ")}`,
      });
    }
  }
  return problems;
}

/** A create's webhook settings; the legacy `webhook_completed` means a webhook for `completed` only. */
export function webhookOptions(body: Record<string, unknown>): { webhook: string | null; webhookEventsFilter: string[] | null } {
  return {
    webhook: (body.webhook as string | undefined) ?? (body.webhook_completed as string | undefined) ?? null,
    webhookEventsFilter: (body.webhook_events_filter as string[] | undefined) ?? (body.webhook_completed ? ["completed"] : null),
  };
}
