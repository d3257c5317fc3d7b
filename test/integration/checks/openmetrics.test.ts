import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckConfigError, CRITICAL, OK, type MetricMetadata } from '../../../src/agent/checks/check.js';
import { definition } from '../../../src/agent/checks/openmetrics/index.js';
import { METRICS, SERVICE_CHECKS } from '../../../src/agent/checks/openmetrics/metadata.js';
import { createLogger } from '../../../src/log.js';
import { runCheck } from '../../helpers/check-harness.js';
import { BASIC_PASSWORD, BASIC_USER, closedPort, LATENCY_BOUNDS, startExporter, type ExporterServer } from '../../helpers/openmetrics-server.js';

let exporter: ExporterServer;

beforeAll(async () => {
  exporter = await startExporter();
});

afterAll(async () => {
  await exporter?.close();
});

const HEALTH = `myapp.${SERVICE_CHECKS[0]}`;

/** The names the main instance configures, as a metadata table: METRICS is empty for this check. */
const CONFIGURED: readonly MetricMetadata[] = [
  { name: 'myapp.requests.count', type: 'monotonic_count' },
  { name: 'myapp.temperature', type: 'gauge' },
  { name: 'myapp.latency.bucket', type: 'monotonic_count' },
  { name: 'myapp.latency.sum', type: 'monotonic_count' },
  { name: 'myapp.latency.count', type: 'monotonic_count' },
  { name: 'myapp.rpc_seconds.quantile', type: 'gauge' },
  { name: 'myapp.rpc_seconds.sum', type: 'monotonic_count' },
  { name: 'myapp.rpc_seconds.count', type: 'monotonic_count' },
  { name: 'myapp.queue_depth', type: 'gauge' },
];

function mainInstance(): Record<string, unknown> {
  return {
    openmetrics_endpoint: `${exporter.url}/metrics`,
    namespace: 'myapp',
    raw_metric_prefix: 'app_',
    metrics: [
      'requests',
      { temperature_celsius: 'temperature' },
      { latency_seconds: { name: 'latency', type: 'histogram' } },
      '^rpc_.*',
      { queue_depth: { type: 'gauge' } },
      'ignored_untyped',
      'dropped_gauge',
      'nan_gauge',
    ],
    exclude_metrics: ['^dropped_'],
    exclude_labels: ['pod'],
    rename_labels: { method: 'http_method' },
    exclude_metrics_by_labels: { code: ['^5'] },
    tags: ['team:core'],
  };
}

describe('openmetrics check against a Prometheus exporter', () => {
  it('submits counters, gauges, a histogram and a summary as the official v2 check does', async () => {
    const state = exporter.state;
    const before = exporter.served.length;
    const results = await runCheck(definition, mainInstance(), {
      between: async () => {
        state.request('get', 200, 5);
        state.request('post', 500, 2);
        for (const seconds of [0.05, 0.3, 2]) state.observeLatency(seconds);
        state.rpcQuantiles = { '0.5': 0.02, '0.99': 0.5 };
        state.rpcSum += 1.25;
        state.rpcCount += 4;
        state.queueDepth = 3;
      },
    });
    expect(results.errors).toEqual([undefined, undefined]);
    const [first, second] = exporter.served.slice(before);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    const endpoint = `endpoint:${exporter.url}/metrics`;
    const common = [endpoint, 'team:core'];

    // Counter: `_total` stripped, `.count` the increase between the two scrapes; code 5xx excluded by label.
    results.assertMetric('myapp.requests.count', { type: 'count', count: 1, tags: ['http_method:get', 'code:200', ...common], value: second!.requests.get('get|200')! - first!.requests.get('get|200')! });
    expect(results.find('myapp.requests.count').every((s) => !s.tags.some((t) => t.startsWith('pod:') || t.startsWith('method:')))).toBe(true);

    results.assertMetric('myapp.temperature', { type: 'gauge', tags: ['room:lab "B" \\ east', ...common], value: 21.5 });

    // Histogram: a bucket per finite bound (upper_bound as Python writes floats), sum and count increases.
    LATENCY_BOUNDS.forEach((bound, i) => {
      const tag = `upper_bound:${bound === 1 ? '1.0' : String(bound)}`;
      results.assertMetric('myapp.latency.bucket', { type: 'count', count: 1, tags: [tag, ...common], value: second!.latencyBuckets[i]! - first!.latencyBuckets[i]! });
    });
    expect(results.find('myapp.latency.bucket').some((s) => s.tags.some((t) => t.includes('inf')))).toBe(false);
    results.assertMetric('myapp.latency.sum', { type: 'count', tags: common, value: second!.latencySum - first!.latencySum });
    results.assertMetric('myapp.latency.count', { type: 'count', tags: common, value: second!.latencyCount - first!.latencyCount });

    // Summary: quantiles as gauges of the last scrape, sum and count increases; matched by a regex, so the exposed name.
    for (const [quantile, value] of Object.entries(second!.rpcQuantiles)) {
      expect(results.value('myapp.rpc_seconds.quantile', [`quantile:${quantile}`, ...common])).toBe(value);
    }
    results.assertMetric('myapp.rpc_seconds.sum', { type: 'count', tags: common, value: second!.rpcSum - first!.rpcSum });
    results.assertMetric('myapp.rpc_seconds.count', { type: 'count', tags: common, value: second!.rpcCount - first!.rpcCount });

    // An untyped metric given a type is sent; untyped without one, excluded, and NaN ones are not.
    expect(results.value('myapp.queue_depth', common)).toBe(second!.queueDepth);
    for (const name of ['myapp.ignored_untyped', 'myapp.dropped_gauge', 'myapp.nan_gauge']) expect(results.find(name)).toEqual([]);

    results.assertServiceCheck(HEALTH, { status: OK, tags: common, count: 2 });
    results.assertMetricsUsingMetadata(CONFIGURED);
    results.assertMetadataCovered(CONFIGURED);
    results.assertMetricsUsingMetadata(METRICS.length > 0 ? METRICS : CONFIGURED);
    results.assertAllMetricsCovered();
  });

  it('reads OpenMetrics text: _total/_created counters, units, exemplars, # EOF', async () => {
    const before = exporter.served.length;
    const results = await runCheck(definition, { openmetrics_endpoint: `${exporter.url}/openmetrics`, namespace: 'om', metrics: ['jobs', 'build_seconds', 'after_eof_gauge'] }, {
      between: async () => {
        exporter.state.jobs += 9;
        exporter.state.observeLatency(0.7);
      },
    });
    expect(results.errors).toEqual([undefined, undefined]);
    const [first, second] = exporter.served.slice(before);
    const endpoint = `endpoint:${exporter.url}/openmetrics`;
    results.assertMetric('om.jobs.count', { type: 'count', count: 1, tags: ['queue:default', endpoint], value: second!.jobs - first!.jobs });
    results.assertMetric('om.build_seconds.bucket', { type: 'count', count: 1, tags: ['upper_bound:1.0', endpoint], value: second!.latencyBuckets[2]! - first!.latencyBuckets[2]! });
    results.assertMetric('om.build_seconds.count', { type: 'count', value: second!.latencyCount - first!.latencyCount });
    results.assertMetric('om.build_seconds.sum', { type: 'count', value: second!.latencySum - first!.latencySum });
    results.assertServiceCheck('om.openmetrics.health', { status: OK, tags: [endpoint] });
    results.assertAllMetricsCovered();
  });

  it('decompresses a gzip body and sends untagged by endpoint when tag_by_endpoint is false', async () => {
    const results = await runCheck(definition, { openmetrics_endpoint: `${exporter.url}/gzip`, namespace: 'z', metrics: ['zipped'], tag_by_endpoint: false }, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
    const [serie] = results.assertMetric('z.zipped', { type: 'gauge', value: 42 });
    expect(serie!.tags.some((t) => t.startsWith('endpoint:'))).toBe(false);
  });
});

describe('openmetrics check when the endpoint fails', () => {
  it('500: health CRITICAL with the status in its message, and a run error', async () => {
    const url = `${exporter.url}/fail`;
    const results = await runCheck(definition, { openmetrics_endpoint: url, namespace: 'bad', metrics: ['.+'] }, { runs: 1 });
    expect(results.errors[0]).toBe(`There was an error scraping endpoint ${url}: 500 Server Error: Internal Server Error for url: ${url}`);
    results.assertServiceCheck('bad.openmetrics.health', { status: CRITICAL, tags: [`endpoint:${url}`], message: `500 Server Error: Internal Server Error for url: ${url}`, count: 1 });
    expect(results.series).toEqual([]);
  });

  it('unreachable: health CRITICAL and a run error, never a throw; ignore_connection_errors only warns', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/metrics`;
    const results = await runCheck(definition, { openmetrics_endpoint: url, namespace: 'down', metrics: ['.+'] }, { runs: 1 });
    expect(results.errors[0]).toMatch(new RegExp(`^There was an error scraping endpoint ${url}: .*ECONNREFUSED`));
    results.assertServiceCheck('down.openmetrics.health', { status: CRITICAL, tags: [`endpoint:${url}`], message: /ECONNREFUSED/ });

    const ignored = await runCheck(definition, { openmetrics_endpoint: url, namespace: 'down', metrics: ['.+'], ignore_connection_errors: true }, { runs: 1 });
    expect(ignored.errors).toEqual([undefined]);
    ignored.assertServiceCheck('down.openmetrics.health', { status: CRITICAL });
    expect(ignored.logs.some((l) => l.includes(`OpenMetrics endpoint ${url} is not accessible`))).toBe(true);
  });

  it('a hanging endpoint: CRITICAL after `timeout`', async () => {
    const results = await runCheck(definition, { openmetrics_endpoint: `${exporter.url}/hang`, namespace: 'slow', metrics: ['.+'], timeout: 1 }, { runs: 1 });
    expect(results.errors[0]).toMatch(/timed out after 1 s/);
    results.assertServiceCheck('slow.openmetrics.health', { status: CRITICAL, message: /timed out/ });
  });

  it('garbage: the run fails saying the body is not exposition text, with the malformed lines counted', async () => {
    const results = await runCheck(definition, { openmetrics_endpoint: `${exporter.url}/garbage`, namespace: 'junk', metrics: ['.+'] }, { runs: 1 });
    expect(results.errors[0]).toMatch(/the response is not Prometheus or OpenMetrics text: 5 malformed lines \(line 1: not a metric name\)/);
    results.assertServiceCheck('junk.openmetrics.health', { status: OK });
    expect(results.series).toEqual([]);
  });

  it('a 50 MB line: dropped while it streams in, counted, and the samples around it still sent', async () => {
    const results = await runCheck(definition, { openmetrics_endpoint: `${exporter.url}/huge-line`, namespace: 'big', metrics: ['before', 'after', 'huge'] }, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
    results.assertMetric('big.before', { value: 1 });
    results.assertMetric('big.after', { value: 2 });
    expect(results.find('big.huge')).toEqual([]);
    expect(results.logs.some((l) => /WARN \| openmetrics: skipped 1 malformed line \(line 3: longer than 1048576 characters\)/.test(l))).toBe(true);
  });

  it('a 50 MB body of valid samples: stops at max_returned_metrics, warns, and closes the connection', async () => {
    exporter.hugeValid = undefined;
    const results = await runCheck(definition, { openmetrics_endpoint: `${exporter.url}/huge-valid`, namespace: 'flood', metrics: ['big'], max_returned_metrics: 500 }, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
    results.assertMetric('flood.big', { type: 'gauge', count: 500 });
    expect(results.logs.filter((l) => l.includes('Check openmetrics exceeded limit of 500 metrics, ignoring next ones'))).toHaveLength(1);
    for (let i = 0; i < 100 && exporter.hugeValid === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exporter.hugeValid).toMatchObject({ finished: false });
  });
});

describe('openmetrics check settings and secrets', () => {
  const logger = createLogger('CORE', 'off', () => {});
  const create = (instance: Record<string, unknown>) => () => definition.create({ instance, initConfig: {}, logger });

  it('refuses a bad instance with a CheckConfigError naming the setting', () => {
    const base = { openmetrics_endpoint: 'http://127.0.0.1:1/metrics', namespace: 'x', metrics: ['a'] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, openmetrics_endpoint: undefined }, /`openmetrics_endpoint` is required/],
      [{ ...base, openmetrics_endpoint: undefined, prometheus_url: 'http://x' }, /prometheus_url .* write openmetrics_endpoint/],
      [{ ...base, openmetrics_endpoint: 'ftp://x/metrics' }, /openmetrics_endpoint/],
      [{ ...base, namespace: undefined }, /`namespace` is required/],
      [{ ...base, metrics: undefined }, /`metrics` is required/],
      [{ ...base, metrics: ['^(unclosed'] }, /metrics: "\^\(unclosed" is not a valid regular expression/],
      [{ ...base, metrics: [{ a: { type: 'temporal_percent' } }] }, /`metrics`: type `temporal_percent` .* not supported/],
      [{ ...base, metrics: [{ a: { type: 'nonsense' } }] }, /unknown type `nonsense`/],
      [{ ...base, metrics: [42] }, /Entry #1 of setting `metrics`/],
      [{ ...base, exclude_labels: 'pod' }, /`exclude_labels` must be an array/],
      [{ ...base, rename_labels: ['a'] }, /`rename_labels` must be a mapping/],
      [{ ...base, share_labels: { info: true } }, /`share_labels` .* not supported/],
      [{ ...base, histogram_buckets_as_distributions: true }, /`histogram_buckets_as_distributions`/],
      [{ ...base, timeout: 'soon' }, /timeout must be a number/],
      [{ ...base, max_returned_metrics: -1 }, /max_returned_metrics/],
      [{ ...base, hostname_label: 'node', hostname_format: 'x' }, /`hostname_format` does not contain the placeholder/],
    ];
    for (const [instance, message] of cases) {
      expect(create(instance)).toThrow(CheckConfigError);
      expect(create(instance)).toThrow(message);
    }
    expect(create(base)).not.toThrow();
  });

  it('sends basic auth, and keeps passwords out of errors, logs, messages and the endpoint tag', async () => {
    const ok = await runCheck(definition, { openmetrics_endpoint: `${exporter.url}/auth`, namespace: 'sec', metrics: ['secured'], username: BASIC_USER, password: BASIC_PASSWORD }, { runs: 1 });
    expect(ok.errors).toEqual([undefined]);
    ok.assertMetric('sec.secured', { value: 1 });

    const wrong = 'Wr0ng-pass-Xy9';
    const inUrl = 'Url-secret-Kp3';
    for (const instance of [
      { openmetrics_endpoint: `${exporter.url}/auth`, namespace: 'sec', metrics: ['secured'], username: BASIC_USER, password: wrong },
      { openmetrics_endpoint: `${exporter.url.replace('http://', `http://${BASIC_USER}:${inUrl}@`)}/auth`, namespace: 'sec', metrics: ['secured'] },
    ]) {
      const results = await runCheck(definition, instance, { runs: 1 });
      expect(results.errors[0]).toMatch(/401 Client Error: Unauthorized for url: http:\/\/127\.0\.0\.1:\d+\/auth$/);
      const check = results.assertServiceCheck('sec.openmetrics.health', { status: CRITICAL, tags: [`endpoint:${exporter.url}/auth`] });
      const everything = JSON.stringify([results.errors, results.logs, results.serviceChecks, results.series]);
      expect(everything).not.toContain(wrong);
      expect(everything).not.toContain(inUrl);
      expect(check[0]!.message).toMatch(/^401 Client Error/);
    }
    // The URL's credentials went as basic auth, as requests sends them.
    expect(exporter.authorizations.at(-1)).toBe(`Basic ${Buffer.from(`${BASIC_USER}:${inUrl}`).toString('base64')}`);
  });
});
