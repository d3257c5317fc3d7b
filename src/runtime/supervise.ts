// `agent-wrapper supervise` (started by `start`): runs until SIGTERM, then stops the agents and exits 0.
import { existsSync } from 'node:fs';
import { readBuildInfo } from '../build-info.js';
import { readConfig } from '../config/variables.js';
import type { Io } from '../io.js';
import { agentEnv } from './agent-env.js';
import { agentProcesses } from './agent-processes.js';
import { buildpackLogger, logLevelOf } from './buildpack-log.js';
import { slugPaths } from './paths.js';
import { removePidFile, writePidFile, writeState } from './pid-file.js';
import { Supervisor } from './supervisor.js';

export async function supervise(env: NodeJS.ProcessEnv, home: string, io: Io): Promise<number> {
  // A closed log pipe must not kill the supervisor (and with it the agents).
  if (io.stdout === process.stdout) process.stdout.on('error', () => {});
  const write = (text: string): void => void io.stdout.write(text);
  const log = buildpackLogger(env, write);
  const paths = slugPaths(home);
  const info = readBuildInfo(home);
  if (info === undefined) {
    log.error(`${home} has no build info: nothing to supervise.`);
    removePidFile(paths, process.pid);
    return 1;
  }
  const { config } = readConfig(env, 'runtime');
  const processes = agentProcesses(info, config, paths, process.execPath, (m) => log.warn(m));
  const missing = processes.filter((p) => !existsSync(p.program));
  if (missing.some((p) => !p.needsAuthToken)) {
    log.error(`the agent is missing from this slug (${missing.map((p) => p.program).join(', ')}): rebuild the app.`);
    removePidFile(paths, process.pid);
    return 1;
  }
  writePidFile(paths, process.pid);
  const startedAt = new Date().toISOString();
  const supervisor = new Supervisor({
    processes: processes.filter((p) => !missing.includes(p)),
    env: agentEnv(env, home, info.flavor),
    authToken: paths.authToken,
    level: logLevelOf(env),
    log,
    write,
    onChange: (children) => {
      try {
        writeState(paths, { pid: process.pid, startedAt, children });
      } catch {
        // The state only feeds `agent-wrapper status`; the agents matter more.
      }
    },
  });
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string) => () => {
      log.info(`${signal} received: stopping the agents`);
      void supervisor.stop().then(resolve);
    };
    // Heroku signals every process of the dyno; a second signal changes nothing.
    process.on('SIGTERM', onSignal('SIGTERM'));
    process.on('SIGINT', onSignal('SIGINT'));
    process.on('SIGHUP', () => {});
  });
  log.info(`supervising ${processes.map((p) => p.name).join(', ')} (${info.flavor} flavour${info.agentVersion ? ` ${info.agentVersion}` : ''})`);
  supervisor.start();
  await stopped;
  removePidFile(paths, process.pid);
  log.info('all agents stopped');
  return 0;
}
