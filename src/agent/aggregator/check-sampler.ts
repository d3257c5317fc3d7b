// The samples of one check instance, turned into series at the end of each run as the official
// agent's check sampler does (pkg/aggregator/check_sampler.go): gauge last value, rate from two
// runs, count summed, monotonic_count increases, histogram aggregates of the run's samples.
import type { CheckEvent, Sender, ServiceCheckStatus } from '../checks/check.js';
import type { AgentEvent, CheckRun, Serie } from './payloads.js';
import { flushHistogram, HistogramSamples, type HistogramSettings } from './histogram.js';

export interface CheckOutput {
  readonly series: Serie[];
  readonly serviceChecks: CheckRun[];
  readonly events: AgentEvent[];
}

export interface CheckSamplerOptions {
  /** The agent's host name; '' with `empty_default_hostname`. */
  readonly hostname: string;
  /** The instance's `tags` and `service:`, then the agent's global tags. */
  readonly tags: readonly string[];
  readonly histogram: HistogramSettings;
}

/** A rate or monotonic count forgets a context after this many runs without a sample. */
const STATE_EXPIRY_RUNS = 10;

interface Previous {
  value: number;
  at: number;
  run: number;
}

interface RunSample {
  readonly name: string;
  readonly host: string;
  readonly tags: string[];
  kind: 'gauge' | 'count' | 'histogram' | 'rate' | 'monotonic_count';
  value: number;
  histogram?: HistogramSamples;
}

/** Counts of what the last run submitted, for `agent status`. */
export interface SampleCounts {
  metricSamples: number;
  serviceChecks: number;
  events: number;
}

export class CheckSampler implements Sender {
  private samples = new Map<string, RunSample>();
  private serviceChecks: CheckRun[] = [];
  private events: AgentEvent[] = [];
  private readonly previous = new Map<string, Previous>();
  private runs = 0;
  counts: SampleCounts = { metricSamples: 0, serviceChecks: 0, events: 0 };

  constructor(private readonly options: CheckSamplerOptions) {}

  gauge(name: string, value: number, tags?: readonly string[], hostname?: string): void {
    this.sample('gauge', name, value, tags, hostname);
  }

  rate(name: string, value: number, tags?: readonly string[], hostname?: string): void {
    this.sample('rate', name, value, tags, hostname);
  }

  count(name: string, value: number, tags?: readonly string[], hostname?: string): void {
    this.sample('count', name, value, tags, hostname);
  }

  monotonicCount(name: string, value: number, tags?: readonly string[], hostname?: string): void {
    this.sample('monotonic_count', name, value, tags, hostname);
  }

  histogram(name: string, value: number, tags?: readonly string[], hostname?: string): void {
    this.sample('histogram', name, value, tags, hostname);
  }

  serviceCheck(name: string, status: ServiceCheckStatus, tags?: readonly string[], message = '', hostname?: string): void {
    const { host, tags: all } = this.resolve(tags, hostname);
    this.counts.serviceChecks++;
    this.serviceChecks.push({ check: name, host_name: host, timestamp: 0, status, message, tags: all });
  }

  event(event: CheckEvent): void {
    const { host, tags } = this.resolve(event.tags, event.hostname);
    this.counts.events++;
    this.events.push({
      msg_title: event.title,
      msg_text: event.text,
      timestamp: event.timestamp ?? 0,
      priority: event.priority ?? 'normal',
      host,
      tags,
      alert_type: event.alertType ?? 'info',
      ...(event.aggregationKey !== undefined ? { aggregation_key: event.aggregationKey } : {}),
      ...(event.sourceType !== undefined ? { source_type_name: event.sourceType } : {}),
    });
  }

  /** Starts a run: what the previous one left uncommitted (it failed or timed out) is dropped. */
  begin(): void {
    this.samples = new Map();
    this.serviceChecks = [];
    this.events = [];
    this.counts = { metricSamples: 0, serviceChecks: 0, events: 0 };
  }

  /** Ends a run at `now` (unix seconds): its series, service checks and events. */
  commit(now: number): CheckOutput {
    this.runs++;
    const series: Serie[] = [];
    for (const [key, s] of this.samples) {
      // Check series carry interval 0, whatever the type, as the agent sends them.
      const point = (metric: string, value: number, type: Serie['type']): void => {
        series.push({ metric, points: [[now, value]], tags: s.tags, host: s.host, type, interval: 0 });
      };
      switch (s.kind) {
        case 'gauge':
          point(s.name, s.value, 'gauge');
          break;
        case 'count':
          point(s.name, s.value, 'count');
          break;
        case 'histogram':
          // Over an interval of 1, `.count` is the run's number of samples.
          for (const p of flushHistogram(s.histogram!, this.options.histogram, 1)) point(s.name + p.suffix, p.value, p.type);
          break;
        case 'rate': {
          const before = this.previous.get(key);
          this.previous.set(key, { value: s.value, at: now, run: this.runs });
          const rate = before !== undefined && now > before.at ? (s.value - before.value) / (now - before.at) : -1;
          if (rate >= 0) point(s.name, rate, 'gauge'); // a negative rate is a counter reset: dropped
          break;
        }
        case 'monotonic_count': {
          const before = this.previous.get(key);
          this.previous.set(key, { value: s.value, at: now, run: this.runs });
          // A decrease is a reset of the counter: nothing counted for this run, as the agent does.
          if (before !== undefined) point(s.name, Math.max(0, s.value - before.value), 'count');
          break;
        }
      }
    }
    for (const [key, p] of this.previous) if (this.runs - p.run > STATE_EXPIRY_RUNS) this.previous.delete(key);
    for (const check of this.serviceChecks) (check as { timestamp: number }).timestamp = now;
    for (const event of this.events) if (event.timestamp === 0) (event as { timestamp: number }).timestamp = now;
    const output = { series, serviceChecks: this.serviceChecks, events: this.events };
    this.samples = new Map();
    this.serviceChecks = [];
    this.events = [];
    return output;
  }

  /** Tags as given (a comma inside one stays in it; `host:` is a tag like any other), deduplicated and sorted. */
  private resolve(tags: readonly string[] | undefined, hostname: string | undefined): { host: string; tags: string[] } {
    return { host: hostname ?? this.options.hostname, tags: [...new Set([...(tags ?? []), ...this.options.tags])].filter((t) => t !== '').sort() };
  }

  private sample(kind: RunSample['kind'], name: string, value: number, tags: readonly string[] | undefined, hostname: string | undefined): void {
    if (!Number.isFinite(value)) return; // NaN and infinities are refused, as DogStatsD refuses them
    this.counts.metricSamples++;
    const { host, tags: all } = this.resolve(tags, hostname);
    const key = `${kind}\n${name}\n${host}\n${all.join(',')}`;
    const existing = this.samples.get(key);
    if (existing === undefined) {
      const s: RunSample = { name, host, tags: all, kind, value };
      if (kind === 'histogram') (s.histogram = new HistogramSamples()).add(value, 1);
      this.samples.set(key, s);
      return;
    }
    if (kind === 'count') existing.value += value;
    else if (kind === 'histogram') existing.histogram!.add(value, 1);
    else existing.value = value;
  }
}
