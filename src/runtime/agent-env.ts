// The environment of an agent child: LD_LIBRARY_PATH and PYTHONPATH are set here only, never exported
// to the app (they would break the app's own binaries and Python).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildInfo } from '../build-info.js';
import { SLUG } from '../constants.js';
import { tagsForAgent } from './tags.js';

/**
 * Variables only the buildpack reads: the official agent logs "Unknown environment variable" for each
 * DD_* it does not know (official buildpack #291), so its processes do not get them.
 */
export const BUILDPACK_ONLY_VARIABLES: readonly string[] = [
  'DD_AGENT_FLAVOR', 'DD_AGENT_VERSION', 'DD_AGENT_MAJOR_VERSION', 'DD_PYTHON_VERSION', 'DD_PROCESS_AGENT',
  'DD_APT_REPO_URL', 'DD_APT_KEYS_URL', 'DD_NODE_DIST_URL', 'DD_DYNO_HOST', 'DD_HEROKU_CONF_FOLDER',
  'DD_DISABLE_HOST_METRICS', 'DD_ENABLE_HEROKU_POSTGRES', 'DD_POSTGRES_URL_VAR', 'DD_ENABLE_DBM',
  'DD_ENABLE_HEROKU_REDIS', 'DD_REDIS_URL_VAR', 'DD_CONF_DIR',
];

function pythonDir(agentRoot: string): string | undefined {
  try {
    return readdirSync(join(agentRoot, 'embedded/lib')).find((name) => /^python[23]\.\d+$/.test(name));
  } catch {
    return undefined;
  }
}

/** `env` plus what the flavour's agent binaries need; the official agent gets DD_TAGS space-separated. */
export function agentEnv(env: NodeJS.ProcessEnv, home: string, flavor: BuildInfo['flavor']): NodeJS.ProcessEnv {
  if (flavor !== 'official') return { ...env };
  const agentRoot = join(home, SLUG.agentRoot);
  const apt = join(home, SLUG.aptRoot);
  const libraries = [join(agentRoot, 'embedded/lib'), join(apt, 'usr/lib/x86_64-linux-gnu'), join(apt, 'usr/lib')];
  const python = pythonDir(agentRoot);
  const pythonPath = python === undefined ? [] : [
    join(agentRoot, 'bin/agent/dist'),
    join(agentRoot, 'embedded/lib', python),
    join(agentRoot, 'embedded/lib', python, 'lib-dynload'),
    join(agentRoot, 'embedded/lib', python, 'site-packages'),
  ];
  const result: NodeJS.ProcessEnv = {
    ...env,
    LD_LIBRARY_PATH: [...libraries, env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
  for (const name of BUILDPACK_ONLY_VARIABLES) delete result[name];
  if (pythonPath.length > 0) result.PYTHONPATH = pythonPath.join(':');
  if (env.DD_TAGS !== undefined) result.DD_TAGS = tagsForAgent(env.DD_TAGS);
  return result;
}
