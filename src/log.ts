// Log lines in the official agent's shape (`2026-11-23 10:57:15 UTC | CORE | INFO | message`), for the
// built-in agent and for the runtime (agent-wrapper, the supervisor) alike.

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'off'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Logs `message` only the first time `key` is seen: for conditions that repeat, like a bad API key. */
  once(key: string, level: Exclude<LogLevel, 'off'>, message: string): void;
}

function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function createLogger(
  component: string,
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
  now: () => Date = () => new Date(),
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const seen = new Set<string>();
  const log = (at: Exclude<LogLevel, 'off'>, message: string): void => {
    if (LOG_LEVELS.indexOf(at) < threshold) return;
    write(`${timestamp(now())} | ${component} | ${at.toUpperCase()} | ${message}\n`);
  };
  return {
    trace: (m) => log('trace', m),
    debug: (m) => log('debug', m),
    info: (m) => log('info', m),
    warn: (m) => log('warn', m),
    error: (m) => log('error', m),
    once: (key, at, m) => {
      if (seen.has(key)) return;
      seen.add(key);
      log(at, m);
    },
  };
}
