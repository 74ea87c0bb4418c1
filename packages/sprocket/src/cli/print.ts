/** Output helpers shared by the commands that show server resources. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain aligned table (no colours, no box drawing), so it reads in a terminal and greps in a pipe. */
export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) {
    process.stderr.write("(none)\n");
    return;
  }
  const cells = rows.map((row) => columns.map((column) => text(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i].length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i])).join("  ").trimEnd();
  process.stdout.write(`${[line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join("\n")}\n`);
}

/** Key: value lines for one resource. */
export function printFields(record: Record<string, unknown>, keys: string[]): void {
  const width = Math.max(...keys.map((key) => key.length));
  process.stdout.write(`${keys.map((key) => `${`${key}:`.padEnd(width + 1)} ${text(record[key])}`).join("\n")}\n`);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The next page, said on stderr so stdout stays the page itself. */
export function noteMore(next: string | null | undefined): void {
  if (next) process.stderr.write(`more results: ${next}\n`);
}

/** A prediction's output: text as is, anything else as JSON. */
export function printOutput(output: unknown): void {
  process.stdout.write(`${typeof output === "string" ? output : JSON.stringify(output, null, 2)}\n`);
}
