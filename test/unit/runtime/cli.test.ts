import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../../src/io.js';
import { readConfig } from '../../../src/config/variables.js';
import { agentEnv } from '../../../src/runtime/agent-env.js';
import { agentCommand, agentProcesses } from '../../../src/runtime/agent-processes.js';
import { main } from '../../../src/runtime/main.js';
import { slugPaths } from '../../../src/runtime/paths.js';
import type { BuildInfo } from '../../../src/build-info.js';
import { fakeSlug } from './slug-fixture.js';

const official = (agentVersion: string, extra: Partial<BuildInfo> = {}): BuildInfo => ({
  buildpackVersion: '0.1.0', flavor: 'official', agentVersion, apmEnabled: true, processAgent: true, node: 'node', ...extra,
});
const paths = slugPaths('/app');

describe('agent processes by flavour and version', () => {
  it('builtin: the built-in agent on this node', () => {
    const info: BuildInfo = { ...official('x'), flavor: 'builtin', agentVersion: undefined };
    expect(agentProcesses(info, readConfig({}).config, paths, '/node', () => {})).toEqual([
      {
        name: 'agent',
        command: '/node',
        program: '/app/.apt/opt/datadog-buildpack/lib/agent.js',
        args: ['--max-semi-space-size=4', '/app/.apt/opt/datadog-buildpack/lib/agent.js', 'run', '-c', paths.datadogYaml],
        needsAuthToken: false,
      },
    ]);
  });

  it('official: trace-agent flag by version, process-agent standalone or combined, none from 7.68', () => {
    const home = fakeSlug('official');
    const p = slugPaths(home);
    mkdirSync(join(p.agentRoot, 'embedded/bin'), { recursive: true });
    mkdirSync(join(p.agentRoot, 'bin/agent'), { recursive: true });
    writeFileSync(join(p.agentRoot, 'embedded/bin/trace-agent'), '');
    writeFileSync(join(p.agentRoot, 'bin/agent/agent'), '');
    const config = readConfig({ DD_PROCESS_AGENT: 'true' }).config;
    const names = (v: string) => agentProcesses(official(v), config, p, 'node', () => {}).map((x) => `${x.name} ${x.args[0]}`);
    expect(names('7.81.2-1')).toEqual(['agent run', 'trace-agent --config']);
    expect(names('7.40.0-1')).toEqual(['agent run', 'trace-agent -config']);
    expect(names('7.60.0-1')).toEqual(['agent run', 'trace-agent --config', 'process-agent --cfgpath']);
    expect(names('6.30.0-1')).toEqual(['agent run', 'trace-agent -config']);
    writeFileSync(join(p.agentRoot, 'embedded/bin/process-agent'), '');
    expect(names('6.30.0-1')).toEqual(['agent run', 'trace-agent -config', 'process-agent --config']);
    const warnings: string[] = [];
    agentProcesses(official('7.81.2-1'), readConfig({}).config, { ...p, agentRoot: '/nowhere' }, 'node', (w) => warnings.push(w));
    expect(warnings[0]).toMatch(/trace-agent was stripped/);
  });

  it('pass-through keeps arguments intact and puts -c right after the subcommand', () => {
    const cmd = agentCommand(official('7.81.2-1'), paths, 'node', ['check', 'my check', '--', '$(x)']);
    expect(cmd).toEqual({ command: '/app/.apt/opt/datadog-agent/bin/agent/agent', args: ['check', '-c', paths.datadogYaml, 'my check', '--', '$(x)'] });
    expect(agentCommand(official('7.81.2-1'), paths, 'node', ['status', '-c', '/x.yaml']).args).toEqual(['status', '-c', '/x.yaml']);
  });
});

describe('agent environment', () => {
  it('official: libraries and Python for the child only, DD_TAGS space-separated', () => {
    const home = fakeSlug('official');
    mkdirSync(join(slugPaths(home).agentRoot, 'embedded/lib/python3.12'), { recursive: true });
    const env = agentEnv({ DD_TAGS: 'a:1,b', PATH: '/bin' }, home, 'official');
    expect(env.LD_LIBRARY_PATH?.split(':')[0]).toBe(join(home, '.apt/opt/datadog-agent/embedded/lib'));
    expect(env.PYTHONPATH).toContain('python3.12/site-packages');
    expect(env.DD_TAGS).toBe('a:1 b');
    expect(agentEnv({ DD_DYNO_HOST: 'true', DD_ENABLE_HEROKU_POSTGRES: 'true', DD_SITE: 'datadoghq.eu' }, home, 'official')).toMatchObject({ DD_SITE: 'datadoghq.eu' });
    expect(Object.keys(agentEnv({ DD_DYNO_HOST: 'true', DD_CONF_DIR: '/x' }, home, 'official')).filter((k) => k.startsWith('DD_'))).toEqual([]);
    expect(agentEnv({ DD_TAGS: 'a:1,b' }, home, 'builtin')).toEqual({ DD_TAGS: 'a:1,b' });
  });
});

describe('agent-wrapper main', () => {
  it('unknown command: usage on stderr, exit 2; no command: usage, exit 2', async () => {
    const io = memoryIo();
    expect(await main(['frob', 'x'], {}, io)).toBe(2);
    expect(io.err()).toMatch(/unknown command "frob"[\s\S]*usage: agent-wrapper/);
    expect(await main([], {}, memoryIo())).toBe(2);
  });

  it('start: the official hint without a key, silence with DD_LOG_LEVEL=off, one line when disabled', async () => {
    const home = fakeSlug('builtin');
    const io = memoryIo();
    expect(await main(['start'], { HOME: home }, io)).toBe(0);
    expect(io.out()).toBe('DD_API_KEY environment variable not set. Run: heroku config:add DD_API_KEY=<your API key>\n');
    const quiet = memoryIo();
    await main(['start'], { HOME: home, DD_LOG_LEVEL: 'OFF' }, quiet);
    expect(quiet.out() + quiet.err()).toBe('');
    const disabled = memoryIo();
    await main(['start'], { HOME: home, DD_API_KEY: 'k', DISABLE_DATADOG_AGENT: 'true' }, disabled);
    expect(disabled.out().trim().split('\n')).toHaveLength(1);
    expect(disabled.out()).toContain('disabled');
  });

  it('prepare prints export lines only; warnings go to stderr and are silenced by DD_LOG_LEVEL=off', async () => {
    const home = fakeSlug('builtin');
    const io = memoryIo();
    await main(['prepare'], { HOME: home, DYNO: 'web.1', DD_APM_ENABLED: 'maybe', DD_API_KEY: 'secretkey123' }, io);
    expect(io.out().trimEnd().split('\n').every((l) => /^export [A-Z_]+='/.test(l))).toBe(true);
    expect(io.err()).toMatch(/WARN \| DD_APM_ENABLED: expected true or false/);
    expect(io.out() + io.err()).not.toContain('secretkey123');
    const quiet = memoryIo();
    await main(['prepare'], { HOME: home, DD_APM_ENABLED: 'maybe', DD_LOG_LEVEL: 'off' }, quiet);
    expect(quiet.err()).toBe('');
  });
});
