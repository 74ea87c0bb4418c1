// Summarizes a V8 CPU profile (.cpuprofile, as written by `node --cpu-prof`): where the time went,
// by function (self and inclusive), by file and by package, as percentages of the sampled time.
//
//   node packages/sprocket/bin/node-ts.mjs bench/cpu-profile-summary.ts FILE.cpuprofile [--top N]
//
// Use with `prediction-latency.ts --cpu-prof DIR`, which profiles the Sprocket server and its model
// instance during the benchmark (the largest profile in DIR is usually the server's).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
  console.error("usage: cpu-profile-summary.ts FILE.cpuprofile [--top N]");
  process.exit(2);
}
const topIndex = process.argv.indexOf("--top");
const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 25;
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

// Self time per node: each sample's time delta belongs to the node it hit.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

function shortUrl(url: string): string {
  if (!url) return "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  const src = url.indexOf("/packages/sprocket/");
  if (src >= 0) return url.slice(src + "/packages/sprocket/".length);
  return url.replace(/^file:\/\//, "");
}
function functionKey(n: ProfileNode): string {
  const f = n.callFrame;
  return `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
}
function packageKey(n: ProfileNode): string {
  const url = n.callFrame.url;
  if (!url) return n.callFrame.functionName.startsWith("(") ? n.callFrame.functionName : "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const parts = url.slice(nm + "node_modules/".length).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith("node:")) return "node core";
  const src = url.indexOf("/packages/sprocket/src/");
  if (src >= 0) return `sprocket/src/${url.slice(src + "/packages/sprocket/src/".length).split("/")[0]}`;
  return shortUrl(url);
}

const self = new Map<string, number>();
const files = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  add(self, functionKey(n), us);
  add(files, shortUrl(n.callFrame.url), us);
  add(packages, packageKey(n), us);
}

// Inclusive time per function: a node's self time counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const key = functionKey(byId.get(cur)!);
    if (seen.has(key)) continue;
    seen.add(key);
    add(inclusive, key, us);
  }
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}
function print(title: string, map: Map<string, number>, n: number): void {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  }
}

console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, ${profile.samples.length} samples`);
print("by package / source folder (self time)", packages, top);
print("by file (self time)", files, top);
print("by function (self time)", self, top);
print("by function (inclusive time)", inclusive, top);
