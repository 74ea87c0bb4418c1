import type { VersionRecord } from "../store/store.ts";

/**
 * The version as its trainer sees it: Cog's TrainingInput and TrainingOutput in the places of
 * Input and Output, so input validation, file inputs and secrets work for trainings exactly as for
 * predictions (one mechanism). Null when the version has no `train:`.
 */
export function trainingView(version: VersionRecord): VersionRecord | null {
  const schemas = (version.openapiSchema.components as { schemas?: Record<string, unknown> } | undefined)?.schemas;
  if (!schemas?.TrainingInput) return null;
  return { ...version, openapiSchema: { ...version.openapiSchema, components: { schemas: { ...schemas, Input: schemas.TrainingInput, Output: schemas.TrainingOutput } } } };
}
