// Command-line options of the benchmarks: `--name value` pairs, nothing more.

/** The word after `name` on the command line, or undefined when `name` is not there. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
