// Summaries, against the mapping's fixture (otlpdata/summary/simple.json → simple_summary-with-quantile.json).
import { describe, expect, it } from 'vitest';
import { MetricsTranslator } from '../../../src/agent/otlp/metrics/index.js';
import { attrs, metric, RecordingConsumer, request, summaryPoint } from './metrics-helpers.js';

const quantiles = [
  { quantile: 0, value: 0 },
  { quantile: 0.5, value: 100 },
  { quantile: 0.999, value: 500 },
  { quantile: 1, value: 600 },
];
const fixture = request(
  [
    metric('summary.example', { type: 'summary', dataPoints: [summaryPoint({ timeUnixNano: 1669802348455623075n, count: 1, sum: 1 })] }),
    metric('summary.example', { type: 'summary', dataPoints: [summaryPoint({ timeUnixNano: 1669802350921840070n, count: 11, sum: 101, quantileValues: quantiles })] }),
  ],
  attrs({ 'host.name': 'hostname' }),
);

describe('OTLP summaries', () => {
  it('maps the fixture: delta count and sum, quantile gauges tagged quantile: (summaries.mode=gauges by default)', () => {
    const c = new RecordingConsumer();
    new MetricsTranslator({ instrumentationScopeMetadataAsTags: false }).consume(fixture, c);
    expect(c.series.map((s) => [s.name, s.type, s.tags, s.value, s.host, s.ts])).toEqual([
      ['summary.example.count', 'count', [], 10, 'hostname', 1669802350921840070n],
      ['summary.example.sum', 'count', [], 100, 'hostname', 1669802350921840070n],
      ['summary.example.quantile', 'gauge', ['quantile:0'], 0, 'hostname', 1669802350921840070n],
      ['summary.example.quantile', 'gauge', ['quantile:0.5'], 100, 'hostname', 1669802350921840070n],
      ['summary.example.quantile', 'gauge', ['quantile:0.999'], 500, 'hostname', 1669802350921840070n],
      ['summary.example.quantile', 'gauge', ['quantile:1.0'], 600, 'hostname', 1669802350921840070n],
    ]);
  });

  it('noquantiles mode sends only count and sum (simple_summary.json)', () => {
    const c = new RecordingConsumer();
    new MetricsTranslator({ instrumentationScopeMetadataAsTags: false, summaryMode: 'noquantiles' }).consume(fixture, c);
    expect(c.series.map((s) => s.name)).toEqual(['summary.example.count', 'summary.example.sum']);
  });

  it('a sum that goes down is reported as a negative delta, a count that goes down is a reset', () => {
    const t = new MetricsTranslator({ instrumentationScopeMetadataAsTags: false, summaryMode: 'noquantiles' });
    const c = new RecordingConsumer();
    const point = (ts: bigint, count: number, sum: number) => request([metric('s', { type: 'summary', dataPoints: [summaryPoint({ timeUnixNano: ts, count, sum })] })]);
    t.consume(point(1n, 10, 10), c);
    t.consume(point(2n, 5, 4), c);
    expect(c.series.map((s) => `${s.name}=${s.value}`)).toEqual(['s.sum=-6']);
  });
});
