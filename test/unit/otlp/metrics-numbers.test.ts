// Gauges and sums, with the mapping's own cases (metrics_translator_test.go, testdata mixed/simple).
import { describe, expect, it } from 'vitest';
import { MetricsTranslator } from '../../../src/agent/otlp/metrics/index.js';
import { FLAG_NO_RECORDED_VALUE, TEMPORALITY_CUMULATIVE, TEMPORALITY_DELTA, TEMPORALITY_UNSPECIFIED, type NumberDataPoint } from '../../../src/agent/otlp/model.js';
import { attrs, metric, numberPoint, RecordingConsumer, request, sec } from './metrics-helpers.js';

const NOW_MS = 1_700_000_000_000;
const clock = () => NOW_MS;
// Scope tags (on by default, `instrumentation_scope:n/a` for an empty scope) are covered in metrics-attributes.test.ts.
const noScope = { instrumentationScopeMetadataAsTags: false } as const;

function cumulative(name: string, points: NumberDataPoint[], monotonic = true) {
  return metric(name, { type: 'sum', dataPoints: points, aggregationTemporality: TEMPORALITY_CUMULATIVE, isMonotonic: monotonic });
}

function run(translator: MetricsTranslator, ...metrics: ReturnType<typeof metric>[]): RecordingConsumer {
  const consumer = new RecordingConsumer();
  translator.consume(request(metrics, attrs({ 'host.name': 'res-host' })), consumer);
  return consumer;
}

describe('OTLP gauges and sums', () => {
  it('maps the mixed fixture: gauges as gauges, delta sums (monotonic or not) as counts, cumulative non-monotonic as gauges', () => {
    const t = new MetricsTranslator({ ...noScope, clock });
    const a = attrs({ custom_attribute: 'custom_value', 'deployment.environment': 'dev' });
    const ts = 1667560641226420924n;
    const c = run(
      t,
      metric('int.gauge', { type: 'gauge', dataPoints: [numberPoint(1, ts, { attributes: a })] }),
      metric('double.delta.sum', { type: 'sum', dataPoints: [numberPoint(2.718281828459045, ts, { attributes: a })], aggregationTemporality: TEMPORALITY_DELTA, isMonotonic: false }),
      metric('int.delta.monotonic.sum', { type: 'sum', dataPoints: [numberPoint(2, ts, { attributes: a })], aggregationTemporality: TEMPORALITY_DELTA, isMonotonic: true }),
      cumulative('double.cumulative.sum', [numberPoint(4, ts, { attributes: a })], false),
      cumulative('int.cumulative.monotonic.sum', [numberPoint(4, ts, { attributes: a }), numberPoint(7, ts + 1n, { attributes: a })]),
    );
    expect(c.series.map((s) => [s.name, s.type, s.value, s.ts])).toEqual([
      ['int.gauge', 'gauge', 1, ts],
      ['double.delta.sum', 'count', 2.718281828459045, ts],
      ['int.delta.monotonic.sum', 'count', 2, ts],
      ['double.cumulative.sum', 'gauge', 4, ts],
      ['int.cumulative.monotonic.sum', 'count', 3, ts + 1n],
    ]);
    expect(c.series[0]!.tags).toEqual(['custom_attribute:custom_value', 'deployment.environment:dev']);
    expect(c.series.every((s) => s.host === 'res-host')).toBe(true);
  });

  it('turns a cumulative sequence into deltas, the first point only remembered', () => {
    const deltas = [1, 2, 200, 3, 7, 0];
    let total = 0;
    const points = [numberPoint(0, sec(0))];
    deltas.forEach((d, i) => points.push(numberPoint((total += d), sec((i + 1) * 10))));
    const t = new MetricsTranslator({ ...noScope, clock });
    const c = run(t, cumulative('requests', points));
    expect(c.series.map((s) => [s.type, s.value, s.ts])).toEqual(deltas.map((d, i) => ['count', d, sec((i + 1) * 10)]));
    expect(t.counters.cumulativeFirstPoints).toBe(1);
  });

  it('a drop in value is a reset: remembered, not reported (TestMapIntMonotonicWithRebootWithinSlice)', () => {
    const c = run(new MetricsTranslator({ ...noScope, clock }), cumulative('m', [0, 30, 0, 20].map((v, i) => numberPoint(v, sec(i * 10)))));
    expect(c.points()).toEqual(['m count 10=30', 'm count 30=20']);
  });

  it('a new start time is a reset; the first point of the slice is reported when its series began after the agent', () => {
    const t = new MetricsTranslator({ ...noScope, clock });
    const start = sec(NOW_MS / 1000 + 1);
    run(t, cumulative('m', [numberPoint(10, start + sec(2), { startTimeUnixNano: start })]));
    const c = run(
      t,
      cumulative('m', [
        numberPoint(5, start + sec(3), { startTimeUnixNano: start }), // lower: reset, reported (first of slice, began after the agent)
        numberPoint(30, start + sec(4), { startTimeUnixNano: start }),
      ]),
    );
    expect(c.series.map((s) => s.value)).toEqual([5, 25]);
    const restarted = run(t, cumulative('m', [numberPoint(100, start + sec(9), { startTimeUnixNano: start + sec(8) })]));
    expect(restarted.series.map((s) => s.value)).toEqual([100]); // new start time after the agent's: reported as is
  });

  it('initial_cumulative_monotonic_value: auto skips series that began before the agent, keep reports them, drop never', () => {
    const before = sec(NOW_MS / 1000 - 100);
    const point = numberPoint(42, sec(NOW_MS / 1000), { startTimeUnixNano: before });
    expect(run(new MetricsTranslator({ ...noScope, clock }), cumulative('m', [point])).series).toEqual([]);
    expect(run(new MetricsTranslator({ ...noScope, clock, initialCumulativeMonotonicValue: 'keep' }), cumulative('m', [point])).series.map((s) => s.value)).toEqual([42]);
    const after = numberPoint(42, sec(NOW_MS / 1000 + 10), { startTimeUnixNano: sec(NOW_MS / 1000 + 5) });
    expect(run(new MetricsTranslator({ ...noScope, clock, initialCumulativeMonotonicValue: 'drop' }), cumulative('m', [after])).series).toEqual([]);
    expect(run(new MetricsTranslator({ ...noScope, clock }), cumulative('m', [after])).series.map((s) => s.value)).toEqual([42]);
  });

  it('drops points not newer than the remembered one (TestMapIntMonotonicOutOfOrder)', () => {
    const stamps = [1, 0, 2, 3];
    const t = new MetricsTranslator({ ...noScope, clock });
    const c = run(t, cumulative('m', [0, 1, 2, 3].map((v, i) => numberPoint(v, sec(stamps[i]!)))));
    expect(c.points()).toEqual(['m count 2=2', 'm count 3=1']);
    expect(t.counters.dropped.sum?.out_of_order).toBe(1);
  });

  it('keeps series of different attributes apart (TestMapIntMonotonicDifferentDimensions)', () => {
    const pts: NumberDataPoint[] = [];
    for (const [tag, v] of [[undefined, 20], ['valA', 30], ['valB', 40]] as const) {
      const a = tag === undefined ? [] : attrs({ key1: tag });
      pts.push(numberPoint(0, sec(0), { attributes: a }), numberPoint(v, sec(1), { attributes: a }));
    }
    const c = run(new MetricsTranslator({ ...noScope, clock }), cumulative('m', pts));
    expect(c.series.map((s) => `${s.tags.join(',')}=${s.value}`)).toEqual(['=20', 'key1:valA=30', 'key1:valB=40']);
  });

  it('skips no-recorded-value points without forgetting the series (TestMapIntMonotonicWithNoRecordedValueWithinSlice)', () => {
    const t = new MetricsTranslator({ ...noScope, clock });
    const pts = [0, 30, 0, 40].map((v, i) => numberPoint(v, sec(i * 10), i === 2 ? { flags: FLAG_NO_RECORDED_VALUE } : {}));
    expect(run(t, cumulative('m', pts)).points()).toEqual(['m count 10=30', 'm count 30=10']);
    expect(t.counters.dropped.sum?.no_recorded_value).toBe(1);
  });

  it('skips and counts NaN and Inf, and unspecified temporality', () => {
    const t = new MetricsTranslator({ ...noScope, clock });
    const c = run(
      t,
      metric('g', { type: 'gauge', dataPoints: [numberPoint(NaN, sec(1)), numberPoint(Infinity, sec(1)), numberPoint(3, sec(1))] }),
      metric('u', { type: 'sum', dataPoints: [numberPoint(1, sec(1))], aggregationTemporality: TEMPORALITY_UNSPECIFIED, isMonotonic: true }),
      metric('n', { type: 'none' }),
    );
    expect(c.points()).toEqual(['g gauge 1=3']);
    expect(t.counters.dropped).toEqual({ gauge: { nan_or_inf: 2 }, sum: { unsupported_temporality: 1 }, none: { no_data: 1 } });
    expect(t.counters.pointsReceived).toBe(5);
    expect(t.counters.seriesProduced).toBe(1);
  });

  it('raw_value mode reports cumulative monotonic sums as gauges', () => {
    const c = run(new MetricsTranslator({ ...noScope, clock, cumulativeMonotonicMode: 'raw_value' }), cumulative('m', [numberPoint(5, sec(1)), numberPoint(9, sec(2))]));
    expect(c.points()).toEqual(['m gauge 1=5', 'm gauge 2=9']);
  });

  it('reports the rate-as-gauge metrics per second, never their first value (TestMapIntMonotonicMetrics rate)', () => {
    const c = run(new MetricsTranslator({ ...noScope, clock }), cumulative('kafka.net.bytes_in.rate', [numberPoint(0, sec(0)), numberPoint(30, sec(10))]));
    expect(c.points()).toEqual(['kafka.net.bytes_in.rate gauge 10=3']);
  });

  it('renames host metrics otel.* as Agent ingestion does, unless told not to', () => {
    const g = metric('system.cpu.utilization', { type: 'gauge', dataPoints: [numberPoint(0.5, sec(1))] });
    expect(run(new MetricsTranslator({ ...noScope, clock }), g).series[0]!.name).toBe('otel.system.cpu.utilization');
    expect(run(new MetricsTranslator({ ...noScope, clock, otelPrefix: false }), g).series[0]!.name).toBe('system.cpu.utilization');
  });

  it('adds otlp_config.metrics.tags to every point', () => {
    const c = run(new MetricsTranslator({ ...noScope, clock, tags: ['team:core'] }), metric('g', { type: 'gauge', dataPoints: [numberPoint(1, sec(1))] }));
    expect(c.series[0]!.tags).toEqual(['team:core']);
  });
});
