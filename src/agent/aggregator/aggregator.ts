// Time-bucketed aggregation with the official agent's semantics: 10 s buckets flushed once
// closed; counters as rates zero-filled for 300 s; gauges last; sets unique count; histograms
// and timers; distributions as agent DDSketches; `|T` samples passed through unaggregated.
// Memory is bounded by caps, each counted in status() when it bites: live contexts
// (`contextLimit`; idle ones forgotten after `contextExpirySeconds`, counters after their
// zero-fill), histogram samples and set members kept per context and bucket and in all
// (histograms then go to a sketch, sets refuse new members), and the timestamped samples, events
// and service checks waiting for the next flush (at most `contextLimit` of each). OTLP points
// (MetricsConsumer) are passed through as timestamped samples and sketches are, under the same caps.
import type { Logger } from '../../log.js';
import type { MetricDimensions, MetricsConsumer, SketchData, TimeSeriesType } from '../otlp/consumer.js';
import type { DogStatsdEvent, DogStatsdServiceCheck, DogStatsdSink, MetricKey, MetricKind } from '../dogstatsd/messages.js';
import type { CheckOutput } from './check-sampler.js';
import { ContextResolver, tagSet, type Context } from './context.js';
import { flushHistogram, HistogramSamples, type HistogramSettings } from './histogram.js';
import type { AgentEvent, CheckRun, FlushBatch, Serie, SketchSerie } from './payloads.js';
import { AgentSketch } from './sketch.js';

export const BUCKET_SECONDS = 10;
/** Counters keep reporting 0 this long after their last sample (`dogstatsd_expiry_seconds`). */
export const COUNTER_ZERO_FILL_SECONDS = 300;
/** Defaults of the caps (DD_DOGSTATSD_CONTEXT_LIMITER_LIMIT and the others in src/config/variables.ts). */
export const DEFAULT_CONTEXT_LIMIT = 10_000;
export const DEFAULT_CONTEXT_EXPIRY_SECONDS = 20;
export const DEFAULT_MAX_SAMPLES_PER_CONTEXT = 10_000;
export const DEFAULT_MAX_SAMPLES_TOTAL = 1_000_000;

export interface AggregatorLimits {
  /** Live contexts at most (`dogstatsd_context_limiter.limit`); 0: no limit. Also bounds each pending list. */
  readonly contextLimit?: number;
  /** Idle non-counter contexts are forgotten after this (`dogstatsd_context_expiry_seconds`). */
  readonly contextExpirySeconds?: number;
  /** Histogram samples (or set members) kept per context and bucket before sketching (refusing). */
  readonly maxSamplesPerContext?: number;
  /** The same, over every context of the unflushed buckets. */
  readonly maxSamplesTotal?: number;
}

export interface AggregatorOptions {
  readonly hostname: string;
  readonly globalTags: readonly string[];
  readonly histogram: HistogramSettings;
  /** Milliseconds since epoch; tests pass a clock they move. */
  readonly clock: () => number;
  /** Tags of the heartbeat gauge besides the global tags (e.g. `version:`). */
  readonly heartbeatTags?: readonly string[];
  readonly limits?: AggregatorLimits;
  /** Told once when a cap first drops data. */
  readonly logger?: Logger;
}

class Entry {
  value = 0;
  members: Set<string> | undefined;
  histogram: HistogramSamples | undefined;
  sketch: AgentSketch | undefined;
  constructor(readonly kind: MetricKind) {}
}

/** Character codes of c g h d s: timers and histograms share contexts, as in the official agent. */
function kindCode(kind: MetricKind): number {
  switch (kind) {
    case 'counter':
      return 99;
    case 'gauge':
      return 103;
    case 'histogram':
    case 'timer':
      return 104;
    case 'distribution':
      return 100;
    case 'set':
      return 115;
  }
}

export class Aggregator implements DogStatsdSink, MetricsConsumer {
  private readonly contexts: ContextResolver;
  private readonly buckets = new Map<number, Map<Context, Entry>>();
  private currentStart = -1;
  private current: Map<Context, Entry> | undefined;
  private nextFlushStart: number;
  /** Counter context → start of the last bucket it had a sample in. */
  private readonly counters = new Map<Context, number>();
  private pendingSeries: Serie[] = [];
  private pendingChecks: CheckRun[] = [];
  private pendingEvents: AgentEvent[] = [];
  /** OTLP sketches, one point each, sent with the next flush's bucketed sketches. */
  private pendingSketches: SketchSerie[] = [];
  /** Unix seconds at which the datagram being parsed arrived. */
  private receivedAt = 0;
  private readonly stats = { flushes: 0, series: 0, sketches: 0, serviceChecks: 0, events: 0, timestampedSamples: 0, otlpSeries: 0, otlpSketches: 0 };
  /** What the caps refused or approximated, since start. */
  private readonly capped = {
    samplesDroppedByContextLimit: 0,
    histogramsSketched: 0,
    histogramSamplesSketched: 0,
    setMembersDroppedByLimit: 0,
    timestampedSamplesDroppedByLimit: 0,
    eventsDroppedByLimit: 0,
    serviceChecksDroppedByLimit: 0,
    otlpSeriesDroppedByLimit: 0,
    otlpSketchesDroppedByLimit: 0,
  };
  private readonly contextLimit: number;
  private readonly contextExpiry: number;
  private readonly perContext: number;
  private readonly total: number;
  /** Histogram samples and set members held in the unflushed buckets. */
  private retained = 0;

  constructor(private readonly options: AggregatorOptions) {
    const limits = options.limits ?? {};
    this.contextLimit = limits.contextLimit ?? DEFAULT_CONTEXT_LIMIT;
    // Never under a bucket: a context lives at least until its bucket is flushed.
    this.contextExpiry = Math.max(BUCKET_SECONDS, limits.contextExpirySeconds ?? DEFAULT_CONTEXT_EXPIRY_SECONDS);
    this.perContext = Math.max(1, limits.maxSamplesPerContext ?? DEFAULT_MAX_SAMPLES_PER_CONTEXT);
    this.total = Math.max(1, limits.maxSamplesTotal ?? DEFAULT_MAX_SAMPLES_TOTAL);
    this.contexts = new ContextResolver(options.hostname, options.globalTags, { limit: this.contextLimit });
    this.nextFlushStart = bucketStart(this.nowSeconds());
  }

  private capHit(key: string, message: string): void {
    this.options.logger?.once(`aggregator-cap-${key}`, 'warn', message);
  }

  /** A pending list (timestamped samples, events, service checks) has room for one more. */
  private pendingRoom(length: number): boolean {
    return this.contextLimit === 0 || length < this.contextLimit;
  }

  private nowSeconds(): number {
    return Math.floor(this.options.clock() / 1000);
  }

  /** One clock read (~0.1 µs) per datagram: its samples all carry that time. */
  datagram(): void {
    this.receivedAt = this.nowSeconds();
  }

  metric(key: MetricKey, kind: MetricKind, value: number, setValue: string | undefined, rate: number, timestamp: number): void {
    const now = this.receivedAt;
    const context = this.contexts.resolve(kindCode(kind), key, now);
    if (context === undefined) {
      this.capped.samplesDroppedByContextLimit++;
      this.capHit('contexts', `DogStatsD: ${this.contextLimit} live contexts (dogstatsd_context_limiter.limit); samples of new contexts are dropped and counted (samplesDroppedByContextLimit in agent status)`);
      return;
    }
    if (timestamp > 0 && (kind === 'counter' || kind === 'gauge')) {
      // Timestamped samples skip aggregation: one point each, at the client's time.
      if (!this.pendingRoom(this.pendingSeries.length)) {
        this.capped.timestampedSamplesDroppedByLimit++;
        this.capHit('timestamped', `DogStatsD: ${this.contextLimit} timestamped samples wait for the next flush; more are dropped and counted`);
        return;
      }
      this.stats.timestampedSamples++;
      const type = kind === 'counter' ? 'count' : 'gauge';
      this.pendingSeries.push({ metric: context.name, points: [[timestamp, value]], tags: context.tags, host: context.host, type, interval: 0 });
      return;
    }
    let start = bucketStart(now);
    if (start < this.nextFlushStart) start = this.nextFlushStart;
    if (start !== this.currentStart) {
      this.currentStart = start;
      this.current = this.buckets.get(start);
      if (this.current === undefined) {
        this.current = new Map();
        this.buckets.set(start, this.current);
      }
    }
    // The context remembers its entry in the open bucket: no lookup for the samples after the first.
    let entry = context.openStart === start ? (context.openEntry as Entry | undefined) : this.current!.get(context);
    if (entry === undefined) {
      entry = new Entry(kind);
      this.current!.set(context, entry);
      if (kind === 'counter') this.counters.set(context, start);
    }
    context.openStart = start;
    context.openEntry = entry;
    const weight = rate === 1 ? 1 : Math.trunc(1 / rate);
    switch (kind) {
      case 'counter':
        entry.value += value / rate;
        break;
      case 'gauge':
        entry.value = value;
        break;
      case 'set': {
        const members = (entry.members ??= new Set());
        if (members.size < this.perContext && this.retained < this.total) {
          const size = members.size;
          members.add(setValue!);
          this.retained += members.size - size;
        } else if (!members.has(setValue!)) {
          this.capped.setMembersDroppedByLimit++;
          this.capHit('set', `DogStatsD: a set reached its cap on members (dogstatsd_max_samples_per_context or _total); new members are dropped and counted`);
        }
        break;
      }
      case 'histogram':
      case 'timer': {
        const histogram = (entry.histogram ??= new HistogramSamples());
        if (histogram.sketch === undefined && (histogram.length >= this.perContext || this.retained >= this.total)) {
          const moved = histogram.toSketch();
          this.retained -= moved;
          this.capped.histogramsSketched++;
          this.capped.histogramSamplesSketched += moved;
        }
        if (histogram.add(value, weight)) this.retained++;
        else this.capped.histogramSamplesSketched++;
        break;
      }
      case 'distribution':
        (entry.sketch ??= new AgentSketch()).insert(value, weight);
        break;
    }
  }

  event(event: DogStatsdEvent): void {
    if (!this.pendingRoom(this.pendingEvents.length)) {
      this.capped.eventsDroppedByLimit++;
      this.capHit('events', `DogStatsD: ${this.contextLimit} events wait for the next flush; more are dropped and counted`);
      return;
    }
    const { host, tags } = tagSet(event.tags, event.host ?? this.options.hostname, this.options.globalTags);
    this.pendingEvents.push({
      msg_title: event.title,
      msg_text: event.text,
      timestamp: event.timestamp || this.nowSeconds(),
      priority: event.priority,
      host,
      tags,
      alert_type: event.alertType,
      ...(event.aggregationKey !== undefined ? { aggregation_key: event.aggregationKey } : {}),
      ...(event.sourceType !== undefined ? { source_type_name: event.sourceType } : {}),
    });
  }

  serviceCheck(check: DogStatsdServiceCheck): void {
    if (!this.pendingRoom(this.pendingChecks.length)) {
      this.capped.serviceChecksDroppedByLimit++;
      this.capHit('service-checks', `DogStatsD: ${this.contextLimit} service checks wait for the next flush; more are dropped and counted`);
      return;
    }
    const { host, tags } = tagSet(check.tags, check.host ?? this.options.hostname, this.options.globalTags);
    this.pendingChecks.push({ check: check.name, host_name: host, timestamp: check.timestamp || this.nowSeconds(), status: check.status, message: check.message, tags });
  }

  /** One OTLP point, unaggregated as a `|T` sample is: at its own time, interval 0 (as the Agent's OTLP serializer sends it). */
  consumeTimeSeries(dimensions: MetricDimensions, type: TimeSeriesType, timestampNs: bigint, value: number): void {
    if (!this.pendingRoom(this.pendingSeries.length)) {
      this.capped.otlpSeriesDroppedByLimit++;
      this.capHit('otlp-series', `OTLP: ${this.contextLimit} points wait for the next flush; more are dropped and counted (otlpSeriesDroppedByLimit in agent status)`);
      return;
    }
    this.stats.otlpSeries++;
    const { host, tags } = this.otlpTags(dimensions);
    this.pendingSeries.push({ metric: dimensions.name, points: [[nanosToSeconds(timestampNs), value]], tags, host, type, interval: 0 });
  }

  /** One OTLP distribution point, sent with the next flush. */
  consumeSketch(dimensions: MetricDimensions, timestampNs: bigint, sketch: SketchData): void {
    if (!this.pendingRoom(this.pendingSketches.length)) {
      this.capped.otlpSketchesDroppedByLimit++;
      this.capHit('otlp-sketches', `OTLP: ${this.contextLimit} sketches wait for the next flush; more are dropped and counted (otlpSketchesDroppedByLimit in agent status)`);
      return;
    }
    this.stats.otlpSketches++;
    const { host, tags } = this.otlpTags(dimensions);
    this.pendingSketches.push({ metric: dimensions.name, host, tags, points: [{ ...sketch, ts: nanosToSeconds(timestampNs) }] });
  }

  /** The resource's host, else the agent's; the point's tags plus the global tags, deduplicated and sorted. */
  private otlpTags(dimensions: MetricDimensions): { host: string; tags: string[] } {
    const tags = new Set(dimensions.tags);
    for (const tag of this.options.globalTags) tags.add(tag);
    return { host: dimensions.host || this.options.hostname, tags: [...tags].sort() };
  }

  /** What a check run produced (host and tags already resolved by its sampler), sent with the next flush. */
  submitCheckOutput(output: CheckOutput): void {
    for (const serie of output.series) this.pendingSeries.push(serie);
    for (const check of output.serviceChecks) this.pendingChecks.push(check);
    for (const event of output.events) this.pendingEvents.push(event);
  }

  /**
   * Everything of the closed buckets (or of every bucket, open one included, when `all`). Yields
   * to the event loop every few thousand contexts so the listeners keep draining their sockets.
   */
  async flush(all = false): Promise<FlushBatch> {
    const now = this.nowSeconds();
    const series = this.pendingSeries;
    const serviceChecks = this.pendingChecks;
    const events = this.pendingEvents;
    const sketches: SketchSerie[] = this.pendingSketches;
    this.pendingSketches = [];
    this.pendingSeries = [];
    this.pendingChecks = [];
    this.pendingEvents = [];

    const lastClosed = bucketStart(now) - BUCKET_SECONDS;
    let last = lastClosed;
    if (all) last = Math.max(last + BUCKET_SECONDS, ...this.buckets.keys());
    // After a long pause (suspended process, clock jump) only the zero-fill window matters.
    if (last - this.nextFlushStart > COUNTER_ZERO_FILL_SECONDS) {
      for (const [start, entries] of this.buckets) {
        if (start < last - COUNTER_ZERO_FILL_SECONDS) {
          for (const entry of entries.values()) this.retained -= retainedBy(entry);
          this.buckets.delete(start);
        }
      }
      this.nextFlushStart = last - COUNTER_ZERO_FILL_SECONDS;
    }
    const first = this.nextFlushStart;
    // Samples arriving while this flush yields go to buckets after the flushed range.
    if (last + BUCKET_SECONDS > this.nextFlushStart) this.nextFlushStart = last + BUCKET_SECONDS;
    if (this.currentStart < this.nextFlushStart) {
      this.currentStart = -1;
      this.current = undefined;
    }
    for (let start = first; start <= last; start += BUCKET_SECONDS) {
      // Open buckets flushed at stop carry their samples, not zero-fill for a partial interval.
      await this.flushBucket(start, series, sketches, start <= lastClosed);
    }
    // Counters stay known through their zero-fill (as the agent's dogstatsd_expiry_seconds on top).
    this.contexts.expire(this.nextFlushStart - this.contextExpiry, this.nextFlushStart - COUNTER_ZERO_FILL_SECONDS - 2 * BUCKET_SECONDS, this.nextFlushStart);

    const heartbeatTags = [...new Set([...this.options.globalTags, ...(this.options.heartbeatTags ?? [])])].sort();
    series.push({ metric: 'datadog.agent.running', points: [[now, 1]], tags: heartbeatTags, host: this.options.hostname, type: 'gauge', interval: 0 });
    serviceChecks.push({ check: 'datadog.agent.up', host_name: this.options.hostname, timestamp: now, status: 0, message: '', tags: [...this.options.globalTags] });

    this.stats.flushes++;
    this.stats.series += series.length;
    this.stats.sketches += sketches.length;
    this.stats.serviceChecks += serviceChecks.length;
    this.stats.events += events.length;
    return { series, sketches, serviceChecks, events };
  }

  private async flushBucket(start: number, series: Serie[], sketches: SketchSerie[], zeroFill: boolean): Promise<void> {
    const entries = this.buckets.get(start);
    this.buckets.delete(start);
    let work = 0;
    if (entries !== undefined) {
      for (const [context, entry] of entries) {
        const held = retainedBy(entry);
        this.flushEntry(start, context, entry, series, sketches);
        if (context.openEntry === entry) context.openEntry = undefined; // its samples may be many: let them go
        this.retained -= held;
        work += Math.max(1, held);
        if (work > YIELD_EVERY) {
          work = 0;
          await yieldToEventLoop();
        }
      }
    }
    for (const [context, lastStart] of this.counters) {
      if (start - lastStart > COUNTER_ZERO_FILL_SECONDS) this.counters.delete(context);
      else if (zeroFill && lastStart < start) {
        series.push({ metric: context.name, points: [[start, 0]], tags: context.tags, host: context.host, type: 'rate', interval: BUCKET_SECONDS });
      }
    }
  }

  private flushEntry(start: number, context: Context, entry: Entry, series: Serie[], sketches: SketchSerie[]): void {
    const { name, tags, host } = context;
    switch (entry.kind) {
      case 'counter':
        series.push({ metric: name, points: [[start, entry.value / BUCKET_SECONDS]], tags, host, type: 'rate', interval: BUCKET_SECONDS });
        return;
      case 'gauge':
        series.push({ metric: name, points: [[start, entry.value]], tags, host, type: 'gauge', interval: BUCKET_SECONDS });
        return;
      case 'set':
        series.push({ metric: name, points: [[start, entry.members?.size ?? 0]], tags, host, type: 'gauge', interval: BUCKET_SECONDS });
        return;
      case 'histogram':
      case 'timer':
        for (const point of flushHistogram(entry.histogram!, this.options.histogram, BUCKET_SECONDS)) {
          series.push({ metric: name + point.suffix, points: [[start, point.value]], tags, host, type: point.type, interval: BUCKET_SECONDS });
        }
        return;
      case 'distribution': {
        const sketch = entry.sketch!;
        const { k, n } = sketch.binsOut();
        sketches.push({ metric: name, host, tags, points: [{ ts: start, cnt: sketch.cnt, min: sketch.min, max: sketch.max, avg: sketch.sum / sketch.cnt, sum: sketch.sum, k, n }] });
        return;
      }
    }
  }

  status(): Record<string, unknown> {
    return {
      contexts: this.contexts.size,
      contextLimit: this.contextLimit,
      contextSpellings: this.contexts.spellingsSize,
      samplesHeld: this.retained,
      ...this.capped,
      openBuckets: this.buckets.size,
      counterContextsZeroFilled: this.counters.size,
      flushes: this.stats.flushes,
      seriesFlushed: this.stats.series,
      sketchesFlushed: this.stats.sketches,
      serviceChecksFlushed: this.stats.serviceChecks,
      eventsFlushed: this.stats.events,
      timestampedSamples: this.stats.timestampedSamples,
      otlpSeries: this.stats.otlpSeries,
      otlpSketches: this.stats.otlpSketches,
    };
  }
}

/** Histogram samples or set members an entry holds (counted against the samples caps). */
function retainedBy(entry: Entry): number {
  return entry.histogram?.length ?? entry.members?.size ?? 0;
}

/** Units of flush work (contexts, histogram samples) between two yields to the event loop. */
const YIELD_EVERY = 20_000;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function nanosToSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n);
}

export function bucketStart(seconds: number): number {
  return seconds - (seconds % BUCKET_SECONDS);
}
