// `agent-wrapper prepare`: Heroku's environment → exported DD_* variables and the agent's config files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname as machineHostname } from 'node:os';
import { join } from 'node:path';
import { readBuildInfo, type BuildInfo } from '../build-info.js';
import { BUILDPACK_VERSION } from '../constants.js';
import { readConfig } from '../config/variables.js';
import { syncAppConfig } from './conf-sync.js';
import { builtinYaml, isYamlMapping, officialYaml, type YamlSettings } from './datadog-yaml.js';
import { setHostChecks } from './host-checks.js';
import { deriveHostname } from './hostname.js';
import { checkConfig, instancesFrom, postgresInstance, redisInstance } from './integrations.js';
import { herokuConfFolder, slugPaths, type SlugPaths } from './paths.js';
import { exportLine } from './shell-quote.js';
import { dynoTags, dynoType, mergeTags, tagsForEnv } from './tags.js';
import { writeFileAtomic } from './write-file.js';

export interface PrepareOptions {
  /** Only recompute the variables (after prerun.sh changed some), write no file. */
  readonly envOnly?: boolean;
  /** The machine's host name; `os.hostname()` unless a test pins it. */
  readonly machine?: string;
}

export interface PrepareResult {
  /** Ordered NAME → value pairs to export. */
  readonly exports: [string, string][];
  readonly warnings: string[];
  /** Config files written, relative to the agent's config dir. */
  readonly written: string[];
}

function derivedVariables(env: NodeJS.ProcessEnv, home: string, machine: string): { exports: [string, string][]; warnings: string[]; hostname: string; tags: string[] } {
  const warnings: string[] = [];
  const { config } = readConfig(env, 'runtime');
  const host = deriveHostname({
    ddHostname: config.DD_HOSTNAME,
    dynoHost: config.DD_DYNO_HOST,
    appName: env.HEROKU_APP_NAME,
    dyno: env.DYNO,
    machine,
  });
  warnings.push(...host.warnings);
  const tags = mergeTags(dynoTags({ dyno: env.DYNO, appName: env.HEROKU_APP_NAME, buildpackVersion: BUILDPACK_VERSION }), config.DD_TAGS);
  const exports: [string, string][] = [
    ['DD_HOSTNAME', host.hostname],
    ['DYNOTYPE', dynoType(env.DYNO)],
    ['DD_TAGS', tagsForEnv(tags)],
    ['DD_HOST_ALIASES', machine],
    ['DD_CONF_DIR', slugPaths(home).confDir],
    ['DD_HEROKU_DYNO', 'true'],
  ];
  const version = config.DD_VERSION || env.HEROKU_RELEASE_VERSION;
  if (version) exports.push(['DD_VERSION', version]);
  return { exports, warnings, hostname: host.hostname, tags };
}

/** Agent 6 with Python 3 kept must be told so in datadog.yaml (agent 7 has Python 3 only). */
function needsPython3Setting(info: BuildInfo, agentRoot: string): boolean {
  if (!info.agentVersion?.startsWith('6.')) return false;
  try {
    return readdirSync(join(agentRoot, 'embedded/lib')).some((name) => /^python3\.\d+$/.test(name));
  } catch {
    return false;
  }
}

function writeDatadogYaml(settings: YamlSettings, info: BuildInfo, warnings: string[]): void {
  const paths = settings.paths;
  let text: string;
  if (info.flavor === 'official') {
    const examplePath = `${paths.datadogYaml}.example`;
    const example = existsSync(examplePath) ? readFileSync(examplePath, 'utf8') : '';
    if (example === '') warnings.push(`${examplePath} is missing: datadog.yaml holds only the buildpack's settings.`);
    text = officialYaml(example, settings);
    if (!isYamlMapping(text)) {
      warnings.push('datadog.yaml.example does not patch into valid YAML: datadog.yaml holds only the buildpack\'s settings.');
      text = officialYaml('', settings);
    }
    if (needsPython3Setting(info, paths.agentRoot) && !/^python_version:/m.test(text)) text += 'python_version: 3\n';
    // The official buildpack's install method, reported by the agent in its metadata.
    writeFileAtomic(join(paths.confDir, 'install_info'), `install_method:\n  tool: heroku\n  tool_version: heroku\n  installer_version: heroku-${BUILDPACK_VERSION}\n`);
  } else {
    text = builtinYaml(settings);
  }
  writeFileAtomic(paths.datadogYaml, text);
}

function writeIntegrations(env: NodeJS.ProcessEnv, paths: SlugPaths, written: string[], warnings: string[]): void {
  const { config } = readConfig(env, 'runtime');
  const checks = [
    config.DD_ENABLE_HEROKU_POSTGRES && {
      check: 'postgres',
      result: instancesFrom('DD_ENABLE_HEROKU_POSTGRES', config.DD_POSTGRES_URL_VAR, env, (raw) => postgresInstance(raw, config.DD_ENABLE_DBM), 'postgres://user:password@host:port/dbname'),
    },
    config.DD_ENABLE_HEROKU_REDIS && {
      check: 'redisdb',
      result: instancesFrom('DD_ENABLE_HEROKU_REDIS', config.DD_REDIS_URL_VAR, env, redisInstance, 'redis[s]://[user]:password@host:port[/db]'),
    },
  ];
  for (const entry of checks) {
    if (!entry) continue;
    warnings.push(...entry.result.warnings);
    if (entry.result.instances.length === 0) continue;
    writeFileAtomic(join(paths.confD, `${entry.check}.d`, 'conf.yaml'), checkConfig(entry.result.instances), 0o600);
    written.push(`conf.d/${entry.check}.d/conf.yaml`);
  }
}

/** Computes the exports and, unless `envOnly`, writes datadog.yaml and the conf.d of this boot. */
export function prepare(env: NodeJS.ProcessEnv, home: string, options: PrepareOptions = {}): PrepareResult {
  const machine = options.machine ?? machineHostname();
  const { problems, config } = readConfig(env, 'runtime');
  // A refused URL is quoted in the message: its credentials, if any, are not.
  const warnings = problems.map((p) => `${p.message.replace(/\/\/[^/@\s"]*@/g, '//***@')}; using the default.`);
  const derived = derivedVariables(env, home, machine);
  warnings.push(...derived.warnings);
  const written: string[] = [];
  // The first pass already reported what is wrong; the pass after prerun.sh only re-exports.
  if (options.envOnly) return { exports: derived.exports, warnings: [], written };

  const paths = slugPaths(home);
  const info = readBuildInfo(home);
  if (info === undefined) {
    warnings.push(`no build info in ${home}: this slug was not built by the Datadog buildpack; nothing configured.`);
    return { exports: derived.exports, warnings, written };
  }
  try {
    writeDatadogYaml({ paths, hostname: derived.hostname, tags: derived.tags, config }, info, warnings);
    written.push('datadog.yaml');
    const sync = syncAppConfig(herokuConfFolder(home, env.DD_HEROKU_CONF_FOLDER), paths);
    written.push(...sync.copied);
    warnings.push(...sync.warnings);
    writeIntegrations(env, paths, written, warnings);
    setHostChecks(paths.confD, config.DD_DISABLE_HOST_METRICS);
  } catch (error) {
    warnings.push(`could not write the agent configuration in ${paths.confDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { exports: derived.exports, warnings, written };
}

/** The text `eval` runs: export lines only. */
export function exportScript(exports: readonly [string, string][]): string {
  return exports.map(([name, value]) => exportLine(name, value)).join('');
}
