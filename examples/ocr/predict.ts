// Reads the text in an image with Tesseract 5 (tesseract.js, WebAssembly) and its English model
// from the npm package @tesseract.js-data/eng: nothing is fetched from the network. The worker and
// the model load once, in setup(); each prediction is one recognize().
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { createWorker, type Worker } from "tesseract.js";
import { definePredictor, Input, Output } from "sprocket";

let worker: Worker;

export const Predictor = definePredictor({
  inputs: {
    image: Input.path({ description: "An image with text in it (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG)" }),
  },
  output: Output.object({ text: Output.string(), confidence: Output.number() }),
  async setup() {
    // The "best_int" model: Tesseract's more accurate LSTM, quantised; `cacheMethod: "none"` keeps
    // tesseract.js from writing a copy of it into the working directory. Without an errorHandler,
    // tesseract.js rethrows a failed job's error from its worker's message handler as well as
    // rejecting the job, and that uncaught throw ends the whole model process.
    const data = path.dirname(fileURLToPath(import.meta.resolve("@tesseract.js-data/eng")));
    worker = await createWorker("eng", 1, { langPath: path.join(data, "4.0.0_best_int"), gzip: true, cacheMethod: "none", errorHandler: () => {} });
  },
  async predict({ image }) {
    // Tesseract's own reader (Leptonica) takes PNG, JPEG, WebP and GIF but not AVIF, SVG or every
    // TIFF; sharp decodes those (and turns the image upright from its EXIF orientation) into a PNG,
    // and refuses a file that is no image with a message that says so.
    const png = await sharp(image)
      .rotate()
      .png({ compressionLevel: 1 })
      .toBuffer()
      .catch((error: Error) => {
        throw new Error(`the image could not be read: ${error.message}`);
      });
    const { data } = await worker.recognize(png);
    return { text: data.text.trim(), confidence: Math.round(data.confidence * 10) / 10 };
  },
});
