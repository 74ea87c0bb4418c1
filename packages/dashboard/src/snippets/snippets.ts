// "Copy as curl / JS / Python": the same create call the Run form makes, written for each client.
// The token is never written into a snippet: each reads REPLICATE_API_TOKEN from the environment.

export interface SnippetTarget {
  /** Where the API is, e.g. http://127.0.0.1:5000 (no /v1). */
  origin: string;
  /** `owner/name`, with `version` for a specific version; or a deployment's `owner/name`. */
  model?: string;
  version?: string;
  deployment?: string;
  input: Record<string, unknown>;
}

export type SnippetLanguage = "curl" | "javascript" | "python";

/** A string as one POSIX shell word in single quotes. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** JSON as a Python literal (true/false/null → True/False/None; strings stay JSON-escaped, which Python reads). */
export function pythonLiteral(value: unknown, indent = 0): string {
  const pad = "    ".repeat(indent + 1);
  const end = "    ".repeat(indent);
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "None";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${pad}${pythonLiteral(v, indent + 1)},`).join("\n")}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pythonLiteral(v, indent + 1)},`).join("\n")}\n${end}}`;
}

function indentJson(value: unknown, spaces: number): string {
  return JSON.stringify(value, null, 2).split("\n").join(`\n${" ".repeat(spaces)}`);
}

/** The model reference the clients' run() takes: owner/name or owner/name:version. */
function runRef(target: SnippetTarget): string {
  return target.version ? `${target.model}:${target.version}` : target.model!;
}

export function snippet(language: SnippetLanguage, target: SnippetTarget): string {
  const origin = target.origin.replace(/\/+$/, "");
  if (language === "curl") {
    const path = target.deployment
      ? `/v1/deployments/${target.deployment}/predictions`
      : target.version
        ? "/v1/predictions"
        : `/v1/models/${target.model}/predictions`;
    const body = target.version && !target.deployment ? { version: target.version, input: target.input } : { input: target.input };
    return [
      `curl -s -X POST \\`,
      `  -H "Authorization: Bearer $REPLICATE_API_TOKEN" \\`,
      `  -H "Content-Type: application/json" \\`,
      `  -H "Prefer: wait" \\`,
      `  -d ${shellQuote(JSON.stringify(body, null, 2))} \\`,
      `  ${origin}${path}`,
    ].join("\n");
  }
  if (language === "javascript") {
    const head = [
      `import Replicate from "replicate";`,
      ``,
      `const replicate = new Replicate({ auth: process.env.REPLICATE_API_TOKEN, baseUrl: ${JSON.stringify(`${origin}/v1`)} });`,
    ];
    if (target.deployment) {
      const [owner, name] = target.deployment.split("/");
      return [
        ...head,
        `const prediction = await replicate.deployments.predictions.create(${JSON.stringify(owner)}, ${JSON.stringify(name)}, {`,
        `  input: ${indentJson(target.input, 2)},`,
        `});`,
        `console.log((await replicate.wait(prediction)).output);`,
      ].join("\n");
    }
    return [...head, `const output = await replicate.run(${JSON.stringify(runRef(target))}, {`, `  input: ${indentJson(target.input, 2)},`, `});`, `console.log(output);`].join("\n");
  }
  // replicate 1.x for Python takes the origin without /v1 (it adds it); 2.x wants /v1.
  const head = [`import os`, `import replicate`, ``, `client = replicate.Client(api_token=os.environ["REPLICATE_API_TOKEN"], base_url=${JSON.stringify(origin)})`];
  if (target.deployment) {
    return [
      ...head,
      `deployment = client.deployments.get(${JSON.stringify(target.deployment)})`,
      `prediction = deployment.predictions.create(input=${pythonLiteral(target.input)})`,
      `prediction.wait()`,
      `print(prediction.output)`,
    ].join("\n");
  }
  return [...head, `output = client.run(`, `    ${JSON.stringify(runRef(target))},`, `    input=${pythonLiteral(target.input, 1)},`, `)`, `print(output)`].join("\n");
}
