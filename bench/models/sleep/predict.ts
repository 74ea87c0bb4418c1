import { definePredictor, Input, Output } from "sprocket";

// Sleeps instead of computing: the same time on every run and machine, and no CPU taken from the server.
export const Predictor = definePredictor({
  inputs: { ms: Input.integer({ default: 20, ge: 0 }) },
  output: Output.integer(),
  async predict({ ms }) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms;
  },
});
