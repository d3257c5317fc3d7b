// `agent-wrapper start`: the supervisor in its own session, its output on the dyno's stdout; returns at once.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readBuildInfo } from '../build-info.js';
import type { Io } from '../io.js';
import { logLevelOf } from './buildpack-log.js';
import { slugPaths } from './paths.js';
import { runningSupervisor, writePidFile } from './pid-file.js';

/** The official buildpack's words, kept: users search for them. */
export const NO_API_KEY = 'DD_API_KEY environment variable not set. Run: heroku config:add DD_API_KEY=<your API key>';
export const DISABLED = 'The Datadog Agent has been disabled. Unset the DISABLE_DATADOG_AGENT or set missing environment variables.';

export function start(env: NodeJS.ProcessEnv, home: string, io: Io): number {
  const quiet = logLevelOf(env) === 'off';
  const say = (line: string): void => {
    if (!quiet) io.stdout.write(`${line}\n`);
  };
  if ((env.DD_API_KEY ?? '').trim() === '') {
    say(NO_API_KEY);
    return 0;
  }
  if ((env.DISABLE_DATADOG_AGENT ?? '') !== '') {
    say(DISABLED);
    return 0;
  }
  const paths = slugPaths(home);
  if (readBuildInfo(home) === undefined) {
    say(`Datadog: ${home} has no build info (was the slug built with the Datadog buildpack?); the agent is not started.`);
    return 1;
  }
  const running = runningSupervisor(paths);
  if (running !== undefined) {
    say(`Datadog: the agent supervisor is already running (pid ${running}).`);
    return 0;
  }
  // detached = setsid: the supervisor outlives this command and the shell that sourced .profile.d.
  const child = spawn(process.execPath, [join(paths.libDir, 'agent-wrapper.js'), 'supervise'], {
    env,
    cwd: home,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('error', (error: NodeJS.ErrnoException) => say(`Datadog: could not start the agent supervisor: ${error.code ?? error.message}`));
  if (child.pid !== undefined) writePidFile(paths, child.pid);
  child.unref();
  return 0;
}
