// Which inputs of a version are Secrets and which are files (read from its schema once), and the
// check that uploaded-file inputs name the caller's own files. Split from prediction-service.ts.
import { validationError } from "../errors/index.ts";
import type { Store, VersionRecord } from "../store/store.ts";
import { fileInputNames, secretInputNames, uploadedFileInputs } from "./input-fields.ts";

/** Secret and file input names per version (schemas never change). */
export class InputKinds {
  private readonly cache = new Map<string, { secrets: string[]; files: string[] }>();

  of(version: VersionRecord): { secrets: string[]; files: string[] } {
    // A training's view of a version has other inputs (TrainingInput): its own entry.
    const key = `${version.owner}/${version.name}:${version.id}:${(version.openapiSchema.components as { schemas?: { Input?: { title?: string } } } | undefined)?.schemas?.Input?.title}`;
    let kinds = this.cache.get(key);
    if (!kinds) {
      kinds = { secrets: secretInputNames(version.openapiSchema), files: fileInputNames(version.openapiSchema) };
      this.cache.set(key, kinds);
    }
    return kinds;
  }
}

/**
 * File inputs naming uploaded files (`…/v1/files/{id}`) must name the caller's own: an unknown,
 * deleted or another account's file is a 422 on that input (the same answer for each, so ids of
 * other accounts' files cannot be probed).
 */
export async function checkUploadedFiles(store: Store, account: string, input: Record<string, unknown>, fileInputs: string[]): Promise<void> {
  const problems = [];
  for (const { field, id } of uploadedFileInputs(input, fileInputs)) {
    if (await store.getFile(account, id)) continue;
    problems.push({ type: "file_not_found", field, description: `file ${id} does not exist or is not yours (upload it with POST /v1/files)` });
  }
  if (problems.length > 0) throw validationError(problems);
}
