#!/usr/bin/env node
// The `sprocket` command. Loads the CLI from TypeScript source through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
await main(process.argv.slice(2));
