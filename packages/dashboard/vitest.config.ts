import { defineConfig } from "vitest/config";

// Component tests run in Node: pure functions (schema → fields, snippets, output choices) and
// components rendered to HTML with react-dom/server. No DOM emulation to install.
export default defineConfig({
  test: { include: ["src/**/*.test.{ts,tsx}"], environment: "node" },
});
