// The worker⇄runner protocol. One JSON object per line (NDJSON).
//   worker → runner: on the child's stdin.
//   runner → worker: on the child's fd 3.
// The child's stdout and stderr are left to the predictor: whatever it prints there becomes the
// running prediction's logs. The same messages are spoken by the Node runner and (later) the
// Python harness; golden files in test/fixtures/protocol keep both honest.

export type WorkerToRunner =
  /** `dir`: only to a runner started with `--spare` (no model yet), which loads the model found there. */
  | { type: "setup"; dir?: string }
  | { type: "predict"; id: string; input: Record<string, unknown> }
  | { type: "cancel"; id: string }
  | { type: "shutdown" };

/** Where a failure came from: the caller's input, the model's code, or Sprocket itself. */
export type FaultKind = "input" | "model" | "system";

export type RunnerToWorker =
  /** `setup_time`: seconds the runner spent loading the predictor and in its setup() (the cold-start timeline). */
  | { type: "ready"; concurrency: number; setup_time?: number }
  /** Only in schema mode (`--schema`): the version's OpenAPI document, then the runner exits. */
  | { type: "schema"; predictor: string; openapi_schema: Record<string, unknown> }
  | { type: "setup_failed"; error: string }
  | { type: "log"; id?: string; data: string }
  | { type: "output"; id: string; item: unknown; files?: StagedFiles }
  | { type: "metric"; id: string; name: string; value: number }
  | { type: "done"; id: string; status: "succeeded"; output: unknown; files?: StagedFiles }
  | { type: "done"; id: string; status: "failed"; error: string; fault: FaultKind }
  | { type: "done"; id: string; status: "canceled" };

/**
 * File outputs, when the runner was given a staging directory (SPROCKET_OUTPUT_DIR): the runner
 * copies each file there and puts `sprocket-staged:<token>` in the output where the file goes; the
 * message lists the tokens it staged. Only tokens listed in the same message (or an earlier item of
 * the same prediction) are files: a model that returns such a string as text gets text. Without a
 * staging directory (Cog's own server), file outputs travel as `data:` URIs.
 */
export type StagedFiles = Record<string, { path: string; name: string; content_type: string }>;
export const STAGED_PREFIX = "sprocket-staged:";

export function encodeMessage(message: WorkerToRunner | RunnerToWorker): string {
  return JSON.stringify(message) + "\n";
}

/**
 * Splits a byte stream into lines and parses each as JSON. Returns a function to feed chunks;
 * keeps the partial last line between calls. Only each new chunk is searched for newlines, and a
 * long line's pieces are joined once, so a 100 MB line (a file output) costs linear time.
 */
export function lineDecoder<T>(onMessage: (message: T) => void, onBadLine: (line: string) => void) {
  let parts: string[] = [];
  const emit = (line: string) => {
    if (line.length === 0) return;
    let parsed: T;
    try {
      parsed = JSON.parse(line) as T;
    } catch {
      onBadLine(line);
      return;
    }
    onMessage(parsed);
  };
  return (chunk: string) => {
    let start = 0;
    let newline = chunk.indexOf("\n");
    while (newline !== -1) {
      parts.push(chunk.slice(start, newline));
      const line = parts.length === 1 ? parts[0] : parts.join("");
      parts = [];
      emit(line);
      start = newline + 1;
      newline = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  };
}
