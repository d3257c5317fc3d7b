// datadog.yaml, regenerated at every boot. Official flavour: the package's example with the official
// buildpack's patches; builtin: a minimal file of our own. The API key is never written (agents read DD_API_KEY).
import { parseDocument, stringify } from 'yaml';
import type { Config } from '../config/variables.js';
import type { SlugPaths } from './paths.js';

export interface YamlSettings {
  readonly paths: SlugPaths;
  readonly hostname: string;
  readonly tags: readonly string[];
  readonly config: Config;
}

/** Top-level `key: value` lines the official buildpack sets in the example (commented or not). */
function officialScalars(s: YamlSettings): [string, string][] {
  return [
    ['confd_path', s.paths.confD],
    ['additional_checksd', s.paths.checksD],
    ['run_path', s.paths.runDir],
    ['log_file', `${s.paths.logDir}/datadog.log`],
    ['cloud_provider_metadata', '[]'],
  ];
}

/** Sections the official buildpack uncomments, with the keys it adds under them. */
function officialSections(s: YamlSettings): [string, [string, string][]][] {
  const sections: [string, [string, string][]][] = [
    ['apm_config', [['log_file', `${s.paths.logDir}/datadog-apm.log`]]],
    ['logs_config', [['run_path', s.paths.runDir]]],
  ];
  if (s.config.DD_PROCESS_AGENT) {
    sections.push(['process_config', [['enabled', 'true'], ['log_file', `${s.paths.logDir}/datadog-proc.log`]]]);
  }
  return sections;
}

/** A YAML scalar on one line, quoted when plain text would change meaning. */
function scalar(value: string): string {
  return value === '[]' || value === 'true' ? value : stringify(value).trimEnd();
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The example with each scalar key set (its commented or live line replaced, else appended) and each
 * section uncommented with our keys first under it. Nested keys of the example stay comments.
 */
export function officialYaml(example: string, s: YamlSettings): string {
  let text = example.endsWith('\n') || example === '' ? example : `${example}\n`;
  for (const [key, value] of officialScalars(s)) {
    const line = new RegExp(`^#? ?${escapeRegex(key)}:.*$`, 'm');
    const replacement = `${key}: ${scalar(value)}`;
    text = line.test(text) ? text.replace(line, () => replacement) : `${text}${replacement}\n`;
  }
  for (const [section, keys] of officialSections(s)) {
    const header = new RegExp(`^#? ?${escapeRegex(section)}:[ \\t]*$`, 'm');
    const body = keys.map(([k, v]) => `  ${k}: ${scalar(v)}`).join('\n');
    text = header.test(text) ? text.replace(header, () => `${section}:\n${body}`) : `${text}${section}:\n${body}\n`;
  }
  return text;
}

/** Our own file for the built-in agent: what it needs to find its paths; DD_* variables still win. */
export function builtinYaml(s: YamlSettings): string {
  const c = s.config;
  const doc = {
    hostname: s.hostname,
    tags: [...s.tags],
    site: c.DD_SITE,
    log_level: c.DD_LOG_LEVEL,
    confd_path: s.paths.confD,
    additional_checksd: s.paths.checksD,
    run_path: s.paths.runDir,
    cmd_port: c.DD_CMD_PORT,
    dogstatsd_port: c.DD_DOGSTATSD_PORT,
    dogstatsd_non_local_traffic: c.DD_DOGSTATSD_NON_LOCAL_TRAFFIC,
    histogram_aggregates: c.DD_HISTOGRAM_AGGREGATES,
    histogram_percentiles: c.DD_HISTOGRAM_PERCENTILES.map(String),
    apm_config: {
      enabled: c.DD_APM_ENABLED,
      receiver_port: c.DD_APM_RECEIVER_PORT,
      apm_non_local_traffic: c.DD_APM_NON_LOCAL_TRAFFIC,
    },
    process_config: { enabled: c.DD_PROCESS_AGENT },
    cloud_provider_metadata: [],
  };
  return `# Generated at dyno boot by agent-wrapper prepare; edits are lost at the next boot (use prerun.sh).\n${stringify(doc)}`;
}

/** True when `text` parses as one YAML mapping (a patched example must stay loadable by the agent). */
export function isYamlMapping(text: string): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  const value: unknown = doc.toJS();
  return value === null || (typeof value === 'object' && !Array.isArray(value));
}
