import { definePredictor, Input, Output } from "sprocket";

// bench/models/noop, allowed to run 32 predictions at once in one instance: with it, throughput is
// limited by per-request cost rather than by one-at-a-time dispatch to the instance.
export const Predictor = definePredictor({
  inputs: { x: Input.integer({ default: 1 }) },
  output: Output.integer(),
  concurrency: 32,
  async predict({ x }) {
    return x;
  },
});
