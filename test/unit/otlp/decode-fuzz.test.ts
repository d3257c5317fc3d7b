// Whatever the bytes, the decoders return a request or throw a DecodeError: random bodies, and valid
// SDK bodies with bytes flipped, cut or inserted, for protobuf and JSON alike.
import fc from 'fast-check';
import { JsonMetricsSerializer, JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, decodeMetricsJson, decodeMetricsProto, decodeTracesJson, decodeTracesProto } from '../../../src/agent/otlp/decode/index.js';

class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const bodies: Record<'metricsProto' | 'metricsJson' | 'tracesProto' | 'tracesJson', Uint8Array> = {} as never;

beforeAll(async () => {
  const reader = new CollectingReader();
  const meters = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'fuzz', nested: ['a', 'b'] }),
    readers: [reader],
    views: [{ instrumentName: 'exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = meters.getMeter('fuzz');
  meter.createCounter('c').add(3, { k: 'v' });
  meter.createHistogram('h').record(12.5);
  meter.createHistogram('exp').record(7);
  meter.createGauge('g').record(-1);
  const { resourceMetrics } = await reader.collect();
  await meters.shutdown();
  bodies.metricsProto = ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!;
  bodies.metricsJson = JsonMetricsSerializer.serializeRequest(resourceMetrics)!;

  const exporter = new InMemorySpanExporter();
  const tracers = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = tracers.getTracer('fuzz').startSpan('op', { attributes: { n: 1, list: [1, 2] } });
  span.addEvent('e', { x: true });
  span.end();
  bodies.tracesProto = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
  bodies.tracesJson = JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
  await tracers.shutdown();
});

const decoders = {
  metricsProto: decodeMetricsProto,
  metricsJson: decodeMetricsJson,
  tracesProto: decodeTracesProto,
  tracesJson: decodeTracesJson,
} as const;

function decodesOrRefuses(decode: (body: Uint8Array) => unknown, body: Uint8Array): void {
  try {
    decode(body);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
  }
}

/** A valid body with some bytes overwritten, some cut out and some inserted. */
const mutation = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
  cut: fc.option(fc.tuple(fc.nat(), fc.nat({ max: 16 }))),
  insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 12 }))),
});

type Mutation = { flips: [number, number][]; cut: [number, number] | null; insert: [number, Uint8Array] | null };

function mutate(body: Uint8Array, m: Mutation): Uint8Array {
  let out = Buffer.from(body);
  for (const [at, byte] of m.flips) if (out.length > 0) out[at % out.length] = byte;
  if (m.cut && out.length > 0) {
    const at = m.cut[0] % out.length;
    out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.cut[1])]);
  }
  if (m.insert) {
    const at = m.insert[0] % (out.length + 1);
    out = Buffer.concat([out.subarray(0, at), m.insert[1], out.subarray(at)]);
  }
  return out;
}

describe('decoder fuzz', () => {
  for (const name of Object.keys(decoders) as (keyof typeof decoders)[]) {
    it(`${name}: random bytes never throw anything but DecodeError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrRefuses(decoders[name], bytes)),
        { numRuns: 2000, seed: 1337 },
      );
    });

    it(`${name}: mutated SDK bodies never throw anything but DecodeError`, () => {
      expect(() => decoders[name](bodies[name])).not.toThrow();
      fc.assert(
        fc.property(mutation, (m) => decodesOrRefuses(decoders[name], mutate(bodies[name], m))),
        { numRuns: 3000, seed: 4242 },
      );
    });
  }

  it('JSON bodies built from random JSON values never throw anything but DecodeError', () => {
    const anyJson = fc.jsonValue({ maxDepth: 6 });
    const shaped = fc.oneof(
      anyJson,
      anyJson.map((v) => ({ resourceMetrics: [{ resource: { attributes: [{ key: 'k', value: v }] }, scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [v] }, sum: v }] }] }] })),
      anyJson.map((v) => ({ resourceSpans: [{ scopeSpans: [{ spans: [v, { traceId: v, events: [v], links: [v], status: v }] }] }] })),
    );
    fc.assert(
      fc.property(shaped, (value) => {
        const body = Buffer.from(JSON.stringify(value) ?? 'null');
        decodesOrRefuses(decodeMetricsJson, body);
        decodesOrRefuses(decodeTracesJson, body);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
