import type { CogBuild, Runtime } from "../protocol/cog-reference.ts";

/**
 * Prepares what a version needs on this host before it can start (a Python environment with its
 * packages) and reports, as notes, every part of `build:` it could not honour — never silently.
 * Throws an AppError (422) when the version cannot work here, naming what is missing.
 * Implemented by worker/python-environment.ts (it runs python, pip and dpkg-query).
 */
export type EnvironmentPreparer = (dir: string, build: CogBuild, runtime: Runtime) => Promise<{ notes: string[] }>;
