// Module resolution hook for predictor processes (registered with node:module's register()).
// 1. `sprocket` always means the SDK of the Sprocket that runs the model, so a model directory
//    needs no node_modules of its own to import it (as Cog puts `cog` on the path).
// 2. A bare import the model's directory cannot resolve falls back to Sprocket's own
//    node_modules, so models can use packages installed alongside Sprocket.
let sdkUrl;
let fallbackParent;

export async function initialize(data) {
  sdkUrl = data.sdkUrl;
  fallbackParent = data.fallbackParent;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "sprocket") return { url: sdkUrl, shortCircuit: true };
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const bare = !specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.includes(":");
    if (bare && error && error.code === "ERR_MODULE_NOT_FOUND" && context.parentURL !== fallbackParent) {
      return nextResolve(specifier, { ...context, parentURL: fallbackParent });
    }
    throw error;
  }
}
