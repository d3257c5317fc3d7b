// The buildpack's own messages in the agent's log shape, silenced by DD_LOG_LEVEL like the agents.
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../log.js';

/** DD_LOG_LEVEL as a level even when its value is invalid (then `info`, and readConfig reports it). */
export function logLevelOf(env: NodeJS.ProcessEnv): LogLevel {
  const raw = (env.DD_LOG_LEVEL ?? '').trim().toLowerCase();
  const level = raw === 'warning' ? 'warn' : raw;
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'info';
}

export function buildpackLogger(env: NodeJS.ProcessEnv, write: (line: string) => void): Logger {
  return createLogger('DATADOG-BUILDPACK', logLevelOf(env), write);
}
