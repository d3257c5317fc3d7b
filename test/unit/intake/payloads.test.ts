import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { decodeCheckRuns } from '../../../src/intake/payloads/check-run.js';
import { decodeEvents } from '../../../src/intake/payloads/events.js';
import { PayloadError } from '../../../src/intake/payloads/payload-error.js';
import { decodeSeriesV1 } from '../../../src/intake/payloads/series-v1.js';
import { decodeSeriesV2 } from '../../../src/intake/payloads/series-v2.js';
import { decodeSketches } from '../../../src/intake/payloads/sketches.js';
import { decodeStats } from '../../../src/intake/payloads/stats.js';
import { decodeAgentPayload } from '../../../src/intake/payloads/traces.js';
import { agentPayload, metricPayload, sketchPayload, statsPayload } from './fixtures.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('series v1 (JSON)', () => {
  it('decodes every field', () => {
    const body = json({
      series: [
        { metric: 'app.requests', points: [[1700000000, 1.5], [1700000010, 2]], tags: ['env:prod', 'dyno:web.1'], host: 'myapp.web.1', type: 'rate', interval: 10 },
        { metric: 'app.temp', points: [[1700000000, -3]], tags: null, host: '', type: 'gauge', interval: 0, source_type_name: 'System' },
      ],
    });
    expect(decodeSeriesV1(body)).toEqual([
      { metric: 'app.requests', type: 'rate', host: 'myapp.web.1', tags: ['env:prod', 'dyno:web.1'], interval: 10, points: [[1700000000, 1.5], [1700000010, 2]] },
      { metric: 'app.temp', type: 'gauge', host: '', tags: [], interval: 0, points: [[1700000000, -3]], sourceTypeName: 'System' },
    ]);
  });

  it.each([
    ['not JSON', Buffer.from('{"series": [')],
    ['no series', json({ metrics: [] })],
    ['a point that is not a pair', json({ series: [{ metric: 'm', points: [[1]] }] })],
    ['a string value', json({ series: [{ metric: 'm', points: [[1, '2']] }] })],
    ['an unknown type', json({ series: [{ metric: 'm', points: [], type: 'histogram' }] })],
    ['an empty name', json({ series: [{ metric: '', points: [] }] })],
    ['a numeric tag', json({ series: [{ metric: 'm', points: [], tags: [1] }] })],
  ])('refuses %s', (_what, body) => {
    expect(() => decodeSeriesV1(body)).toThrow(PayloadError);
  });
});

describe('series v2', () => {
  it('decodes protobuf MetricPayload', () => {
    const body = metricPayload([
      { metric: 'app.latency', type: 3, host: 'h1', tags: ['a:b'], points: [{ timestamp: 1700000000, value: 0.25 }, { timestamp: 1700000010, value: 7 }], unit: 'second', interval: 0 },
      { metric: 'app.hits', type: 1, tags: [], points: [{ timestamp: 1700000000, value: 3 }], interval: 10 },
    ]);
    expect(decodeSeriesV2(body, 'application/x-protobuf')).toEqual([
      { metric: 'app.latency', type: 'gauge', host: 'h1', tags: ['a:b'], interval: 0, points: [[1700000000, 0.25], [1700000010, 7]], unit: 'second' },
      { metric: 'app.hits', type: 'count', host: '', tags: [], interval: 10, points: [[1700000000, 3]] },
    ]);
  });

  it('decodes the JSON form', () => {
    const body = json({ series: [{ metric: 'm', type: 2, points: [{ timestamp: 1700000000, value: 0.1 }], resources: [{ name: 'h2', type: 'host' }], tags: ['x:y'], interval: 10 }] });
    expect(decodeSeriesV2(body, 'application/json')).toEqual([{ metric: 'm', type: 'rate', host: 'h2', tags: ['x:y'], interval: 10, points: [[1700000000, 0.1]] }]);
  });

  it('refuses truncated protobuf, a wrong wire type and an unknown metric type', () => {
    const good = metricPayload([{ metric: 'm', type: 3, tags: [], points: [{ timestamp: 1, value: 1 }] }]);
    expect(() => decodeSeriesV2(good.subarray(0, good.length - 3), 'application/x-protobuf')).toThrow(PayloadError);
    const wrongWire = new BinaryWriter().tag(1, WireType.LengthDelimited).fork().tag(2, WireType.Varint).int32(5).join().finish();
    expect(() => decodeSeriesV2(wrongWire, 'application/x-protobuf')).toThrow(PayloadError);
    const badType = metricPayload([{ metric: 'm', type: 9, tags: [], points: [] }]);
    expect(() => decodeSeriesV2(badType, 'application/x-protobuf')).toThrow(/0-3/);
  });
});

describe('sketches (protobuf SketchPayload)', () => {
  const dogsketch = { ts: 1700000000, cnt: 6, min: -2, max: 40.5, avg: 7.25, sum: 43.5, k: [-1400, 0, 1338, 1500, 1577], n: [1, 1, 2, 1, 1] };

  it.each([true, false])('decodes every dogsketch field (packed %s)', (packed) => {
    const body = sketchPayload([{ metric: 'app.size', host: 'h', tags: ['env:prod'], dogsketches: [dogsketch, { ...dogsketch, ts: 1700000010 }] }], packed);
    expect(decodeSketches(body)).toEqual([
      { metric: 'app.size', host: 'h', tags: ['env:prod'], ...dogsketch },
      { metric: 'app.size', host: 'h', tags: ['env:prod'], ...dogsketch, ts: 1700000010 },
    ]);
  });

  it('refuses keys without counts and garbage', () => {
    expect(() => decodeSketches(sketchPayload([{ metric: 'm', host: '', tags: [], dogsketches: [{ ...dogsketch, n: [1] }] }]))).toThrow(/keys but/);
    expect(() => decodeSketches(Buffer.from('this is not protobuf at all'))).toThrow(PayloadError);
  });
});

describe('service checks and events (JSON)', () => {
  it('decodes check runs', () => {
    const body = json([{ check: 'datadog.agent.up', host_name: 'h', timestamp: 1700000000, status: 0, message: '', tags: ['dyno:web.1'] }, { check: 'app.db', host_name: 'h', timestamp: 1700000001, status: 2, message: 'down' }]);
    expect(decodeCheckRuns(body)).toEqual([
      { check: 'datadog.agent.up', host: 'h', timestamp: 1700000000, status: 0, message: '', tags: ['dyno:web.1'] },
      { check: 'app.db', host: 'h', timestamp: 1700000001, status: 2, message: 'down', tags: [] },
    ]);
    expect(() => decodeCheckRuns(json([{ check: 'c', status: 7 }]))).toThrow(PayloadError);
    expect(() => decodeCheckRuns(json({ check: 'c' }))).toThrow(PayloadError);
  });

  it('decodes events grouped by source, and accepts metadata without events', () => {
    const body = json({
      apiKey: '',
      internalHostname: 'myapp.web.1',
      events: {
        api: [{ msg_title: 'Deploy', msg_text: 'v42\nok', timestamp: 1700000000, priority: 'low', tags: ['env:prod'], alert_type: 'success', aggregation_key: 'deploys', source_type_name: 'heroku' }],
        my_apps: [{ msg_title: 'Crash', msg_text: '', timestamp: 1700000005, host: 'other', alert_type: 'error' }],
      },
    });
    expect(decodeEvents(body)).toEqual([
      { title: 'Deploy', text: 'v42\nok', timestamp: 1700000000, priority: 'low', host: 'myapp.web.1', tags: ['env:prod'], alertType: 'success', aggregationKey: 'deploys', sourceTypeName: 'heroku' },
      { title: 'Crash', text: '', timestamp: 1700000005, priority: 'normal', host: 'other', tags: [], alertType: 'error', aggregationKey: '', sourceTypeName: 'my_apps' },
    ]);
    expect(decodeEvents(json({ os: 'linux', agentVersion: '7.81.2' }))).toEqual([]);
    expect(() => decodeEvents(json({ events: { api: [{ msg_title: 3 }] } }))).toThrow(PayloadError);
  });
});

describe('traces (protobuf AgentPayload)', () => {
  it('decodes spans with their chunk and tracer context, ids above 2^53 exact', () => {
    const root = { service: 'web', name: 'web.request', resource: 'GET /users', traceId: 18446744073709551615n, spanId: 9007199254740993n, parentId: 0n, start: 1700000000123456789n, duration: 5_000_000, error: 0, meta: { 'http.status_code': '200', env: 'prod' }, metrics: { _sampling_priority_v1: 1, _top_level: 1 }, type: 'web' };
    const child = { ...root, name: 'pg.query', resource: 'SELECT 1', spanId: 2n, parentId: 9007199254740993n, start: 1700000000124000000n, duration: 1_000_000, error: 1, meta: {}, metrics: {}, type: 'sql', service: 'web-postgres' };
    const body = agentPayload({ hostName: 'myapp.web.1', env: 'prod', tracerPayloads: [{ language: 'nodejs', tracerVersion: '5.132.0', chunks: [{ priority: 1, origin: 'lambda', spans: [root, child] }] }] });
    const context = { env: 'prod', host: 'myapp.web.1', language: 'nodejs', tracerVersion: '5.132.0', priority: 1, origin: 'lambda' };
    expect(decodeAgentPayload(body)).toEqual([
      { service: 'web', name: 'web.request', resource: 'GET /users', traceId: '18446744073709551615', spanId: '9007199254740993', parentId: '0', start: '1700000000123456789', duration: 5_000_000, error: 0, meta: root.meta, metrics: root.metrics, type: 'web', ...context },
      { service: 'web-postgres', name: 'pg.query', resource: 'SELECT 1', traceId: '18446744073709551615', spanId: '2', parentId: '9007199254740993', start: '1700000000124000000', duration: 1_000_000, error: 1, meta: {}, metrics: {}, type: 'sql', ...context },
    ]);
  });

  it('prefers the tracer payload env and refuses a span without id', () => {
    const span = { service: 's', name: 'n', resource: 'r', traceId: 1n, spanId: 0n, parentId: 0n, start: 1n, duration: 1, error: 0, meta: {}, metrics: {}, type: '' };
    expect(() => decodeAgentPayload(agentPayload({ hostName: 'h', env: 'a', tracerPayloads: [{ language: 'go', tracerVersion: '1', chunks: [{ priority: 0, origin: '', spans: [span] }] }] }))).toThrow(/spanID/);
    const ok = decodeAgentPayload(agentPayload({ hostName: 'h', env: 'a', tracerPayloads: [{ language: 'go', tracerVersion: '1', env: 'b', chunks: [{ priority: 2, origin: '', spans: [{ ...span, spanId: 5n }] }] }] }));
    expect(ok.map((s) => [s.env, s.priority])).toEqual([['b', 2]]);
  });
});

describe('APM stats (msgpack StatsPayload)', () => {
  it('flattens grouped stats with their client and bucket', () => {
    expect(decodeStats(statsPayload())).toEqual([
      { hostname: 'myapp.web.1', env: 'prod', version: '1.2.3', language: 'nodejs', start: 1_700_000_000_000_000_000, bucketDuration: 10_000_000_000, service: 'web', name: 'web.request', resource: 'GET /', type: 'web', httpStatusCode: 200, hits: 12, errors: 1, topLevelHits: 12, duration: 36_000_000 },
    ]);
  });

  it('refuses what is not a msgpack StatsPayload', () => {
    expect(() => decodeStats(Buffer.from([0xc1]))).toThrow(PayloadError);
    expect(() => decodeStats(encode([1, 2, 3]))).toThrow(PayloadError);
    expect(() => decodeStats(encode({ Stats: 'nope' }))).toThrow(PayloadError);
  });
});
