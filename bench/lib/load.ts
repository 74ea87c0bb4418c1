// Running the load generator (load-client.ts) in a child process of its own, so it never shares an
// event loop with a server, and reading back the one LoadResult line it prints.
import path from "node:path";
import type { LoadResult, LoadSpec } from "./load-client.ts";
import { NODE_TS, REPO_ROOT, runToEnd } from "./processes.ts";

/** One load-generator run; `label` names it in errors ("load generator (label)"). */
export async function runLoad(spec: LoadSpec, label: string): Promise<LoadResult> {
  const stdout = await runToEnd(process.execPath, [NODE_TS, path.join(REPO_ROOT, "bench/lib/load-client.ts"), JSON.stringify(spec)], {
    timeoutMs: (spec.durationMs ?? 0) + 60_000,
    label: `load generator (${label})`,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as LoadResult;
}
