// Module resolution hook for predictor processes (registered with node:module's register()).
// 1. `sprocket` always means the SDK of the Sprocket that runs the model, so a model directory
//    needs no node_modules of its own to import it (as Cog puts `cog` on the path).
// 2. A bare import the model's directory cannot resolve falls back to Sprocket's own
//    node_modules, so models can use packages installed alongside Sprocket.
// 3. TypeScript and .js files of the model load as ES modules unless a package.json of the model
//    says "type": "commonjs": a model directory needs no package.json at all.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let sdkUrl;
let fallbackParent;
let modelRoot;

export async function initialize(data) {
  sdkUrl = data.sdkUrl;
  fallbackParent = data.fallbackParent;
  modelRoot = data.modelRoot;
}

function declaredType(file) {
  for (let dir = path.dirname(file); (dir + path.sep).startsWith(modelRoot); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, "utf8")).type ?? "commonjs";
      } catch {
        return undefined;
      }
    }
    if (dir === path.dirname(dir)) break;
  }
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "sprocket") return { url: sdkUrl, shortCircuit: true };
  try {
    const resolved = await nextResolve(specifier, context);
    if (modelRoot && resolved.url.startsWith("file:") && /\.(ts|js)$/.test(resolved.url)) {
      const file = fileURLToPath(resolved.url);
      if (file.startsWith(modelRoot) && !file.includes(`${path.sep}node_modules${path.sep}`) && declaredType(file) === undefined) {
        return { ...resolved, format: "module" };
      }
    }
    return resolved;
  } catch (error) {
    const bare = !specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.includes(":");
    if (bare && error && error.code === "ERR_MODULE_NOT_FOUND" && context.parentURL !== fallbackParent) {
      return nextResolve(specifier, { ...context, parentURL: fallbackParent });
    }
    throw error;
  }
}
