import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SLUG } from '../../../src/constants.js';
import { readConfig } from '../../../src/config/variables.js';
import { builtinYaml, isYamlMapping, officialYaml } from '../../../src/runtime/datadog-yaml.js';
import { syncAppConfig } from '../../../src/runtime/conf-sync.js';
import { slugPaths } from '../../../src/runtime/paths.js';
import { exportScript, prepare } from '../../../src/runtime/prepare.js';
import { fakeSlug } from './slug-fixture.js';

const KEY = 'abcdef0123456789abcdef0123456789';
const dynoEnv = (home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  HOME: home, DYNO: 'web.1', HEROKU_APP_NAME: 'my-app', DD_API_KEY: KEY, ...extra,
});
const exportsOf = (result: ReturnType<typeof prepare>) => Object.fromEntries(result.exports);
const confDir = (home: string) => join(home, SLUG.confDir);

describe('datadog.yaml', () => {
  const paths = slugPaths('/app');
  const settings = { paths, hostname: 'h', tags: ['a', 'b:c'], config: readConfig({}, 'runtime').config };

  it('official: patches the example in place, appends what it lacks, stays valid YAML', () => {
    const text = officialYaml('api_key:\n# confd_path: /etc/x\n## @param log_file - string\n# apm_config:\n#   enabled: true\n', settings);
    expect(isYamlMapping(text)).toBe(true);
    const doc = parse(text);
    expect(doc.confd_path).toBe('/app/.apt/etc/datadog-agent/conf.d');
    expect(doc.additional_checksd).toBe('/app/.apt/etc/datadog-agent/checks.d');
    expect(doc.run_path).toBe('/app/.apt/opt/datadog-agent/run');
    expect(doc.cloud_provider_metadata).toEqual([]);
    expect(doc.apm_config).toEqual({ log_file: '/app/.apt/var/log/datadog/datadog-apm.log' });
    expect(doc.logs_config).toEqual({ run_path: '/app/.apt/opt/datadog-agent/run' });
    expect(doc.process_config).toBeUndefined();
    expect(doc.api_key).toBeNull();
    expect(text).toContain('## @param log_file - string');
    expect(text.match(/^confd_path:/gm)).toHaveLength(1);
  });

  it('official: process_config enabled with DD_PROCESS_AGENT=true', () => {
    const config = readConfig({ DD_PROCESS_AGENT: 'true' }, 'runtime').config;
    expect(parse(officialYaml('', { ...settings, config })).process_config).toEqual({
      enabled: true, log_file: '/app/.apt/var/log/datadog/datadog-proc.log',
    });
  });

  it('builtin: our own file with paths, ports and tags, never the API key', () => {
    const config = readConfig({ DD_API_KEY: KEY, DD_CMD_PORT: '6001', DD_APM_ENABLED: 'false' }, 'runtime').config;
    const text = builtinYaml({ ...settings, config });
    expect(text).not.toContain(KEY);
    const doc = parse(text);
    expect(doc).toMatchObject({ hostname: 'h', tags: ['a', 'b:c'], cmd_port: 6001, dogstatsd_port: 8125, confd_path: paths.confD, run_path: paths.runDir });
    expect(doc.apm_config).toMatchObject({ enabled: false, receiver_port: 8126 });
    expect(doc.api_key).toBeUndefined();
  });
});

describe('conf.d and checks.d sync', () => {
  it('copies folders as they are, X.yaml as X.d/conf.yaml, checks.d code and config', () => {
    const home = fakeSlug('builtin');
    const app = join(home, 'datadog');
    mkdirSync(join(app, 'conf.d', 'nginx.d'), { recursive: true });
    writeFileSync(join(app, 'conf.d', 'nginx.d', 'conf.yaml'), 'nginx: 1\n');
    writeFileSync(join(app, 'conf.d', 'nginx.d', 'auto_conf.yaml'), 'auto: 1\n');
    writeFileSync(join(app, 'conf.d', 'redisdb.yaml'), 'redis: 1\n');
    writeFileSync(join(app, 'conf.d', 'notes.txt'), 'ignored\n');
    mkdirSync(join(app, 'checks.d'), { recursive: true });
    writeFileSync(join(app, 'checks.d', 'mine.py'), 'print(1)\n');
    writeFileSync(join(app, 'checks.d', 'mine.yaml'), 'init_config:\n');
    const report = syncAppConfig(app, slugPaths(home));
    const c = join(confDir(home), 'conf.d');
    expect(readFileSync(join(c, 'nginx.d', 'conf.yaml'), 'utf8')).toBe('nginx: 1\n');
    expect(readFileSync(join(c, 'nginx.d', 'auto_conf.yaml'), 'utf8')).toBe('auto: 1\n');
    expect(readFileSync(join(c, 'redisdb.d', 'conf.yaml'), 'utf8')).toBe('redis: 1\n');
    expect(existsSync(join(c, 'notes.txt'))).toBe(false);
    expect(readFileSync(join(confDir(home), 'checks.d', 'mine.py'), 'utf8')).toBe('print(1)\n');
    expect(readFileSync(join(c, 'mine.yaml'), 'utf8')).toBe('init_config:\n');
    expect(report.warnings).toEqual([]);
  });

  it('no app folder: nothing copied, no warning', () => {
    const home = fakeSlug('builtin');
    expect(syncAppConfig(join(home, 'nope'), slugPaths(home))).toEqual({ copied: [], warnings: [] });
  });
});

describe('prepare', () => {
  it('exports the dyno variables and writes datadog.yaml', () => {
    const home = fakeSlug('official');
    const result = prepare(dynoEnv(home, { DD_TAGS: 'team:x, env:prod', HEROKU_RELEASE_VERSION: 'v42' }), home, { machine: 'abc-123' });
    expect(exportsOf(result)).toEqual({
      DD_HOSTNAME: 'abc-123',
      DYNOTYPE: 'web',
      DD_TAGS: 'dyno:web.1,dynotype:web,buildpackversion:0.1.0,appname:my-app,team:x,env:prod',
      DD_HOST_ALIASES: 'abc-123',
      DD_CONF_DIR: confDir(home),
      DD_HEROKU_DYNO: 'true',
      DD_VERSION: 'v42',
    });
    expect(result.warnings).toEqual([]);
    expect(parse(readFileSync(join(confDir(home), 'datadog.yaml'), 'utf8')).confd_path).toBe(join(confDir(home), 'conf.d'));
  });

  it('official agent 6 with Python 3 kept: python_version 3 and the install info', () => {
    const home = fakeSlug('official');
    const info = join(home, SLUG.buildpackRoot, 'build.json');
    writeFileSync(info, JSON.stringify({ ...JSON.parse(readFileSync(info, 'utf8')), agentVersion: '6.53.1-1' }));
    mkdirSync(join(home, SLUG.agentRoot, 'embedded/lib/python3.8'), { recursive: true });
    prepare(dynoEnv(home), home);
    expect(parse(readFileSync(join(confDir(home), 'datadog.yaml'), 'utf8')).python_version).toBe(3);
    expect(parse(readFileSync(join(confDir(home), 'install_info'), 'utf8')).install_method.tool).toBe('heroku');
  });

  it('keeps DD_VERSION over HEROKU_RELEASE_VERSION and exports none when neither is set', () => {
    const home = fakeSlug('builtin');
    expect(exportsOf(prepare(dynoEnv(home, { DD_VERSION: '1.2', HEROKU_RELEASE_VERSION: 'v9' }), home)).DD_VERSION).toBe('1.2');
    expect(exportsOf(prepare(dynoEnv(home), home)).DD_VERSION).toBeUndefined();
  });

  it('reports invalid values by variable name and carries on', () => {
    const home = fakeSlug('builtin');
    const result = prepare(dynoEnv(home, { DD_DYNO_HOST: 'yes', DD_CMD_PORT: 'x' }), home, { machine: 'm' });
    expect(result.warnings.join('\n')).toMatch(/DD_DYNO_HOST: expected true or false/);
    expect(result.warnings.join('\n')).toMatch(/DD_CMD_PORT: expected a whole number/);
    expect(exportsOf(result).DD_HOSTNAME).toBe('m');
    expect(parse(readFileSync(join(confDir(home), 'datadog.yaml'), 'utf8')).cmd_port).toBe(5001);
  });

  it('a refused URL is reported without its credentials', () => {
    const home = fakeSlug('builtin');
    const result = prepare(dynoEnv(home, { DD_DD_URL: 'ftp://user:hunter2@intake.example' }), home, { machine: 'm' });
    expect(result.warnings.join('\n')).toMatch(/DD_DD_URL: expected an http\(s\) URL, received "ftp:\/\/\*\*\*@intake.example"/);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('--env-only writes no file and repeats no warning', () => {
    const home = fakeSlug('builtin');
    expect(prepare(dynoEnv(home, { DD_CMD_PORT: 'x' }), home, { envOnly: true }).warnings).toEqual([]);
    expect(existsSync(join(confDir(home), 'datadog.yaml'))).toBe(false);
  });

  it('DD_DISABLE_HOST_METRICS=true sets the default host checks aside, false puts them back', () => {
    const home = fakeSlug('official');
    const cpu = join(confDir(home), 'conf.d', 'cpu.d');
    prepare(dynoEnv(home, { DD_DISABLE_HOST_METRICS: 'TRUE' }), home);
    expect(existsSync(join(cpu, 'conf.yaml.default'))).toBe(false);
    expect(existsSync(join(cpu, 'conf.yaml.default_disabled'))).toBe(true);
    prepare(dynoEnv(home), home);
    expect(existsSync(join(cpu, 'conf.yaml.default'))).toBe(true);
  });

  it('a slug without build info gets the variables and a warning, no files', () => {
    const home = fakeSlug('builtin');
    const result = prepare(dynoEnv(home), join(home, 'elsewhere'));
    expect(result.warnings[0]).toMatch(/no build info/);
    expect(exportsOf(result).DYNOTYPE).toBe('web');
  });

  it('the export script evaluates in bash to the same values, hostile tags included', () => {
    const home = fakeSlug('builtin');
    const result = prepare(dynoEnv(home, { DD_TAGS: "it's,$(id),`x`" }), home, { machine: 'm' });
    const script = exportScript(result.exports);
    expect(script.split('\n').filter(Boolean).every((l) => l.startsWith('export '))).toBe(true);
    expect(script).not.toContain(KEY);
    expect(exportsOf(result).DD_TAGS).toBe("dyno:web.1,dynotype:web,buildpackversion:0.1.0,appname:my-app,it's,$(id),`x`");
  });
});
