import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withVariableTable } from '../../src/config/docs.js';
import { readConfig, secretVariables } from '../../src/config/variables.js';

describe('config table', () => {
  it('gives defaults when nothing is set', () => {
    const { config, problems } = readConfig({});
    expect(problems).toEqual([]);
    expect(config.DD_AGENT_FLAVOR).toBe('official');
    expect(config.DD_AGENT_MAJOR_VERSION).toBe('7');
    expect(config.DD_APM_ENABLED).toBe(true);
    expect(config.DD_PROCESS_AGENT).toBe(false);
    expect(config.DD_DOGSTATSD_PORT).toBe(8125);
    expect(config.DD_APM_RECEIVER_PORT).toBe(8126);
    expect(config.DD_CMD_PORT).toBe(5001);
    expect(config.DD_SITE).toBe('datadoghq.com');
    expect(config.DD_APT_REPO_URL).toBe('https://apt.datadoghq.com');
  });

  it('reads booleans case-insensitively', () => {
    for (const raw of ['false', 'FALSE', 'False', ' false ']) {
      expect(readConfig({ DD_APM_ENABLED: raw }).config.DD_APM_ENABLED).toBe(false);
    }
    expect(readConfig({ DD_PROCESS_AGENT: 'TRUE' }).config.DD_PROCESS_AGENT).toBe(true);
  });

  it('reports a bad value by name, keeps the default and the other values', () => {
    const { config, problems } = readConfig({ DD_APM_ENABLED: 'yes please', DD_DOGSTATSD_PORT: '9125' });
    expect(config.DD_APM_ENABLED).toBe(true);
    expect(config.DD_DOGSTATSD_PORT).toBe(9125);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.variable).toBe('DD_APM_ENABLED');
    expect(problems[0]!.message).toContain('expected true or false');
  });

  it('reads only the phase asked for', () => {
    const env = { DD_AGENT_FLAVOR: 'builtin', DD_DOGSTATSD_PORT: 'nope' };
    const compile = readConfig(env, 'compile');
    expect(compile.config.DD_AGENT_FLAVOR).toBe('builtin');
    expect(compile.problems).toEqual([]);
    expect(readConfig(env, 'runtime').config.DD_AGENT_FLAVOR).toBe('official');
  });

  it('splits tags on commas and spaces and drops duplicates', () => {
    expect(readConfig({ DD_TAGS: 'a:1, b:2 c,,a:1' }).config.DD_TAGS).toEqual(['a:1', 'b:2', 'c']);
  });

  it('checks histogram percentiles and ports', () => {
    expect(readConfig({ DD_HISTOGRAM_PERCENTILES: '0.95 0.99' }).config.DD_HISTOGRAM_PERCENTILES).toEqual([0.95, 0.99]);
    expect(readConfig({ DD_HISTOGRAM_PERCENTILES: '95' }).problems[0]!.variable).toBe('DD_HISTOGRAM_PERCENTILES');
    expect(readConfig({ DD_CMD_PORT: '70000' }).problems[0]!.message).toContain('from 1 to 65535');
  });

  it('reads OTLP endpoints as host:port, off by default, and names the fix for a URL', () => {
    expect(readConfig({}).config.DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT).toBeUndefined();
    for (const endpoint of ['localhost:4318', '0.0.0.0:4318', ':4318', '[::1]:4318']) {
      expect(readConfig({ DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: endpoint }).config.DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT).toBe(endpoint);
    }
    for (const endpoint of ['http://localhost:4318', 'localhost', 'localhost:99999', 'localhost:4318/v1/metrics']) {
      const { config, problems } = readConfig({ DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT: endpoint });
      expect(config.DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT).toBeUndefined();
      expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT.*host:port such as localhost:4318/)]);
    }
    expect(readConfig({ DD_OTLP_CONFIG_TRACES_PROBABILISTIC_SAMPLER_SAMPLING_PERCENTAGE: '12.5' }).config.DD_OTLP_CONFIG_TRACES_PROBABILISTIC_SAMPLER_SAMPLING_PERCENTAGE).toBe(12.5);
    expect(readConfig({ DD_OTLP_CONFIG_METRICS_HISTOGRAMS_MODE: 'buckets' }).problems[0]!.message).toContain('distributions, counters, nobuckets');
  });

  it('marks DD_API_KEY secret', () => {
    expect(secretVariables).toContain('DD_API_KEY');
  });

  it('README carries the table generated from the declarations', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withVariableTable(readme)).toBe(readme);
  });
});
