import { execFile } from "node:child_process";
import type { Hardware } from "../protocol/api-types.ts";

/**
 * What `GET /v1/hardware` lists: the CPU always, and each kind of NVIDIA GPU that `nvidia-smi`
 * reports on this host (none when it is missing or fails).
 */
export function detectHardware(): Promise<Hardware[]> {
  const cpu: Hardware = { name: "CPU", sku: "cpu" };
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], { timeout: 5000 }, (error, stdout) => {
      if (error) return resolve([cpu]);
      const names = [...new Set(stdout.split("\n").map((l) => l.trim()).filter(Boolean))];
      resolve([cpu, ...names.map((name) => ({ name: `Nvidia ${name.replace(/^NVIDIA\s+/i, "")} GPU`, sku: gpuSku(name) }))]);
    });
  });
}

export function gpuSku(name: string): string {
  const slug = name
    .replace(/^NVIDIA\s+/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `gpu-${slug}`;
}
