// Runs a built-in check against a real server through the real instance runner and sampler, and
// asserts on what it submitted the way integrations-core's aggregator stub does: each metric with
// its tags, then "every metric submitted is in metadata" and "every metadata metric was covered".
import type { Serie, CheckRun, AgentEvent } from '../../src/agent/aggregator/payloads.js';
import type { CheckDefinition, MetricMetadata } from '../../src/agent/checks/check.js';
import { InstanceRunner } from '../../src/agent/checks/instance-runner.js';
import { loadCheck } from '../../src/agent/checks/registry.js';
import { createLogger } from '../../src/log.js';

export const CHECK_HOST = 'check-host';

export interface CheckRunOptions {
  readonly initConfig?: Record<string, unknown>;
  /** Runs in a row (rates and monotonic counts need 2); default 1, or 2 when the check says so. */
  readonly runs?: number;
  /** Pause between runs. */
  readonly pauseMs?: number;
  readonly globalTags?: readonly string[];
  readonly timeoutMs?: number;
  /** Called between runs (e.g. to make the server count something). */
  readonly between?: (run: number) => Promise<void>;
}

export interface MetricFilter {
  readonly tags?: readonly string[];
  readonly value?: number;
  readonly type?: Serie['type'];
  readonly host?: string;
  /** Exactly this many matching points (default: at least one). */
  readonly count?: number;
}

export class CheckResults {
  readonly asserted = new Set<string>();
  constructor(
    readonly series: Serie[],
    readonly serviceChecks: CheckRun[],
    readonly events: AgentEvent[],
    /** Each run's error (undefined when it succeeded). */
    readonly errors: (string | undefined)[],
    readonly logs: string[],
    readonly runner: InstanceRunner,
  ) {}

  /** Series of the last run only. */
  lastRun(): Serie[] {
    const last = Math.max(...this.series.map((s) => s.points[0]![0]));
    return this.series.filter((s) => s.points[0]![0] === last);
  }

  find(name: string, filter: MetricFilter = {}): Serie[] {
    return this.series.filter(
      (s) =>
        s.metric === name &&
        (filter.tags ?? []).every((t) => s.tags.includes(t)) &&
        (filter.value === undefined || Math.abs(s.points[0]![1] - filter.value) < 1e-9) &&
        (filter.type === undefined || s.type === filter.type) &&
        (filter.host === undefined || s.host === filter.host),
    );
  }

  /** The value of the one matching series of the last run. */
  value(name: string, tags: readonly string[] = []): number {
    const found = this.find(name, { tags }).filter((s) => this.lastRun().includes(s));
    if (found.length !== 1) throw new Error(`expected one ${name} ${JSON.stringify(tags)} in the last run, found ${found.length}`);
    this.asserted.add(name);
    return found[0]!.points[0]![1];
  }

  assertMetric(name: string, filter: MetricFilter = {}): Serie[] {
    const found = this.find(name, filter);
    const ok = filter.count === undefined ? found.length > 0 : found.length === filter.count;
    if (!ok) {
      const same = this.series.filter((s) => s.metric === name).map((s) => `${s.type} ${s.points[0]![1]} [${s.tags.join(',')}] host=${s.host}`);
      throw new Error(`metric ${name} ${JSON.stringify(filter)} not submitted${filter.count !== undefined ? ` ${filter.count} times (found ${found.length})` : ''}; submitted under that name: ${same.length ? same.join('; ') : 'none'}`);
    }
    this.asserted.add(name);
    return found;
  }

  assertServiceCheck(name: string, expected: { status?: number; tags?: readonly string[]; message?: RegExp | string; count?: number } = {}): CheckRun[] {
    const found = this.serviceChecks.filter(
      (c) =>
        c.check === name &&
        (expected.status === undefined || c.status === expected.status) &&
        (expected.tags ?? []).every((t) => c.tags.includes(t)) &&
        (expected.message === undefined || (typeof expected.message === 'string' ? c.message === expected.message : expected.message.test(c.message))),
    );
    const ok = expected.count === undefined ? found.length > 0 : found.length === expected.count;
    if (!ok) throw new Error(`service check ${name} ${JSON.stringify({ ...expected, message: String(expected.message) })} not found; got ${JSON.stringify(this.serviceChecks)}`);
    return found;
  }

  /** Every submitted metric is in the check's metadata table (histogram suffixes included). */
  assertMetricsUsingMetadata(metadata: readonly MetricMetadata[]): void {
    const known = metadataNames(metadata);
    const unknown = [...new Set(this.series.map((s) => s.metric))].filter((m) => !known.has(m));
    if (unknown.length > 0) throw new Error(`metrics submitted but not in the metadata table: ${unknown.join(', ')}`);
  }

  /** Every metric of the metadata table was submitted, but those `except` names (the test server cannot produce them). */
  assertMetadataCovered(metadata: readonly MetricMetadata[], except: readonly string[] = []): void {
    const submitted = new Set(this.series.map((s) => s.metric.replace(/\.(max|median|avg|count|min|sum|\d+percentile)$/, '')).concat(this.series.map((s) => s.metric)));
    const missing = metadata.map((m) => m.name).filter((name) => !submitted.has(name) && !except.includes(name));
    if (missing.length > 0) throw new Error(`metadata metrics never submitted: ${missing.join(', ')}`);
  }

  /** Every submitted metric was asserted by the test (integrations-core's assert_all_metrics_covered). */
  assertAllMetricsCovered(): void {
    const missing = [...new Set(this.series.map((s) => s.metric))].filter((m) => !this.asserted.has(m));
    if (missing.length > 0) throw new Error(`metrics submitted but not asserted: ${missing.join(', ')}`);
  }
}

function metadataNames(metadata: readonly MetricMetadata[]): Set<string> {
  const names = new Set<string>();
  for (const m of metadata) {
    names.add(m.name);
    if (m.type === 'histogram') for (const suffix of ['max', 'median', 'avg', 'count', 'min', 'sum', '95percentile', '99percentile']) names.add(`${m.name}.${suffix}`);
  }
  return names;
}

/** Runs one instance of `check` (a definition, or a name the registry loads) `runs` times. */
export async function runCheck(check: CheckDefinition | string, instance: Record<string, unknown>, options: CheckRunOptions = {}): Promise<CheckResults> {
  const definition = typeof check === 'string' ? await loadCheck(check) : check;
  if (definition === undefined) throw new Error(`no check ${String(check)}`);
  const logs: string[] = [];
  const runner = new InstanceRunner({
    definition,
    instance,
    initConfig: options.initConfig ?? {},
    source: 'test',
    hostname: CHECK_HOST,
    globalTags: options.globalTags ?? [],
    histogram: { aggregates: ['max', 'median', 'avg', 'count'], percentiles: [95] },
    logger: createLogger('CORE', 'debug', (line) => logs.push(line)),
  });
  const runs = options.runs ?? (definition.needsTwoRuns ? 2 : 1);
  const series: Serie[] = [];
  const serviceChecks: CheckRun[] = [];
  const events: AgentEvent[] = [];
  const errors: (string | undefined)[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      if (run > 0) {
        await options.between?.(run);
        // Rates divide by whole seconds between runs: the next run must fall in a later second.
        await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 1_050));
      }
      const result = await runner.run(options.timeoutMs ?? 15_000);
      series.push(...result.series);
      serviceChecks.push(...result.serviceChecks);
      events.push(...result.events);
      errors.push(result.error);
    }
  } finally {
    await runner.close();
  }
  return new CheckResults(series, serviceChecks, events, errors, logs, runner);
}
