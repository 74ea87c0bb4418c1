const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Server logs: one line each on stderr, timestamped; stdout is kept for what the user asked for. */
export function makeLogger(level: string): Logger {
  const threshold = LEVELS[level as keyof typeof LEVELS] ?? LEVELS.info;
  const at = (name: keyof typeof LEVELS) => (message: string) => {
    if (LEVELS[name] >= threshold) process.stderr.write(`${new Date().toISOString()} ${name} ${message}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
