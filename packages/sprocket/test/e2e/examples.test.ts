// The bundled examples (examples/*), registered by `sprocket serve` as admin/NAME and run through
// the API with the official client on small inputs made here, checking real results.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { PACKAGE_ROOT, startServer, type TestServer } from "./harness.ts";

const EXAMPLES = path.join(PACKAGE_ROOT, "..", "..", "examples");

const hasNumpy = spawnSync(process.env.SPROCKET_PYTHON || "python3", ["-c", "import numpy"]).status === 0;
const hasEspeak = spawnSync("espeak-ng", ["--version"]).status === 0;

/** A mono 16-bit WAV of `seconds` of a sine at `hz`. */
function sineWav(hz: number, seconds: number, rate = 16_000): Buffer {
  const n = Math.round(seconds * rate);
  const wav = Buffer.alloc(44 + n * 2);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + n * 2, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 12_000), 44 + i * 2);
  return wav;
}

async function bytesOf(url: string, token: string): Promise<Buffer> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, url);
  return Buffer.from(await response.arrayBuffer());
}

describe("examples", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { SPROCKET_EXAMPLES: "true" } });
  });
  after(() => server?.stop());

  test("every example is registered as a public admin/NAME model", async () => {
    const names = ["audio-stats", "hello", "hello-python", "image-tools", "ocr", "textgen", "tts", "vad"];
    for (const name of names) {
      const model = await server.client.models.get("admin", name);
      assert.equal(model.visibility, "public", name);
      assert.ok(model.latest_version?.id, `${name} has a version`);
    }
  });

  test("hello in TypeScript and in Python", async () => {
    assert.equal(await server.client.run("admin/hello", { input: { name: "Ada" } }), "hello, Ada!");
    assert.equal(await server.client.run("admin/hello-python", { input: { name: "Ada" } }), "hello, Ada!");
  });

  test("textgen streams words from its corpus, the same for the same seed", async () => {
    const generate = async (seed: number) => {
      const tokens: string[] = [];
      for await (const event of server.client.stream("admin/textgen", { input: { prompt: "the White Rabbit", max_tokens: 25, seed } })) {
        if (event.event === "output") tokens.push(event.data);
      }
      return tokens;
    };
    const first = await generate(7);
    assert.equal(first.length, 25, "one event per generated word");
    assert.deepEqual(await generate(7), first);
    assert.notDeepEqual(await generate(8), first);
    // Every word is one the model learned from its corpus (which has none of the prompt's unknowns).
    const vocabulary = new Set(readFileSync(path.join(EXAMPLES, "textgen", "corpus.txt"), "utf8").match(/[A-Za-z]+(?:['’-][A-Za-z]+)*|[.,;:!?]/g));
    for (const token of first) assert.ok(vocabulary.has(token.trim()), `"${token}" is not in corpus.txt: ${first.join("")}`);
  });

  test("ocr reads back the words of an image drawn here, also from a format Tesseract cannot read itself", async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="120"><rect width="100%" height="100%" fill="white"/>
      <text x="20" y="70" font-family="DejaVu Sans" font-size="44" fill="black">Quiet lanterns guide seven boats</text></svg>`;
    for (const format of ["png", "avif"] as const) {
      const image = await sharp(Buffer.from(svg)).toFormat(format).toBuffer();
      const output = (await server.client.run("admin/ocr", { input: { image } })) as { text: string; confidence: number };
      assert.equal(output.text, "Quiet lanterns guide seven boats", format);
      assert.ok(output.confidence > 80, `${format}: ${output.confidence}`);
    }
    // The quick start's sample reads as the README says it does.
    const sample = (await server.client.run("admin/ocr", { input: { image: readFileSync(path.join(EXAMPLES, "ocr", "sample.png")) } })) as { text: string };
    assert.equal(sample.text, "Sprocket reads this text\nfrom an image, offline.");
  });

  test("ocr: a file that is no image fails its prediction, saying so, and the instance keeps serving", async () => {
    await assert.rejects(server.client.run("admin/ocr", { input: { image: Buffer.from("no image here") } }), /the image could not be read/);
    const image = await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100"><rect width="100%" height="100%" fill="white"/>
      <text x="20" y="65" font-family="DejaVu Sans" font-size="40" fill="black">Still here</text></svg>`)).png().toBuffer();
    const next = await server.client.predictions.create({ model: "admin/ocr", input: { image }, wait: true });
    assert.equal(next.status, "succeeded", String(next.error));
    assert.equal((next.output as { text: string }).text, "Still here");
    assert.equal((next.metrics as Record<string, unknown>).cold_start_setup_time, undefined, "no new instance was started");
  });

  test("image-tools resizes, grays and converts; the file it returns says so", async () => {
    const input = await sharp({ create: { width: 400, height: 200, channels: 3, background: "#c03030" } }).png().toBuffer();
    const url = (await server.client.run("admin/image-tools", { input: { image: input, width: 100, grayscale: true, format: "webp" } })) as unknown as string;
    assert.match(String(url), /\/output\.webp$/);
    const meta = await sharp(await bytesOf(String(url), server.token)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ["webp", 100, 50]);
    const stats = await sharp(await bytesOf(String(url), server.token)).stats();
    assert.ok(Math.abs(stats.channels[0].mean - stats.channels[1].mean) < 2, "gray: red and green equal");
  });

  test("tts speaks and vad finds the speech in it", { skip: !hasEspeak && "SKIPPED: espeak-ng is not installed (apt-get install espeak-ng; .ci/run installs it)" }, async () => {
    const wavUrl = String(await server.client.run("admin/tts", { input: { text: "Hello from Sprocket, the model server." } }));
    assert.match(wavUrl, /speech\.wav$/);
    const wav = await bytesOf(wavUrl, server.token);
    assert.equal(wav.toString("ascii", 8, 12), "WAVE");
    // Silence on both sides (1 s of zeros), so "where the words are" has a right answer.
    const rate = wav.readUInt32LE(24);
    const padded = Buffer.concat([wav.subarray(0, 44), Buffer.alloc(rate * 2), wav.subarray(44), Buffer.alloc(rate * 2)]);
    padded.writeUInt32LE(padded.length - 8, 4);
    padded.writeUInt32LE(padded.length - 44, 40);
    const speechSeconds = (wav.length - 44) / (rate * 2);
    const { segments, duration } = (await server.client.run("admin/vad", { input: { audio: padded } })) as { duration: number; segments: { start: number; end: number }[] };
    assert.ok(Math.abs(duration - (speechSeconds + 2)) < 0.05, `duration ${duration}`);
    assert.ok(segments.length >= 1, JSON.stringify(segments));
    assert.ok(segments[0].start >= 0.8 && segments[0].start <= 1.4, `speech starts near 1 s: ${JSON.stringify(segments)}`);
    assert.ok(segments.at(-1)!.end <= 1 + speechSeconds + 0.3 && segments.at(-1)!.end >= 1 + speechSeconds * 0.6, `and ends with the words: ${JSON.stringify(segments)}`);
    // Nothing is found in silence.
    assert.deepEqual(((await server.client.run("admin/vad", { input: { audio: sineWav(0, 1) } })) as { segments: unknown[] }).segments, []);
  });

  test("audio-stats (numpy) finds a tone's frequency", { skip: !hasNumpy && "SKIPPED: numpy is not importable by python3 here" }, async () => {
    const stats = (await server.client.run("admin/audio-stats", { input: { audio: sineWav(440, 0.5) } })) as Record<string, number>;
    assert.equal(stats.sample_rate, 16000);
    assert.equal(stats.duration, 0.5);
    assert.ok(Math.abs(stats.dominant_frequency - 440) <= 2, String(stats.dominant_frequency));
    assert.ok(Math.abs(stats.peak - 12_000 / 32_768) < 0.01, String(stats.peak));
  });
});
