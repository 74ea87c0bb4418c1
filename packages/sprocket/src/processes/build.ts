import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors/index.ts";
import { collectDirectory, versionIdOf, type CollectedBundle } from "../models/bundle.ts";
import type { CogConfig } from "../models/cog-yaml.ts";
import { lintCogYaml } from "../models/cog-yaml-lint.ts";
import { runnerCommands } from "../worker/runner-command.ts";
import { readModelSchema } from "../worker/schema-reader.ts";
import { modelEnvironment } from "./child-env.ts";
import { HashCache } from "./hash-cache.ts";

export interface BuildOptions {
  dir: string;
  /** The user's cache directory (config's userCacheDir), or null to hash everything every time. */
  cacheDir: string | null;
  /** Also load the predictor and read its schema, as the server will (`sprocket build`). */
  loadPredictor?: { env: Record<string, string | undefined>; execPath: string; python: string };
}

export interface BuildResult extends CollectedBundle {
  /** The version id the server will give this bundle (the same function computes it there). */
  id: string;
  config: CogConfig;
  bytes: number;
  /** Bytes read to hash files this time (0 when every big file came from the hash cache). */
  hashedBytes: number;
  notes: string[];
}

/**
 * `sprocket build` and the first half of `push`/`dev`: check cog.yaml (errors name file, line and
 * fix), bundle the directory with ignore files honoured, and compute the version id.
 */
export async function buildBundle(options: BuildOptions): Promise<BuildResult> {
  const dir = path.resolve(options.dir);
  const cogYaml = path.join(dir, "cog.yaml");
  if (!existsSync(cogYaml)) throw new AppError("bundle_invalid", `${dir} has no cog.yaml — run \`sprocket init ${options.dir}\` to create one`);
  const config = lintCogYaml(dir, readFileSync(cogYaml, "utf8"));
  const cache = HashCache.inDir(options.cacheDir);
  const bundle = collectDirectory(dir, (file, stat) => cache.hash(file, stat));
  cache.save();
  const notes: string[] = [];
  if (options.loadPredictor) {
    const { env, execPath, python } = options.loadPredictor;
    if (config.build.pythonPackages.length > 0 || config.build.pythonRequirements) {
      notes.push("the predictor was not loaded here: its build.python_packages/python_requirements are installed by the server at push");
    } else {
      await readModelSchema(dir, runnerCommands(execPath, python), modelEnvironment(env)).catch((error: Error) => {
        throw new AppError("bundle_invalid", `${cogYaml}:${config.predictorLine}: ${config.predictor} could not be loaded: ${error.message.trim().split("\n").at(-1)}`);
      });
    }
  }
  let bytes = 0;
  for (const file of bundle.sources.values()) bytes += statSync(file).size;
  return { ...bundle, id: versionIdOf(bundle.manifest), config, bytes, hashedBytes: cache.hashedBytes, notes };
}
