// Image in, image out, with sharp (libvips, prebuilt from npm): resize to fit a box, blur,
// grayscale and convert the format. Returns the new image as a file output.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { definePredictor, Input, Output } from "sprocket";

export const Predictor = definePredictor({
  inputs: {
    image: Input.path({ description: "The image to process (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG)" }),
    width: Input.integer({ description: "Fit within this width (pixels; 0: keep)", default: 0, ge: 0, le: 8192 }),
    height: Input.integer({ description: "Fit within this height (pixels; 0: keep)", default: 0, ge: 0, le: 8192 }),
    blur: Input.number({ description: "Gaussian blur sigma (0: none)", default: 0, ge: 0, le: 100 }),
    grayscale: Input.boolean({ description: "Convert to shades of gray", default: false }),
    format: Input.string({ description: "Output format", default: "png", choices: ["png", "jpeg", "webp", "avif", "tiff"] }),
  },
  output: Output.path(),
  async setup() {
    // Warm libvips once so the first prediction does not pay for its start-up.
    await sharp({ create: { width: 1, height: 1, channels: 3, background: "#000" } }).png().toBuffer();
  },
  async predict({ image, width, height, blur, grayscale, format }) {
    let pipeline = sharp(image).rotate(); // honour EXIF orientation
    if (width > 0 || height > 0) pipeline = pipeline.resize({ width: width || undefined, height: height || undefined, fit: "inside" });
    if (blur > 0) pipeline = pipeline.blur(Math.max(0.3, blur));
    if (grayscale) pipeline = pipeline.grayscale();
    const out = path.join(mkdtempSync(path.join(tmpdir(), "image-tools-")), `output.${format === "jpeg" ? "jpg" : format}`);
    await pipeline.toFormat(format as "png" | "jpeg" | "webp" | "avif" | "tiff").toFile(out);
    return out;
  },
});
