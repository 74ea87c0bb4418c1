// Cog's Secret inputs (`x-cog-secret` in the version's schema) never appear in stored or returned
// inputs or in logs: Sprocket keeps the real values in memory only, for the run, and shows
// Replicate's mask everywhere else.

export const REDACTED = "**********";
import { secretInputNames } from "./input-fields.ts";

export { secretInputNames };

export interface SplitInput {
  /** What is stored and shown: secrets masked. */
  shown: Record<string, unknown>;
  /** The secret values themselves, to mask in logs; empty when there are none. */
  values: string[];
}

/** Masks the secret inputs of a validated input. */
export function redactSecrets(input: Record<string, unknown>, names: string[]): SplitInput {
  const shown = { ...input };
  const values: string[] = [];
  for (const name of names) {
    const value = input[name];
    if (typeof value === "string") {
      values.push(value);
      shown[name] = REDACTED;
    } else if (Array.isArray(value)) {
      values.push(...value.filter((v): v is string => typeof v === "string"));
      shown[name] = value.map((v) => (typeof v === "string" ? REDACTED : v));
    }
  }
  return { shown, values };
}

/** Replaces every occurrence of a secret value in log text (values under 4 characters excepted). */
export function maskSecrets(text: string, values: string[]): string {
  let out = text;
  for (const value of values) if (value.length >= 4) out = out.split(value).join(REDACTED);
  return out;
}
