// Formatting for the benchmarks' reports: the table (fixed-width columns, numbers rounded for
// reading) and the JSON line of figures.

export interface Row {
  metric: string;
  sprocket: number | null;
  baseline: number | null;
  /** Decimals to print. */
  digits: number;
  target?: string;
  /** Whether the Sprocket figure meets the target, when there is one. */
  meets?: boolean;
}

export function formatNumber(value: number | null, digits: number): string {
  if (value === null || !Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(sprocket: number | null, baseline: number | null): string {
  if (sprocket === null || baseline === null || !baseline || !Number.isFinite(sprocket / baseline)) return "n/a";
  return `${(sprocket / baseline).toFixed(2)}×`;
}

export function table(rows: Row[]): string {
  const header = ["metric", "Sprocket", "baseline", "ratio", "target (Sprocket)"];
  const lines = rows.map((r) => [
    r.metric,
    formatNumber(r.sprocket, r.digits),
    formatNumber(r.baseline, r.digits),
    ratio(r.sprocket, r.baseline),
    r.target ? `${r.target} ${r.meets ? "(met)" : "(NOT met)"}` : "",
  ]);
  return renderTable(header, lines, [false, true, true, true, false]);
}

/** A Markdown table, columns padded to their widest cell; `right[i]` right-aligns column i. */
export function renderTable(header: string[], lines: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [fmt(header), rule, ...lines.map(fmt)].join("\n");
}

/** The figures as one JSON line on stdout, every number rounded to 3 decimals. */
export function writeFigures(figures: object): void {
  process.stdout.write(`${JSON.stringify(figures, (_k, v) => (typeof v === "number" ? Math.round(v * 1000) / 1000 : v))}\n`);
}
