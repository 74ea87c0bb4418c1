import { statSync } from "node:fs";
import { definePredictor, Input, Output } from "sprocket";

// Returns the size of its file input, from stat alone: the benchmark times the input's way from
// the Files API to the model (Sprocket copies the uploaded file for each prediction), not a read.
export const Predictor = definePredictor({
  inputs: { file: Input.path({ description: "Any file" }) },
  output: Output.integer(),
  async predict({ file }) {
    return statSync(file).size;
  },
});
