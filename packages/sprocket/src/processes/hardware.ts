import { execFile } from "node:child_process";
import type { Hardware } from "../protocol/api-types.ts";

/** One NVIDIA GPU on this host: its index as `nvidia-smi` numbers it, and its kind's sku. */
export interface GpuInfo {
  index: number;
  name: string;
  sku: string;
}

/**
 * The NVIDIA GPUs `nvidia-smi` reports on this host (none when it is missing or fails). Each line
 * of `--query-gpu=index,name` is "0, NVIDIA A100-SXM4-80GB"; the index is what an instance gets
 * in CUDA_VISIBLE_DEVICES (see worker/gpu-devices.ts).
 */
export function detectGpus(): Promise<GpuInfo[]> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["--query-gpu=index,name", "--format=csv,noheader"], { timeout: 5000 }, (error, stdout) => {
      if (error) return resolve([]);
      const gpus: GpuInfo[] = [];
      for (const line of stdout.split("\n")) {
        const match = /^\s*(\d+)\s*,\s*(.+?)\s*$/.exec(line);
        if (match) gpus.push({ index: Number(match[1]), name: match[2], sku: gpuSku(match[2]) });
      }
      resolve(gpus);
    });
  });
}

/** What `GET /v1/hardware` lists: the CPU always, and each kind of GPU among `gpus` once. */
export function listHardware(gpus: readonly GpuInfo[]): Hardware[] {
  const kinds = new Map(gpus.map((gpu) => [gpu.sku, `Nvidia ${gpu.name.replace(/^NVIDIA\s+/i, "")} GPU`]));
  return [{ name: "CPU", sku: "cpu" }, ...[...kinds].map(([sku, name]) => ({ name, sku }))];
}

export function gpuSku(name: string): string {
  const slug = name
    .replace(/^NVIDIA\s+/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `gpu-${slug}`;
}
