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
