import { definePredictor, Input, Output } from "sprocket";

export const Predictor = definePredictor({
  inputs: {
    name: Input.string({ description: "Who to greet", default: "world" }),
  },
  output: Output.string(),
  async predict({ name }) {
    return `hello, ${name}!`;
  },
});
