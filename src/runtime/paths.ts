// Where things are in a slug, from HOME (/app in a dyno, the build dir in tests).
import { join } from 'node:path';
import { SLUG, SUPERVISOR_PID_FILE } from '../constants.js';

export interface SlugPaths {
  readonly home: string;
  readonly agentRoot: string;
  readonly confDir: string;
  readonly datadogYaml: string;
  readonly authToken: string;
  readonly confD: string;
  readonly checksD: string;
  readonly logDir: string;
  readonly runDir: string;
  readonly pidFile: string;
  readonly stateFile: string;
  readonly libDir: string;
}

export function slugPaths(home: string): SlugPaths {
  const confDir = join(home, SLUG.confDir);
  const runDir = join(home, SLUG.runDir);
  return {
    home,
    agentRoot: join(home, SLUG.agentRoot),
    confDir,
    datadogYaml: join(confDir, 'datadog.yaml'),
    authToken: join(confDir, 'auth_token'),
    confD: join(confDir, 'conf.d'),
    checksD: join(confDir, 'checks.d'),
    logDir: join(home, SLUG.logDir),
    runDir,
    pidFile: join(runDir, SUPERVISOR_PID_FILE),
    stateFile: join(runDir, SUPERVISOR_PID_FILE.replace(/\.pid$/, '.json')),
    libDir: join(home, SLUG.buildpackRoot, 'lib'),
  };
}

/** The app's folder of agent config (`conf.d/`, `checks.d/`, `prerun.sh`). */
export function herokuConfFolder(home: string, configured: string | undefined): string {
  return configured !== undefined && configured !== '' ? configured : join(home, 'datadog');
}
