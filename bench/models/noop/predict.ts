import { definePredictor, Input, Output } from "sprocket";

// Does no work: a prediction's latency is then all server overhead.
export const Predictor = definePredictor({
  inputs: { x: Input.integer({ default: 1 }) },
  output: Output.integer(),
  async predict({ x }) {
    return x;
  },
});
