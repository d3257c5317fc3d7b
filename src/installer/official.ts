import type { Config } from '../config/variables.js';
import type { BuildContext } from './build.js';
import type { PackageCache } from './cache.js';
import { BuildError } from './errors.js';
import type { BuildOutput } from './output.js';

export interface InstalledAgent {
  readonly packageName: 'datadog-heroku-agent' | 'datadog-agent';
  readonly version: string;
}

export async function installOfficialAgent(_ctx: BuildContext, _config: Config, _cache: PackageCache, _out: BuildOutput): Promise<InstalledAgent> {
  throw new BuildError('CONFIG_INVALID', 'The official flavour is not available in this build yet.', 'Set DD_AGENT_FLAVOR=builtin.');
}
