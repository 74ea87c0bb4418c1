// Peak resident memory of processes over a stretch of time, for the files benchmark: each
// process's high-water mark (VmHWM) is reset at the start by writing "5" to /proc/<pid>/clear_refs
// (Linux ≥ 4.0; allowed for one's own processes), and VmRSS is sampled every `intervalMs` as well,
// so a peak is caught even where the reset is refused (then the samples alone count).
import { writeFileSync } from "node:fs";
import { peakRssBytes, rssBytes } from "./processes.ts";

export interface PeakReading {
  /** VmRSS when the watch started, bytes. */
  before: number | null;
  /** The largest of the samples and, when it was reset at the start, VmHWM at the end, bytes. */
  peak: number | null;
  /** Whether VmHWM was reset at the start (and so counts). */
  hwmReset: boolean;
  samples: number;
}

/** Resets a process's VmHWM to its current RSS; false when the kernel refused. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

export class PeakWatch {
  readonly #pids: number[];
  readonly #readings = new Map<number, PeakReading>();
  readonly #timer: NodeJS.Timeout;

  constructor(pids: number[], intervalMs = 20) {
    this.#pids = [...new Set(pids)];
    for (const pid of this.#pids) {
      const hwmReset = resetPeakRss(pid);
      const before = rssBytes(pid);
      this.#readings.set(pid, { before, peak: before, hwmReset, samples: 1 });
    }
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): void {
    for (const pid of this.#pids) {
      const reading = this.#readings.get(pid)!;
      const rss = rssBytes(pid);
      if (rss === null) continue;
      reading.samples++;
      reading.peak = Math.max(reading.peak ?? 0, rss);
    }
  }

  /** Stops sampling; the reading of each pid. */
  stop(): Map<number, PeakReading> {
    clearInterval(this.#timer);
    this.#sample();
    for (const pid of this.#pids) {
      const reading = this.#readings.get(pid)!;
      const hwm = reading.hwmReset ? peakRssBytes(pid) : null;
      if (hwm !== null) reading.peak = Math.max(reading.peak ?? 0, hwm);
    }
    return this.#readings;
  }
}
