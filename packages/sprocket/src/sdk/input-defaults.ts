// Fills in defaults the way Cog does before calling predict: a missing input takes its
// `default`, and one declared `default: null` takes null. The schema alone cannot do the
// latter (pydantic leaves `default: None` out of it), which is why this reads the definition.
// Contract: returns a new object; never validates (the caller has already validated `input`).

import type { PredictorDefinition } from "./predictor.ts";

export function withInputDefaults(definition: PredictorDefinition, input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const [name, spec] of Object.entries(definition.inputs)) {
    if (out[name] !== undefined || spec.options.default === undefined) continue;
    const value = spec.options.default;
    // Array defaults are frozen in the definition; predict gets its own copy to mutate.
    out[name] = Array.isArray(value) ? [...value] : value;
  }
  return out;
}
