// Reads the text in an image with Tesseract 5 (tesseract.js, WebAssembly) and its English model
// from the npm package @tesseract.js-data/eng: nothing is fetched from the network. The worker and
// the model load once, in setup(); each prediction is one recognize().
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createWorker, type Worker } from "tesseract.js";
import { definePredictor, Input, Output } from "sprocket";

let worker: Worker;

export const Predictor = definePredictor({
  inputs: {
    image: Input.path({ description: "An image with text in it (PNG, JPEG, WebP, BMP, TIFF)" }),
  },
  output: Output.object({ text: Output.string(), confidence: Output.number() }),
  async setup() {
    // The "best_int" model: Tesseract's more accurate LSTM, quantised; `cacheMethod: "none"` keeps
    // tesseract.js from writing a copy of it into the working directory.
    const data = path.dirname(fileURLToPath(import.meta.resolve("@tesseract.js-data/eng")));
    worker = await createWorker("eng", 1, { langPath: path.join(data, "4.0.0_best_int"), gzip: true, cacheMethod: "none" });
  },
  async predict({ image }) {
    const { data } = await worker.recognize(image);
    return { text: data.text.trim(), confidence: Math.round(data.confidence * 10) / 10 };
  },
});
