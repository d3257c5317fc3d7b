// The DogStatsD datagram format, parsed from bytes: messages are found with indexOf on the
// buffer, fields by byte scans; only names, tags and set members become strings.
import type { DogStatsdCounters } from './counters.js';
import type { DogStatsdSink, MetricKind } from './messages.js';
import { parseEvent, parseServiceCheck } from './parse-extras.js';
import { parseNumber, parseUnsigned } from './numbers.js';

const NEWLINE = 10;
const CR = 13;
const COLON = 58;
const PIPE = 124;

/** Parses every newline-separated message of buf[0, length); bad ones are counted and skipped. */
export function parseDatagram(buf: Buffer, length: number, sink: DogStatsdSink, counters: DogStatsdCounters): void {
  let start = 0;
  while (start < length) {
    let end = buf.indexOf(NEWLINE, start);
    if (end === -1 || end > length) end = length;
    let lineEnd = end;
    if (lineEnd > start && buf[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd > start) parseMessage(buf, start, lineEnd, sink, counters);
    start = end + 1;
  }
}

function parseMessage(buf: Buffer, start: number, end: number, sink: DogStatsdSink, counters: DogStatsdCounters): void {
  if (buf[start] === 95 /* _ */ && end - start > 2) {
    if (buf[start + 1] === 101 /* e */ && buf[start + 2] === 123 /* { */) {
      const event = parseEvent(buf, start, end);
      if (event === undefined) counters.parseError('event');
      else {
        counters.events++;
        sink.event(event);
      }
      return;
    }
    if (buf[start + 1] === 115 /* s */ && buf[start + 2] === 99 /* c */ && buf[start + 3] === PIPE) {
      const check = parseServiceCheck(buf, start, end);
      if (check === undefined) counters.parseError('serviceCheck');
      else {
        counters.serviceChecks++;
        sink.serviceCheck(check);
      }
      return;
    }
  }
  if (!parseMetric(buf, start, end, sink, counters)) counters.parseError('metric');
}

function metricKind(buf: Buffer, start: number, end: number): MetricKind | undefined {
  const length = end - start;
  const c = buf[start];
  if (length === 1) {
    if (c === 99) return 'counter';
    if (c === 103) return 'gauge';
    if (c === 104) return 'histogram';
    if (c === 100) return 'distribution';
    if (c === 115) return 'set';
    return undefined;
  }
  if (length === 2 && c === 109 && buf[start + 1] === 115) return 'timer';
  return undefined;
}

/** `name:v[:v…]|type[|@rate][|#tags][|c:container][|T<ts>]`; false when the message is refused. */
function parseMetric(buf: Buffer, start: number, end: number, sink: DogStatsdSink, counters: DogStatsdCounters): boolean {
  const colon = buf.indexOf(COLON, start);
  if (colon <= start || colon >= end) return false;
  const valuesEnd = buf.indexOf(PIPE, colon);
  if (valuesEnd === -1 || valuesEnd >= end || valuesEnd === colon + 1) return false;
  let typeEnd = buf.indexOf(PIPE, valuesEnd + 1);
  if (typeEnd === -1 || typeEnd > end) typeEnd = end;
  const kind = metricKind(buf, valuesEnd + 1, typeEnd);
  if (kind === undefined) return false;

  let rate = 1;
  let timestamp = 0;
  let tags = '';
  let field = typeEnd + 1;
  while (field < end) {
    let fieldEnd = buf.indexOf(PIPE, field);
    if (fieldEnd === -1 || fieldEnd > end) fieldEnd = end;
    const c = buf[field];
    if (c === 64 /* @ */) {
      rate = parseNumber(buf, field + 1, fieldEnd);
      if (!(rate > 0 && rate <= 1)) return false;
    } else if (c === 35 /* # */) {
      tags = buf.toString('utf8', field + 1, fieldEnd);
    } else if (c === 84 /* T */) {
      timestamp = parseUnsigned(buf, field + 1, fieldEnd);
      if (timestamp <= 0) return false;
    } // c: container id, e: external data and unknown fields are ignored
    field = fieldEnd + 1;
  }

  const name = buf.toString('utf8', start, colon);
  if (kind === 'set') {
    sink.metric(name, tags, kind, 0, buf.toString('utf8', colon + 1, valuesEnd), rate, timestamp);
    counters.metricSamples++;
    return true;
  }
  // Validate every value before emitting any, so a bad multi-value message adds nothing.
  let valueStart = colon + 1;
  let single = true;
  for (let i = valueStart; i < valuesEnd; i++) {
    if (buf[i] === COLON) {
      single = false;
      break;
    }
  }
  if (single) {
    const value = parseNumber(buf, valueStart, valuesEnd);
    if (Number.isNaN(value)) return false;
    sink.metric(name, tags, kind, value, undefined, rate, timestamp);
    counters.metricSamples++;
    return true;
  }
  const values: number[] = [];
  while (valueStart <= valuesEnd) {
    let valueEnd = buf.indexOf(COLON, valueStart);
    if (valueEnd === -1 || valueEnd > valuesEnd) valueEnd = valuesEnd;
    const value = parseNumber(buf, valueStart, valueEnd);
    if (Number.isNaN(value)) return false;
    values.push(value);
    valueStart = valueEnd + 1;
  }
  for (const value of values) sink.metric(name, tags, kind, value, undefined, rate, timestamp);
  counters.metricSamples += values.length;
  return true;
}
