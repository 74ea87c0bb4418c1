// Which inputs of a version need special handling, read from its schema's Input component.

type Properties = Record<string, Record<string, unknown> & { items?: Record<string, unknown> }>;

function inputProperties(openapiSchema: Record<string, unknown>): Properties {
  const schemas = ((openapiSchema.components as { schemas?: Record<string, unknown> } | undefined)?.schemas ?? {}) as Record<
    string,
    { properties?: Properties }
  >;
  return schemas.Input?.properties ?? {};
}

/** Names of the inputs the schema marks secret (directly or as a list of secrets). */
export function secretInputNames(openapiSchema: Record<string, unknown>): string[] {
  return Object.entries(inputProperties(openapiSchema))
    .filter(([, p]) => p["x-cog-secret"] === true || p.items?.["x-cog-secret"] === true)
    .map(([name]) => name);
}

/** Names of file inputs (`format: uri`, directly or as a list), whose URLs are fetched before a run. */
export function fileInputNames(openapiSchema: Record<string, unknown>): string[] {
  return Object.entries(inputProperties(openapiSchema))
    .filter(([, p]) => p.format === "uri" || p.items?.format === "uri")
    .map(([name]) => name);
}

/**
 * A Files API file's `urls.get` (`<origin>/v1/files/{id}`): matched on the path whatever the
 * origin, since the origin a client used (proxy, localhost, public URL) is not known later. Fetching
 * that URL would only give the file's JSON description, so such inputs are resolved internally.
 */
const UPLOADED_FILE_URL = /^https?:\/\/[^/?#]+\/v1\/files\/([A-Za-z0-9_-]{1,64})\/?$/;

/** The file id in an uploaded file's URL, or null for any other value. */
export function uploadedFileId(value: unknown): string | null {
  return typeof value === "string" ? (UPLOADED_FILE_URL.exec(value)?.[1] ?? null) : null;
}

/** Every uploaded file the named file inputs refer to (single values and list items), by input name. */
export function uploadedFileInputs(input: Record<string, unknown>, fileInputs: string[]): { field: string; id: string }[] {
  const found: { field: string; id: string }[] = [];
  for (const field of fileInputs) {
    const value = input[field];
    for (const item of Array.isArray(value) ? value : [value]) {
      const id = uploadedFileId(item);
      if (id) found.push({ field, id });
    }
  }
  return found;
}
