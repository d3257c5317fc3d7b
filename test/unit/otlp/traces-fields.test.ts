// Span fields of mapped OTLP spans: ids, times, errors, meta and metrics from attributes, env/version,
// events and links as JSON, sampling priority and top level — as the Datadog Agent's transform.go sets them.
import { describe, expect, it } from 'vitest';
import { SPAN_KIND_CLIENT, SPAN_KIND_CONSUMER, SPAN_KIND_INTERNAL, SPAN_KIND_PRODUCER, SPAN_KIND_SERVER, STATUS_CODE_ERROR, STATUS_CODE_OK } from '../../../src/agent/otlp/model.js';
import { attrs, mapOne, scope, TRACE_ID } from './traces-fixtures.js';

describe('ids and times', () => {
  it('takes the low 64 bits of the trace id, the high ones as _dd.p.tid, the whole as otel.trace_id', () => {
    const span = mapOne({ spanId: Uint8Array.from([0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88]), parentSpanId: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 42]) });
    expect(span.traceId).toBe(0x090a0b0c0d0e0f10n);
    expect(span.meta['_dd.p.tid']).toBe('0102030405060708');
    expect(span.meta['otel.trace_id']).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(span.spanId).toBe(0xffeeddccbbaa9988n);
    expect(span.parentId).toBe(42n);
  });
  it('sets no _dd.p.tid for a 64-bit trace id, nor when asked not to', () => {
    const low = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(mapOne({ traceId: low }).meta['_dd.p.tid']).toBeUndefined();
    expect(mapOne({ traceId: TRACE_ID }, {}, { highTraceIdTag: false }).meta['_dd.p.tid']).toBeUndefined();
  });
  it('start and duration in ns; an end before the start is a zero duration', () => {
    const span = mapOne({ startTimeUnixNano: 1_700_000_000_123_456_789n, endTimeUnixNano: 1_700_000_000_223_456_789n });
    expect(span.start).toBe(1_700_000_000_123_456_789n);
    expect(span.duration).toBe(100_000_000);
    expect(mapOne({ startTimeUnixNano: 2_000n, endTimeUnixNano: 1_000n }).duration).toBe(0);
  });
});

describe('errors', () => {
  it('an ERROR status with an exception event fills error.msg, error.type and error.stack', () => {
    const span = mapOne({
      status: { code: STATUS_CODE_ERROR, message: 'status says' },
      events: [{ name: 'exception', timeUnixNano: 0n, droppedAttributesCount: 0, attributes: attrs({ 'exception.message': 'boom', 'exception.type': 'TypeError', 'exception.stacktrace': 'at x' }) }],
    });
    expect(span.error).toBe(1);
    expect(span.meta['error.msg']).toBe('boom');
    expect(span.meta['error.type']).toBe('TypeError');
    expect(span.meta['error.stack']).toBe('at x');
    expect(span.meta['_dd.span_events.has_exception']).toBe('true');
    expect(span.meta['otel.status_code']).toBe('Error');
    expect(span.meta['otel.status_description']).toBe('status says');
  });
  it('without an exception event the status message is the error message', () => {
    const span = mapOne({ status: { code: STATUS_CODE_ERROR, message: 'deadline exceeded' } });
    expect(span.error).toBe(1);
    expect(span.meta['error.msg']).toBe('deadline exceeded');
  });
  it('without a message the string http status code is', () => {
    const span = mapOne({ status: { code: STATUS_CODE_ERROR, message: '' }, attributes: { 'http.status_code': '503', 'http.status_text': 'Service Unavailable' } });
    expect(span.meta['error.msg']).toBe('503 Service Unavailable');
  });
  it('OK and UNSET are no errors', () => {
    expect(mapOne({ status: { code: STATUS_CODE_OK, message: '' } }).error).toBe(0);
    const unset = mapOne({});
    expect(unset.error).toBe(0);
    expect(unset.meta['otel.status_code']).toBe('Unset');
    expect(unset.meta['error.msg']).toBeUndefined();
  });
});

describe('meta and metrics from attributes', () => {
  it('strings to meta, ints and doubles to metrics, other values as pdata prints them', () => {
    const span = mapOne({
      attributes: {
        'user.id': 'u-1',
        'retry.count': 3n,
        'queue.ratio': 0.25,
        'cache.hit': true,
        tags: { kind: 'array', values: [{ kind: 'string', value: 'a' }, { kind: 'int', value: 1n }] },
        ctx: { kind: 'kvlist', values: attrs({ b: 'x<y', a: 1n }) },
        blob: { kind: 'bytes', value: Uint8Array.from([1, 2, 3]) },
        nothing: { kind: 'empty' },
      },
    });
    expect(span.meta['user.id']).toBe('u-1');
    expect(span.metrics['retry.count']).toBe(3);
    expect(span.metrics['queue.ratio']).toBe(0.25);
    expect(span.meta['retry.count']).toBeUndefined();
    expect(span.meta['cache.hit']).toBe('true');
    expect(span.meta.tags).toBe('["a",1]');
    expect(span.meta.ctx).toBe('{"a":1,"b":"x\\u003cy"}');
    expect(span.meta.blob).toBe('AQID');
    expect(span.meta.nothing).toBe('');
  });
  it('HTTP conventions land under the Datadog tag names, the status code as a metric', () => {
    const span = mapOne({
      kind: SPAN_KIND_SERVER,
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 201n, 'url.full': 'http://x/y', 'user_agent.original': 'curl', 'client.address': '10.0.0.1', 'http.request.header.x-id': 'abc' },
    });
    expect(span.meta['http.method']).toBe('GET');
    expect(span.meta['http.request.method']).toBeUndefined();
    expect(span.metrics['http.status_code']).toBe(201);
    expect(span.meta['http.url']).toBe('http://x/y');
    expect(span.meta['http.useragent']).toBe('curl');
    expect(span.meta['http.client_ip']).toBe('10.0.0.1');
    expect(span.meta['http.request.headers.x-id']).toBe('abc');
  });
  it('resource attributes go to meta as strings, under span attributes of the same key', () => {
    const span = mapOne({ attributes: { region: 'span-region' } }, { region: 'res-region', 'host.cpu': 4n, 'process.pid': 12n });
    expect(span.meta.region).toBe('span-region');
    expect(span.meta['host.cpu']).toBe('4');
    expect(span.metrics['host.cpu']).toBeUndefined();
  });
  it('scope name, version and attributes, span kind and tracestate', () => {
    const span = mapOne({ kind: SPAN_KIND_CLIENT, traceState: 'dd=s:1' }, {}, {}, scope('@opentelemetry/instrumentation-http', '0.52.0', { 'scope.attr': 'v' }));
    expect(span.meta['otel.library.name']).toBe('@opentelemetry/instrumentation-http');
    expect(span.meta['otel.library.version']).toBe('0.52.0');
    expect(span.meta['scope.attr']).toBe('v');
    expect(span.meta['span.kind']).toBe('client');
    expect(span.meta['w3c.tracestate']).toBe('dd=s:1');
  });
  it('analytics.event and db.namespace', () => {
    const span = mapOne({ attributes: { 'analytics.event': 'true', 'db.namespace': 'shop' } });
    expect(span.metrics['_dd1.sr.eausr']).toBe(1);
    expect(span.meta['analytics.event']).toBeUndefined();
    expect(span.meta['db.name']).toBe('shop');
  });
});

describe('env and version', () => {
  it('env from deployment.environment.name before deployment.environment, version from service.version', () => {
    const span = mapOne({}, { 'deployment.environment.name': 'Staging', 'deployment.environment': 'old', 'service.version': '1.2.3' });
    expect(span.meta.env).toBe('staging');
    expect(span.meta.version).toBe('1.2.3');
  });
  it('the older deployment.environment alone', () => {
    expect(mapOne({}, { 'deployment.environment': 'prod' }).meta.env).toBe('prod');
  });
  it('datadog.env and datadog.version win', () => {
    const span = mapOne({ attributes: { 'datadog.env': 'dd-env', 'datadog.version': '9' } }, { 'deployment.environment.name': 'prod', 'service.version': '1' });
    expect(span.meta.env).toBe('dd-env');
    expect(span.meta.version).toBe('9');
  });
  it('none set: no env, no version', () => {
    const span = mapOne({});
    expect(span.meta.env).toBeUndefined();
    expect(span.meta.version).toBeUndefined();
  });
});

describe('events and links', () => {
  it('events as the agent writes them: time, name, JSON attributes, dropped count', () => {
    const span = mapOne({
      events: [
        { name: 'cache "miss"', timeUnixNano: 1_700_000_000_000_000_001n, droppedAttributesCount: 2, attributes: attrs({ key: 'k1', n: 3n, ok: false, ratio: 1.5 }) },
        { name: '', timeUnixNano: 0n, droppedAttributesCount: 0, attributes: [] },
      ],
    });
    expect(span.meta.events).toBe('[{"time_unix_nano":1700000000000000001,"name":"cache \\"miss\\"","attributes":{"key":"k1","n":3,"ok":false,"ratio":1.5},"dropped_attributes_count":2},{}]');
    expect(JSON.parse(span.meta.events!)).toHaveLength(2);
    expect(span.meta['_dd.span_events.has_exception']).toBeUndefined();
  });
  it('links with 32-hex trace ids, 16-hex span ids, tracestate, attributes and dropped count', () => {
    const span = mapOne({
      links: [
        { traceId: TRACE_ID, spanId: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 9]), traceState: 'dd=p:1', attributes: attrs({ 'link.kind': 'follows', n: 2n }), droppedAttributesCount: 1, flags: 0 },
        { traceId: new Uint8Array(0), spanId: new Uint8Array(0), traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 },
      ],
    });
    expect(span.meta['_dd.span_links']).toBe(
      '[{"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"0000000000000009","tracestate":"dd=p:1","attributes":{"link.kind":"follows","n":"2"},"dropped_attributes_count":1},' +
        '{"trace_id":"00000000000000000000000000000000","span_id":"0000000000000000"}]',
    );
  });
  it('no events, no links: no meta for them', () => {
    const span = mapOne({});
    expect(span.meta.events).toBeUndefined();
    expect(span.meta['_dd.span_links']).toBeUndefined();
  });
});

describe('sampling priority', () => {
  it('kept by default (priority 1, decision -9 on the first span)', () => {
    const span = mapOne({});
    expect(span.metrics._sampling_priority_v1).toBe(1);
    expect(span.meta['_dd.p.dm']).toBe('-9');
  });
  it('sampling.priority is the user decision (-4)', () => {
    const span = mapOne({ attributes: { 'sampling.priority': 2n } });
    expect(span.metrics._sampling_priority_v1).toBe(2);
    expect(span.metrics['sampling.priority']).toBeUndefined();
    expect(span.meta['_dd.p.dm']).toBe('-4');
  });
  it('a user drop carries no decision maker', () => {
    const span = mapOne({ attributes: { 'sampling.priority': 0n } });
    expect(span.metrics._sampling_priority_v1).toBe(0);
    expect(span.meta['_dd.p.dm']).toBeUndefined();
  });
  it('the probabilistic sampler keeps by trace id, deterministically', () => {
    const kept = [];
    for (let i = 1; i <= 200; i++) {
      const traceId = new Uint8Array(16);
      new DataView(traceId.buffer).setBigUint64(8, BigInt(i) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn);
      kept.push(mapOne({ traceId }, {}, { samplingPercentage: 30 }).metrics._sampling_priority_v1);
    }
    const keeps = kept.filter((p) => p === 1).length;
    expect(keeps).toBeGreaterThan(30);
    expect(keeps).toBeLessThan(100);
    expect(kept.every((p) => p === 0 || p === 1)).toBe(true);
  });
});

describe('top level and measured', () => {
  it('by default the agent computes top level: the translator marks nothing', () => {
    const span = mapOne({ kind: SPAN_KIND_SERVER, parentSpanId: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]) });
    expect(span.metrics._top_level).toBeUndefined();
    expect(span.metrics['_dd.measured']).toBeUndefined();
  });
  it('by span kind: root, server and consumer are top level; client and producer measured', () => {
    const parent = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]);
    const byKind = { computeTopLevelBySpanKind: true };
    expect(mapOne({ kind: SPAN_KIND_INTERNAL }, {}, byKind).metrics._top_level).toBe(1);
    expect(mapOne({ kind: SPAN_KIND_SERVER, parentSpanId: parent }, {}, byKind).metrics._top_level).toBe(1);
    expect(mapOne({ kind: SPAN_KIND_CONSUMER, parentSpanId: parent }, {}, byKind).metrics._top_level).toBe(1);
    expect(mapOne({ kind: SPAN_KIND_INTERNAL, parentSpanId: parent }, {}, byKind).metrics._top_level).toBeUndefined();
    expect(mapOne({ kind: SPAN_KIND_CLIENT, parentSpanId: parent }, {}, byKind).metrics['_dd.measured']).toBe(1);
    expect(mapOne({ kind: SPAN_KIND_PRODUCER, parentSpanId: parent }, {}, byKind).metrics['_dd.measured']).toBe(1);
  });
  it('_dd.measured "1" marks a span measured', () => {
    expect(mapOne({ attributes: { '_dd.measured': '1' } }).metrics['_dd.measured']).toBe(1);
  });
});
