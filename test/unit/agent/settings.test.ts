import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultReceiveBuffer } from '../../../src/agent/dogstatsd/receive-buffer.js';
import { displayUrl, metricsBaseUrl } from '../../../src/agent/forwarder/endpoints.js';
import { loadSettings, maskApiKey } from '../../../src/agent/settings.js';

describe('agent settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const yaml = (text: string) => {
    writeFileSync(join(dir, 'datadog.yaml'), text);
    return join(dir, 'datadog.yaml');
  };

  it('reads datadog.yaml keys and lets DD_* variables win, as the official agent does', () => {
    const path = yaml('api_key: yaml-key\nhostname: yaml-host\ntags: [a:1, b:2]\ndogstatsd_port: 9125\nhistogram_percentiles: ["0.99", "0.5"]\ncmd_port: 6001\napm_config:\n  receiver_port: 9126\n');
    const fromYaml = loadSettings(path, {});
    expect(fromYaml).toMatchObject({ apiKey: 'yaml-key', hostname: 'yaml-host', tags: ['a:1', 'b:2'], dogstatsdPort: 9125, histogramPercentiles: [50, 99], cmdPort: 6001 });
    expect(fromYaml.apm.receiverPort).toBe(9126);
    expect(fromYaml.authTokenPath).toBe(join(dir, 'auth_token'));
    expect(fromYaml.confdPath).toBe(join(dir, 'conf.d'));
    const fromEnv = loadSettings(path, { DD_API_KEY: 'env-key', DD_HOSTNAME: 'env-host', DD_TAGS: 'x:1 y:2', DD_DOGSTATSD_PORT: '0', DD_ENV: 'prod' });
    expect(fromEnv).toMatchObject({ apiKey: 'env-key', hostname: 'env-host', tags: ['x:1', 'y:2', 'env:prod'], dogstatsdPort: 0 });
  });

  it('reads otlp_config from datadog.yaml under DD_OTLP_CONFIG_* variables', () => {
    const path = yaml('otlp_config:\n  receiver:\n    protocols:\n      http:\n        endpoint: localhost:4318\n  metrics:\n    histograms:\n      mode: counters\n    delta_ttl: 60\n  traces:\n    span_name_as_resource_name: true\n');
    const fromYaml = loadSettings(path, {}).otlp;
    expect(fromYaml).toMatchObject({ httpEndpoint: 'localhost:4318', grpcEndpoint: undefined, metricsEnabled: true, tracesEnabled: true });
    expect(fromYaml.metrics).toMatchObject({ histogramMode: 'counters', deltaTtlSeconds: 60, summaryMode: 'gauges', instrumentationScopeMetadataAsTags: true });
    expect(fromYaml.traces).toEqual({ spanNameAsResourceName: true, samplingPercentage: 100 });
    const fromEnv = loadSettings(path, { DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: '0.0.0.0:14318', DD_OTLP_CONFIG_METRICS_HISTOGRAMS_MODE: 'distributions' }).otlp;
    expect(fromEnv.httpEndpoint).toBe('0.0.0.0:14318');
    expect(fromEnv.metrics.histogramMode).toBe('distributions');
  });

  it('a bad variable or bad YAML falls back and is reported, never thrown', () => {
    const path = yaml('dogstatsd_port: [oops\n');
    const s = loadSettings(path, { DD_CMD_PORT: 'abc' });
    expect(s.cmdPort).toBe(5001);
    expect(s.dogstatsdPort).toBe(8125);
    expect(s.problems.join('\n')).toMatch(/not valid YAML/);
    expect(s.problems.join('\n')).toMatch(/DD_CMD_PORT/);
  });

  it('asks for rmem_max as receive buffer, at most 4 MiB; DD_DOGSTATSD_SO_RCVBUF=0 keeps the kernel default', () => {
    writeFileSync(join(dir, 'rmem'), '8388608\n');
    expect(defaultReceiveBuffer(join(dir, 'rmem'))).toBe(4 * 1024 * 1024);
    writeFileSync(join(dir, 'rmem'), '1048576\n');
    expect(defaultReceiveBuffer(join(dir, 'rmem'))).toBe(1048576);
    expect(defaultReceiveBuffer(join(dir, 'missing'))).toBeUndefined();
    expect(loadSettings(undefined, { DD_DOGSTATSD_SO_RCVBUF: '0' }).dogstatsdReceiveBuffer).toBe(0);
    expect(loadSettings(undefined, {}).dogstatsdReceiveBuffer).toBeUndefined();
  });

  it('masks the API key to its last five characters', () => {
    expect(maskApiKey('0123456789abcdef0123456789abcdef')).toBe(`${'*'.repeat(27)}bcdef`);
    expect(maskApiKey('secret123')).toBe('*********');
    expect(maskApiKey(undefined)).toBe('(not set)');
  });

  it('derives the intake host from the site and version unless DD_DD_URL is set', () => {
    expect(metricsBaseUrl('datadoghq.eu', undefined, '7.81.2')).toBe('https://7-81-2-app.agent.datadoghq.eu');
    expect(metricsBaseUrl('datadoghq.com', 'http://127.0.0.1:9/', '7.81.2')).toBe('http://127.0.0.1:9');
    expect(displayUrl('https://user:secret@proxy.example:8443/dd')).toBe('https://proxy.example:8443/dd');
  });
});
