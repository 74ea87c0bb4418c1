import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors/index.ts";

export type ScaffoldLanguage = "python" | "typescript";

const IGNORE = `# Kept out of the bundle that \`sprocket build\` and \`sprocket push\` make (one glob per line,
# like .dockerignore, which is honoured too). node_modules, .git, .venv and __pycache__ always are.
*.log
.env
tmp/
`;

const PYTHON_COG = `# Cog's configuration: https://cog.run/yaml — this project runs unchanged with Cog or Sprocket.
build:
  # python_version: "3.11"
  # python_packages:
  #   - "numpy==1.26.4"
predict: "predict.py:Predictor"
`;

const PYTHON_PREDICTOR = `from cog import BasePredictor, Input


class Predictor(BasePredictor):
    def setup(self) -> None:
        """Runs once per instance: load weights here, not in predict()."""

    def predict(self, name: str = Input(description="Who to greet", default="world")) -> str:
        return f"hello {name}"
`;

const TS_COG = `# Cog's configuration, read by Sprocket; the predictor is TypeScript.
predict: "predict.ts:Predictor"
`;

const TS_PREDICTOR = `import { definePredictor, Input, Output } from "sprocket";

export const Predictor = definePredictor({
  inputs: {
    name: Input.string({ description: "Who to greet", default: "world" }),
  },
  output: Output.string(),
  async setup() {
    // Runs once per instance: load weights here, not in predict().
  },
  async predict({ name }) {
    return \`hello \${name}\`;
  },
});
`;

const readme = (language: ScaffoldLanguage, dir: string) => `# ${path.basename(path.resolve(dir))}

A model in Cog's format (\`cog.yaml\` + \`${language === "python" ? "predict.py" : "predict.ts"}\`), served by Sprocket.

\`\`\`sh
npx sprocket predict . -i name=Ada        # run it once, locally: hello Ada
npx sprocket build .                      # check cog.yaml and print the version id push will make
npx sprocket push . OWNER/NAME            # push it to your server (see \`sprocket login\`)
npx sprocket dev . OWNER/NAME             # push again on every save
npx sprocket run OWNER/NAME -i name=Ada   # run it on the server
\`\`\`

Files matched by \`.sprocketignore\` (or \`.dockerignore\`) stay out of the bundle.
`;

/** `sprocket init`: a model directory that runs as is. Never overwrites a file. */
export function scaffold(dir: string, language: ScaffoldLanguage): string[] {
  const files: Record<string, string> =
    language === "python"
      ? { "cog.yaml": PYTHON_COG, "predict.py": PYTHON_PREDICTOR }
      : { "cog.yaml": TS_COG, "predict.ts": TS_PREDICTOR };
  files[".sprocketignore"] = IGNORE;
  files["README.md"] = readme(language, dir);
  const existing = Object.keys(files).filter((file) => existsSync(path.join(dir, file)));
  if (existing.length > 0) {
    throw new AppError("bad_request", `${path.join(dir, existing[0])} already exists: run init in an empty directory, or remove it first`);
  }
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text, { flag: "wx" });
  return Object.keys(files);
}
