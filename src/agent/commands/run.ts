// `agent run`: starts every component, serves until SIGTERM/SIGINT, then stops them within
// the deadline (default 20 s, inside Heroku's 30 s grace) and exits 0. An uncaught exception or
// unhandled rejection is logged, the agent flushes what it holds within CRASH_STOP_TIMEOUT_MS, and
// it exits 1, for the supervisor to restart it (the sockets, held by the supervisor, wait meanwhile).
import type { Io } from '../../io.js';
import { createAgent } from '../agent.js';
import { createLogger } from '../../log.js';
import { loadSettings } from '../settings.js';
import type { AgentArgs } from './args.js';

export const DEFAULT_STOP_TIMEOUT_MS = 20_000;
/** How long a crashing agent may take to flush what it holds before it exits 1. */
export const CRASH_STOP_TIMEOUT_MS = 5_000;

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export async function runCommand(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io, signals: NodeJS.EventEmitter = process): Promise<number> {
  const settings = loadSettings(args.configPath, env);
  const logger = createLogger('CORE', settings.logLevel, (line) => io.stdout.write(line));
  for (const problem of settings.problems) logger.warn(problem);
  if (settings.apiKey === undefined || settings.apiKey === '') {
    logger.error('no API key: set DD_API_KEY (heroku config:set DD_API_KEY=<your API key>)');
    return 1;
  }
  const flushIntervalMs = Number(args.flags.get('flush-interval-ms') ?? '') || undefined;
  const stopTimeoutMs = Number(args.flags.get('stop-timeout-ms') ?? '') || DEFAULT_STOP_TIMEOUT_MS;
  let agent: ReturnType<typeof createAgent>;
  try {
    agent = createAgent(settings, { logger, ...(flushIntervalMs !== undefined ? { flushIntervalMs } : {}) });
  } catch (error) {
    logger.error(`cannot start: ${(error as Error).message}`);
    return 1;
  }
  // Heroku signals every process of the dyno and the supervisor forwards it too: later signals
  // must not kill the flush in progress, so the handlers stay installed until exit. They are in
  // place before the components start, as a listener may take input before the last one is up.
  const stopSignal = new Promise<string>((resolve) => {
    signals.on('SIGTERM', () => resolve('SIGTERM'));
    signals.on('SIGINT', () => resolve('SIGINT'));
  });
  // A bug must not lose the open bucket: the first uncaught error stops the agent (flushing), later
  // ones are logged only. The handlers stay until exit, so none of them kills the flush.
  let crashed = false;
  const crash = new Promise<unknown>((resolve) => {
    const onError = (kind: string) => (error: unknown) => {
      logger.error(`${kind}${crashed ? ' while stopping' : ''}: ${describe(error)}`);
      if (crashed) return;
      crashed = true;
      resolve(error);
    };
    signals.on('uncaughtException', onError('uncaught exception'));
    signals.on('unhandledRejection', onError('unhandled rejection'));
  });
  try {
    await agent.start();
  } catch (error) {
    logger.error(`cannot start: ${(error as Error).message}`);
    await agent.stop(Date.now() + 2_000);
    return 1;
  }
  logger.info(`built-in agent running as ${settings.hostname}; sending to ${agent.status().endpoint}`);
  const signal = await Promise.race([stopSignal, crash.then(() => undefined)]);
  if (signal === undefined) {
    logger.error(`stopping after an uncaught error: flushing within ${CRASH_STOP_TIMEOUT_MS} ms, then exiting 1 to be restarted`);
    const deadline = Date.now() + CRASH_STOP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      agent.stop(deadline),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CRASH_STOP_TIMEOUT_MS + 1_000);
      }),
    ]);
    clearTimeout(timer);
    const forwarder = agent.transport.status();
    logger.info(`stopped: ${String(forwarder.payloadsSent)} payloads delivered, ${String(forwarder.droppedAtDeadline)} not delivered before the deadline`);
    return 1;
  }
  logger.info(`${signal} received: flushing and stopping within ${stopTimeoutMs} ms`);
  const deadline = Date.now() + stopTimeoutMs;
  await agent.stop(deadline);
  const forwarder = agent.transport.status();
  logger.info(`stopped: ${String(forwarder.payloadsSent)} payloads delivered, ${String(forwarder.droppedAtDeadline)} not delivered before the deadline`);
  return 0;
}
