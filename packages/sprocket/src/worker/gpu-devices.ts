/** A GPU an instance may be given: its `nvidia-smi` index and its kind (`gpu-…` sku). */
export interface GpuDevice {
  index: number;
  sku: string;
}

/** A GPU sku (`GET /v1/hardware`): anything but the CPU is named `gpu-…` (processes/hardware.ts). */
export function isGpuSku(sku: string): boolean {
  return sku.startsWith("gpu-");
}

/**
 * The GPUs of this host and which are free. Each instance of a GPU pool holds one device for its
 * whole life (models load weights onto it in setup()), so two instances never share a device and
 * the device is free again only once the process has exited.
 */
export class GpuDevices {
  private readonly free: GpuDevice[];

  constructor(private readonly all: readonly GpuDevice[]) {
    this.free = [...all];
  }

  /** How many devices of this kind the host has at all, free or not. */
  total(sku: string): number {
    return this.all.filter((d) => d.sku === sku).length;
  }

  available(sku: string): number {
    return this.free.filter((d) => d.sku === sku).length;
  }

  /** The free device of this kind with the lowest index, now held; null when none is free. */
  take(sku: string): GpuDevice | null {
    const candidates = this.free.filter((d) => d.sku === sku).sort((a, b) => a.index - b.index);
    if (candidates.length === 0) return null;
    this.free.splice(this.free.indexOf(candidates[0]), 1);
    return candidates[0];
  }

  give(device: GpuDevice): void {
    if (!this.free.includes(device)) this.free.push(device);
  }
}

/**
 * What a model process sees of the GPUs: its own device, or none. CPU instances get an empty
 * CUDA_VISIBLE_DEVICES, so a model on CPU hardware cannot take a GPU that another instance holds
 * (frameworks use every visible device when the variable is unset). CUDA numbers devices fastest
 * first unless told otherwise; PCI bus order is the order `nvidia-smi` indexes them in.
 */
export function deviceEnv(device: GpuDevice | null): Record<string, string> {
  return { CUDA_VISIBLE_DEVICES: device ? String(device.index) : "", CUDA_DEVICE_ORDER: "PCI_BUS_ID" };
}
