import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpositionParser, parseExposition, pythonFloatString, type ExpositionFormat, type MetricType } from '../../../src/agent/checks/openmetrics/exposition.js';

/** Families and samples as plain data, for comparisons. */
function flat(text: string, format: ExpositionFormat = 'prometheus') {
  const parsed = parseExposition(text, format);
  return {
    ...parsed,
    samples: parsed.families.flatMap(({ family, samples }) => samples.map((s) => ({ family: family.name, type: family.type, name: s.name, labels: Object.fromEntries(s.labels), value: s.value, timestamp: s.timestamp }))),
  };
}

describe('exposition parser, Prometheus text 0.0.4', () => {
  it('reads the format document example: HELP/TYPE, escapes, timestamps, +Inf, histograms and summaries', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# Escaping in label values:',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'http_request_duration_seconds_count 144320',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693',
    ].join('\n');
    const { samples, malformed } = flat(text);
    expect(malformed).toBe(0);
    expect(samples).toEqual([
      { family: 'http_requests', type: 'counter', name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000 },
      { family: 'http_requests', type: 'counter', name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestamp: 1395066363000 },
      { family: 'msdos_file_access_time_seconds', type: 'unknown', name: 'msdos_file_access_time_seconds', labels: { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' }, value: 1.458255915e9, timestamp: undefined },
      { family: 'metric_without_timestamp_and_labels', type: 'unknown', name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47, timestamp: undefined },
      { family: 'something_weird', type: 'unknown', name: 'something_weird', labels: { problem: 'division by zero' }, value: Infinity, timestamp: -3982045 },
      { family: 'http_request_duration_seconds', type: 'histogram', name: 'http_request_duration_seconds_bucket', labels: { le: '0.05' }, value: 24054, timestamp: undefined },
      { family: 'http_request_duration_seconds', type: 'histogram', name: 'http_request_duration_seconds_bucket', labels: { le: '+Inf' }, value: 144320, timestamp: undefined },
      { family: 'http_request_duration_seconds', type: 'histogram', name: 'http_request_duration_seconds_sum', labels: {}, value: 53423, timestamp: undefined },
      { family: 'http_request_duration_seconds', type: 'histogram', name: 'http_request_duration_seconds_count', labels: {}, value: 144320, timestamp: undefined },
      { family: 'rpc_duration_seconds', type: 'summary', name: 'rpc_duration_seconds', labels: { quantile: '0.5' }, value: 4773, timestamp: undefined },
      { family: 'rpc_duration_seconds', type: 'summary', name: 'rpc_duration_seconds_sum', labels: {}, value: 1.7560473e7, timestamp: undefined },
      { family: 'rpc_duration_seconds', type: 'summary', name: 'rpc_duration_seconds_count', labels: {}, value: 2693, timestamp: undefined },
    ]);
  });

  it('names a counter sample written without _total with it, keeps HELP text, and reads NaN, -Inf, CRLF, a trailing comma', () => {
    const parsed = parseExposition('# HELP jobs Jobs \\\\ done\\nso far.\r\n# TYPE jobs counter\r\njobs{queue="a",} 7\r\n# TYPE g gauge\r\ng NaN\r\ng{x="1"} -Inf\r\n', 'prometheus');
    expect(parsed.malformed).toBe(0);
    expect(parsed.families[0]!.family).toEqual({ name: 'jobs', type: 'counter', help: 'Jobs \\ done\nso far.', unit: '' });
    expect(parsed.families[0]!.samples[0]!.name).toBe('jobs_total');
    expect(parsed.families[1]!.samples.map((s) => s.value)).toEqual([NaN, -Infinity]);
  });

  it('counts malformed lines and skips them, keeping the family around them', () => {
    const text = '# TYPE a gauge\na 1\na{x="unterminated} 2\na{1x="y"} 3\na{x="1"}\na{x="1"} one\na{x="1",x="2"} 4\n# TYPE b wrongtype\na{x="2"} 5\n';
    const { samples, malformed, firstMalformed } = flat(text);
    expect(malformed).toBe(6);
    expect(firstMalformed).toEqual({ line: 3, reason: 'unterminated quoted string' });
    expect(samples.map((s) => [s.family, s.type, s.value])).toEqual([
      ['a', 'gauge', 1],
      ['a', 'gauge', 5],
    ]);
  });

  it('makes a sample outside the declared family an untyped family of its own', () => {
    const { samples } = flat('# TYPE h histogram\nh_bucket{le="1"} 1\nother 2\nh_sum 3\n');
    expect(samples.map((s) => [s.family, s.type])).toEqual([
      ['h', 'histogram'],
      ['other', 'unknown'],
      ['h_sum', 'unknown'],
    ]);
  });

  it('reads UTF-8 metric names quoted in the braces', () => {
    const { samples, malformed } = flat('{"my.metric", "le.x"="1", a="b"} 3\n');
    expect(malformed).toBe(0);
    expect(samples).toEqual([{ family: 'my.metric', type: 'unknown', name: 'my.metric', labels: { 'le.x': '1', a: 'b' }, value: 3, timestamp: undefined }]);
  });

  it('drops a line longer than the cap while it streams in, and counts it once', () => {
    const sink: number[] = [];
    const parser = new ExpositionParser('prometheus', (_, s) => sink.push(s.value), { maxLineLength: 100 });
    parser.write('ok 1\nhuge{a="');
    for (let i = 0; i < 50; i++) parser.write('x'.repeat(40));
    parser.write('"} 2\nok 3\n');
    parser.end();
    expect(sink).toEqual([1, 3]);
    expect(parser.malformed).toBe(1);
    expect(parser.firstMalformed).toEqual({ line: 2, reason: 'longer than 100 characters' });
  });
});

describe('exposition parser, OpenMetrics 1.0 text', () => {
  it('reads _total/_created counters, UNIT, exemplars, float timestamps, and stops at # EOF', () => {
    const text = [
      '# TYPE acme_http_router_request_seconds summary',
      '# UNIT acme_http_router_request_seconds seconds',
      '# HELP acme_http_router_request_seconds Latency though all of ACME\'s global HTTP routers.',
      'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
      'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
      'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
      '# TYPE foo counter',
      'foo_total 17.0 1520879607.789 # {id="counter-test"} 5',
      'foo_created 1520872607.123',
      '# TYPE hist histogram',
      'hist_bucket{le="0.01"} 0 # {trace_id="KOO5S4vxi0o"} 0.004',
      'hist_bucket{le="+Inf"} 2',
      'hist_count 2',
      'hist_sum 1.5',
      '# EOF',
      'after_eof 1',
    ].join('\n');
    const parsed = parseExposition(text, 'openmetrics');
    expect(parsed.malformed).toBe(0);
    expect(parsed.families.map(({ family, samples }) => [family.name, family.type, family.unit, samples.map((s) => s.name)])).toEqual([
      ['acme_http_router_request_seconds', 'summary', 'seconds', ['acme_http_router_request_seconds_sum', 'acme_http_router_request_seconds_count', 'acme_http_router_request_seconds_created']],
      ['foo', 'counter', '', ['foo_total', 'foo_created']],
      ['hist', 'histogram', '', ['hist_bucket', 'hist_bucket', 'hist_count', 'hist_sum']],
    ]);
    expect(parsed.families[1]!.samples[0]!.timestamp).toBe(1520879607.789);
    expect(parsed.families[2]!.samples[0]!.value).toBe(0);
  });
});

describe('pythonFloatString', () => {
  it('writes numbers as Python str(float) does', () => {
    // Values from python3 -c 'print([str(float(x) or 0) for x in …])'.
    const cases: [number, string][] = [
      [1, '1.0'], [0.5, '0.5'], [1e-5, '1e-05'], [1e16, '1e+16'], [1e15, '1000000000000000.0'], [123.456, '123.456'],
      [0.0001, '0.0001'], [-2.5e-7, '-2.5e-07'], [0, '0'], [-0, '0'], [10, '10.0'], [0.1 + 0.2, '0.30000000000000004'],
      [Infinity, 'inf'], [-Infinity, '-inf'], [1.7976931348623157e308, '1.7976931348623157e+308'], [5e-324, '5e-324'],
    ];
    for (const [value, text] of cases) expect(pythonFloatString(value)).toBe(text);
  });

  it('round-trips every finite double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => Number(pythonFloatString(value)) === (value === 0 ? 0 : value)));
  });
});

// Generators of well-formed expositions, rendered the way exporters write them.
const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,15}$/).filter((n) => !/_(total|created|bucket|sum|count|gsum|gcount|info)$/.test(n));
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/).filter((n) => n !== 'le' && n !== 'quantile');
const labelValue = fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', '\n', ' ', ',', '}', '{', '=', '#'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('é', '😀')), maxLength: 12 });
const labels = fc.uniqueArray(fc.tuple(labelName, labelValue), { selector: ([n]) => n, maxLength: 4 });
const value = fc.oneof(fc.double(), fc.integer().map(Number), fc.constantFrom(NaN, Infinity, -Infinity));
const timestamp = fc.option(fc.integer({ min: 0, max: 2 ** 45 }), { nil: undefined });
const sampleSpec = fc.record({ labels, value, timestamp });
const familySpec = fc.record({
  name: metricName,
  type: fc.constantFrom<MetricType>('counter', 'gauge', 'summary', 'histogram', 'unknown'),
  help: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  samples: fc.array(sampleSpec, { minLength: 1, maxLength: 4 }),
});
const exposition = fc.uniqueArray(familySpec, { selector: (f) => f.name, minLength: 1, maxLength: 5 });

type FamilySpec = typeof familySpec extends fc.Arbitrary<infer T> ? T : never;

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function writeValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : Object.is(v, -0) ? '-0' : String(v);
}

function sampleNames(family: FamilySpec): string[] {
  const n = family.name;
  switch (family.type) {
    case 'counter':
      return [`${n}_total`];
    case 'histogram':
      return [`${n}_bucket`, `${n}_sum`, `${n}_count`];
    case 'summary':
      return [n, `${n}_sum`, `${n}_count`];
    default:
      return [n];
  }
}

/** The text of the families, and the samples a parser must read back from it. */
function render(families: FamilySpec[], format: ExpositionFormat) {
  const lines: string[] = [];
  const expected: { family: string; type: MetricType; name: string; labels: Record<string, string>; value: number; timestamp: number | undefined }[] = [];
  for (const family of families) {
    const declared = format === 'prometheus' && family.type === 'counter' ? `${family.name}_total` : family.name;
    if (family.help !== undefined) lines.push(`# HELP ${declared} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${declared} ${family.type === 'unknown' && format === 'prometheus' ? 'untyped' : family.type}`);
    family.samples.forEach((s, i) => {
      const names = sampleNames(family);
      const name = names[i % names.length]!;
      const extra: [string, string][] = family.type === 'histogram' && name.endsWith('_bucket') ? [['le', '+Inf']] : family.type === 'summary' && name === family.name ? [['quantile', '0.5']] : [];
      const all = [...s.labels, ...extra];
      const labelText = all.length === 0 ? '' : `{${all.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      const ts = s.timestamp === undefined ? '' : ` ${format === 'openmetrics' ? s.timestamp / 1000 : s.timestamp}`;
      lines.push(`${name}${labelText} ${writeValue(s.value)}${ts}`);
      expected.push({ family: family.name, type: family.type, name, labels: Object.fromEntries(all), value: s.value, timestamp: s.timestamp === undefined ? undefined : format === 'openmetrics' ? s.timestamp / 1000 : s.timestamp });
    });
  }
  if (format === 'openmetrics') lines.push('# EOF');
  return { text: lines.join('\n') + '\n', expected };
}

describe('exposition parser properties', () => {
  for (const format of ['prometheus', 'openmetrics'] as const) {
    it(`reads back every sample it was given (${format})`, () => {
      fc.assert(
        fc.property(exposition, (families) => {
          const { text, expected } = render(families, format);
          const { samples, malformed } = flat(text, format);
          expect(malformed).toBe(0);
          expect(samples).toEqual(expected);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('gives the same result however the body is cut into chunks', () => {
    fc.assert(
      fc.property(exposition, fc.array(fc.nat(), { maxLength: 8 }), (families, cuts) => {
        const { text } = render(families, 'prometheus');
        const whole = flat(text);
        const positions = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const seen: unknown[] = [];
        const parser = new ExpositionParser('prometheus', (family, s) => seen.push({ family: family.name, type: family.type, name: s.name, labels: Object.fromEntries(s.labels), value: s.value, timestamp: s.timestamp }));
        let at = 0;
        for (const p of [...positions, text.length]) {
          parser.write(text.slice(at, p));
          at = p;
        }
        parser.end();
        expect(seen).toEqual(whole.samples);
        expect(parser.malformed).toBe(whole.malformed);
      }),
      { numRuns: 200 },
    );
  });

  it('skips garbage lines mixed in, counting each, and still reads every sample', () => {
    const garbage = fc.string({ maxLength: 30 }).map((s) => `!${s.replace(/[\r\n]/g, '')}`);
    fc.assert(
      fc.property(exposition, fc.array(fc.tuple(fc.nat(), garbage), { maxLength: 6 }), (families, inserts) => {
        const { text, expected } = render(families, 'prometheus');
        const lines = text.split('\n');
        for (const [at, line] of inserts) lines.splice(at % lines.length, 0, line);
        const { samples, malformed } = flat(lines.join('\n'));
        expect(malformed).toBe(inserts.length);
        expect(samples).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text, and counts no more malformed lines than there are', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.array(fc.oneof(fc.constantFrom('# TYPE ', '# HELP ', '# EOF', '{', '}', '"', '\\', '=', ',', ' ', '\n', '\r\n', 'NaN', '+Inf', '1e308', 'le', '_total'), fc.string({ maxLength: 5 })), { maxLength: 80 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, fc.constantFrom<ExpositionFormat>('prometheus', 'openmetrics'), (body, format) => {
        const parsed = parseExposition(body, format, { maxLineLength: 64 });
        expect(parsed.malformed).toBeLessThanOrEqual(parsed.lines);
        for (const { samples } of parsed.families) for (const s of samples) expect(typeof s.value).toBe('number');
      }),
      { numRuns: 500 },
    );
  });
});
