import path from "node:path";
import type { ApiClient } from "./api-client.ts";
import { buildBundle } from "./build.ts";
import { readDevSession } from "./dev-session.ts";
import type { LocalResult } from "./local-predict.ts";
import { remoteRun } from "./remote-run.ts";

export interface DevPredictOptions {
  dir: string;
  inputs: string[];
  outputDir: string;
  cacheDir: string | null;
  /** The client for the dev session's server, with the token this command would use anyway. */
  connect(server: string): ApiClient;
  /** Why the warm instance was used, or why not (then the caller runs the model itself). */
  note(message: string): void;
}

/**
 * `sprocket predict DIR` while `sprocket dev DIR` runs: the prediction goes to the deployment dev
 * keeps warm, so setup() is not run again — but only while the directory still builds to the version
 * that instance runs (an edit dev has not pushed yet would otherwise answer with old code). Null
 * when there is no such session, or it cannot be used: the caller then runs the model locally.
 */
export async function predictOnDevSession(options: DevPredictOptions): Promise<LocalResult | null> {
  const session = readDevSession(options.cacheDir, options.dir);
  if (!session) return null;
  let id: string;
  try {
    ({ id } = await buildBundle({ dir: options.dir, cacheDir: options.cacheDir }));
  } catch {
    return null; // The local run reports what is wrong with the directory.
  }
  const where = `sprocket dev (pid ${session.pid}, deployment ${session.deployment})`;
  if (id !== session.version) {
    options.note(`${where} has not pushed this directory's latest edit yet; running the model here`);
    return null;
  }
  const [owner, name] = session.deployment.split("/");
  try {
    const { prediction, output, files } = await remoteRun({
      api: options.connect(session.server),
      owner,
      name,
      version: null,
      deployment: true,
      inputs: options.inputs,
      outputDir: path.resolve(options.outputDir),
    });
    options.note(`ran on the warm instance of ${where}: prediction ${prediction.id}`);
    const input = (prediction.input ?? {}) as Record<string, unknown>;
    if (prediction.status === "succeeded") return { status: "succeeded", output, input, files };
    if (prediction.status === "failed") return { status: "failed", error: String(prediction.error ?? "the prediction failed"), input, files: [] };
    return { status: "canceled", input, files: [] };
  } catch (error) {
    options.note(`could not use ${where}: ${(error as Error).message}; running the model here`);
    return null;
  }
}
