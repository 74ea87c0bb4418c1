// Entry point of a predictor child process. Usage (spawned by the worker, see worker/instance.ts):
//   node bin/node-ts.mjs src/runner/main.ts DIR            serve predictions for the model in DIR
//   node bin/node-ts.mjs src/runner/main.ts --schema DIR   send the model's schema and exit
//   node bin/node-ts.mjs src/runner/main.ts --spare        wait for `setup` naming DIR, then as above
// (from dist/: node dist/runner/main.js …, see worker/runner-command.ts)
import { AsyncLocalStorage } from "node:async_hooks";
import net from "node:net";
import { encodeMessage, lineDecoder, type RunnerToWorker, type StagedFiles, type WorkerToRunner } from "../protocol/runner-messages.ts";
import { buildOpenApiSchema, withInputDefaults, type PredictorDefinition } from "../sdk/index.ts";
import type { IteratorOutputSpec } from "../sdk/output.ts";
import { cogConcurrency, loadPredictor, predictorReference, trainReference } from "./load-predictor.ts";
import { trainingComponents, weightsOf } from "./training.ts";
import { stageOutputFiles } from "./output-files.ts";

const replies = new net.Socket({ fd: 3, readable: false, writable: true });
const send = (message: RunnerToWorker) => replies.write(encodeMessage(message));
const currentPrediction = new AsyncLocalStorage<string>();
const running = new Map<string, AbortController>();
/** Where file outputs are copied for the worker (`sprocket serve`); unset under Cog's own server. */
const STAGING_DIR = process.env.SPROCKET_OUTPUT_DIR || undefined;

// What the predictor prints becomes a `log` message tagged with the prediction it printed it for,
// sent on the same channel as `done`, so no log line can arrive after its prediction finished.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const data = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    send({ type: "log", id: currentPrediction.getStore(), data });
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof stream.write;
}

const args = process.argv.slice(2);
const schemaMode = args[0] === "--schema";
// --spare: started ahead of need (worker/spare-runner.ts); the model's directory comes with `setup`.
const spareMode = args[0] === "--spare";
let dir = schemaMode ? args[1] : spareMode ? "" : args[0];

async function main(): Promise<void> {
  if (!dir && !spareMode) {
    console.error("usage: runner/main.ts [--schema] DIR | --spare");
    process.exit(2);
  }
  if (schemaMode) {
    try {
      const reference = predictorReference(dir);
      const definition = await loadPredictor(dir, reference);
      const document = buildOpenApiSchema(definition) as unknown as { components: { schemas: Record<string, unknown> } };
      // With `train:`, Cog's TrainingInput and TrainingOutput components describe the trainer.
      const train = trainReference(dir);
      if (train) Object.assign(document.components.schemas, trainingComponents(buildOpenApiSchema(await loadPredictor(dir, train))));
      send({ type: "schema", predictor: reference, openapi_schema: document as unknown as Record<string, unknown> });
    } catch (error) {
      send({ type: "setup_failed", error: describe(error) });
    }
    replies.end(() => process.exit(0));
    return;
  }

  let definition: PredictorDefinition | undefined;
  const decode = lineDecoder<WorkerToRunner>(
    (message) => {
      switch (message.type) {
        case "setup":
          if (spareMode && message.dir && !dir) {
            dir = message.dir;
            // As if spawned there: the model's relative paths resolve from its directory.
            process.chdir(dir);
          }
          void setup().then((loaded) => (definition = loaded));
          break;
        case "predict":
          if (definition) void predict(definition, message.id, message.input);
          else send({ type: "done", id: message.id, status: "failed", error: "predict before setup finished", fault: "system" });
          break;
        case "cancel":
          running.get(message.id)?.abort();
          break;
        case "shutdown":
          replies.end(() => process.exit(0));
          break;
      }
    },
    (line) => send({ type: "log", data: `runner: ignored a malformed command: ${line.slice(0, 200)}\n` }),
  );
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", decode);
  // The worker went away: nothing can receive our results any more.
  process.stdin.on("end", () => process.exit(0));
}

async function setup(): Promise<PredictorDefinition | undefined> {
  const begun = performance.now();
  try {
    // SPROCKET_RUN_MODE=train: this instance runs trainings, with the version's train: reference.
    const training = process.env.SPROCKET_RUN_MODE === "train";
    const reference = training ? trainReference(dir) : predictorReference(dir);
    if (!reference) throw new Error('cog.yaml has no `train:` entry naming the trainer, e.g. train: "train.ts:Trainer"');
    const definition = await loadPredictor(dir, reference);
    await definition.setup?.(weightsOf(dir));
    // Either place may raise it: definePredictor({ concurrency }) or cog.yaml's concurrency.max.
    const concurrency = Math.max(definition.concurrency ?? 1, cogConcurrency(dir));
    send({ type: "ready", concurrency, setup_time: (performance.now() - begun) / 1000 });
    return definition;
  } catch (error) {
    send({ type: "setup_failed", error: describe(error) });
    return undefined;
  }
}

async function predict(definition: PredictorDefinition, id: string, input: Record<string, unknown>): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  await currentPrediction.run(id, async () => {
    try {
      const context = {
        id,
        signal: controller.signal,
        recordMetric: (name: string, value: number) => send({ type: "metric", id, name, value }),
      };
      let output: unknown = await definition.predict(withInputDefaults(definition, input) as never, context);
      const spec = definition.output;
      // File outputs of the final output; a streamed item's files are listed with the item.
      const files: StagedFiles = {};
      if (isStreamedOutput(output)) {
        const itemSchema = spec?.kind === "iterator" ? (spec as IteratorOutputSpec).item.schema : undefined;
        const items: unknown[] = [];
        for await (const raw of output) {
          const itemFiles: StagedFiles = {};
          const item = stageOutputFiles(raw, itemSchema, itemFiles, STAGING_DIR);
          items.push(item);
          send(Object.keys(itemFiles).length > 0 ? { type: "output", id, item, files: itemFiles } : { type: "output", id, item });
          if (controller.signal.aborted) break;
        }
        output = items;
      } else {
        output = stageOutputFiles(output, spec?.schema, files, STAGING_DIR);
      }
      if (controller.signal.aborted) {
        send({ type: "done", id, status: "canceled" });
      } else {
        // encodeMessage throws on output JSON cannot carry (a BigInt, a cycle): that fails this
        // prediction in the catch below instead of breaking the protocol.
        const done = { type: "done", id, status: "succeeded", output: output ?? null } as const;
        send(Object.keys(files).length > 0 ? { ...done, files } : done);
      }
    } catch (error) {
      if (controller.signal.aborted) send({ type: "done", id, status: "canceled" });
      else send({ type: "done", id, status: "failed", error: describe(error), fault: "model" });
    } finally {
      running.delete(id);
    }
  });
}

function isStreamedOutput(value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return Symbol.asyncIterator in value || Symbol.iterator in value;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

await main();
