import { existsSync } from "node:fs";
import path from "node:path";
import type { SetupContext } from "../sdk/index.ts";

/**
 * Cog's TrainingInput and TrainingOutput components, from a trainer's own OpenAPI document (a TS
 * trainer is written with definePredictor, its predict() being the training): its Input and Output,
 * renamed.
 */
export function trainingComponents(trainer: { components: { schemas: Record<string, unknown> } }): Record<string, unknown> {
  const { Input, Output } = trainer.components.schemas as Record<string, Record<string, unknown>>;
  return { TrainingInput: { ...Input, title: "TrainingInput" }, TrainingOutput: { ...Output, title: "TrainingOutput" } };
}

/** setup()'s weights, as Cog finds them: COG_WEIGHTS, else a `weights` file or directory beside cog.yaml. */
export function weightsOf(dir: string): SetupContext {
  if (process.env.COG_WEIGHTS) return { weights: process.env.COG_WEIGHTS };
  const local = path.join(dir, "weights");
  return existsSync(local) ? { weights: local } : {};
}
