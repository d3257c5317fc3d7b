// The DogStatsD datagram format, parsed from bytes: messages are found with indexOf (memchr),
// fields by byte scans in JS that hash the name and tags on the way; names and tags stay bytes
// (a MetricKey) until the aggregator meets a new context; set members become strings.
import type { DogStatsdCounters } from './counters.js';
import { HASH2_SEED, HASH_SEED, hashLane, hashLane2, MetricKey, type DogStatsdSink, type MetricKind } from './messages.js';
import { parseEvent, parseServiceCheck } from './parse-extras.js';
import { parseNumber, parseUnsigned } from './numbers.js';

const NEWLINE = 10;
const CR = 13;
const COLON = 58;
const PIPE = 124;

/** Reused for every sample: the sink reads it during its call only. */
const key = new MetricKey();

/** Parses every newline-separated message of buf[0, length); bad ones are counted and skipped. */
export function parseDatagram(buf: Buffer, length: number, sink: DogStatsdSink, counters: DogStatsdCounters): void {
  sink.datagram();
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

/** The first index of `byte` in buf[from, end), or `end`. */
function scan(buf: Buffer, from: number, end: number, byte: number): number {
  while (from < end && buf[from] !== byte) from++;
  return from;
}

/** `name:v[:v…]|type[|@rate][|#tags][|c:container][|T<ts>]`; false when the message is refused. */
function parseMetric(buf: Buffer, start: number, end: number, sink: DogStatsdSink, counters: DogStatsdCounters): boolean {
  // The name is hashed while it is scanned, and so are the tags below (MetricKey.hash, hash2).
  let nameHash = HASH_SEED;
  let nameHash2 = HASH2_SEED;
  let colon = start;
  for (; colon < end; colon++) {
    const c = buf[colon]!;
    if (c === COLON) break;
    nameHash = hashLane(nameHash, c);
    nameHash2 = hashLane2(nameHash2, c);
  }
  if (colon === start || colon === end) return false;
  nameHash = hashLane(nameHash, NEWLINE);
  nameHash2 = hashLane2(nameHash2, NEWLINE);
  const valuesEnd = scan(buf, colon + 1, end, PIPE);
  if (valuesEnd === end || valuesEnd === colon + 1) return false;
  const typeEnd = scan(buf, valuesEnd + 1, end, PIPE);
  const kind = metricKind(buf, valuesEnd + 1, typeEnd);
  if (kind === undefined) return false;

  let rate = 1;
  let timestamp = 0;
  let tagsStart = 0;
  let tagsEnd = 0;
  let hash = nameHash;
  let hash2 = nameHash2;
  let field = typeEnd + 1;
  while (field < end) {
    const c = buf[field];
    if (c === 35 /* # */) {
      hash = nameHash;
      hash2 = nameHash2;
      tagsStart = field + 1;
      for (tagsEnd = tagsStart; tagsEnd < end; tagsEnd++) {
        const t = buf[tagsEnd]!;
        if (t === PIPE) break;
        hash = hashLane(hash, t);
        hash2 = hashLane2(hash2, t);
      }
      field = tagsEnd + 1;
      continue;
    }
    const fieldEnd = scan(buf, field, end, PIPE);
    if (c === 64 /* @ */) {
      rate = parseNumber(buf, field + 1, fieldEnd);
      if (!(rate > 0 && rate <= 1)) return false;
    } else if (c === 84 /* T */) {
      timestamp = parseUnsigned(buf, field + 1, fieldEnd);
      if (timestamp <= 0) return false;
    } // c: container id, e: external data and unknown fields are ignored
    field = fieldEnd + 1;
  }

  key.buf = buf;
  key.hash = hash;
  key.hash2 = hash2;
  key.nameStart = start;
  key.nameEnd = colon;
  key.tagsStart = tagsStart;
  key.tagsEnd = tagsEnd;
  if (kind === 'set') {
    sink.metric(key, kind, 0, buf.toString('utf8', colon + 1, valuesEnd), rate, timestamp);
    counters.metricSamples++;
    counters.metricPackets++;
    return true;
  }
  // Validate every value before emitting any, so a bad multi-value message adds nothing.
  const valueEnd = scan(buf, colon + 1, valuesEnd, COLON);
  if (valueEnd === valuesEnd) {
    const value = parseNumber(buf, colon + 1, valuesEnd);
    if (Number.isNaN(value)) return false;
    sink.metric(key, kind, value, undefined, rate, timestamp);
    counters.metricSamples++;
    counters.metricPackets++;
    return true;
  }
  return parseValues(buf, colon + 1, valueEnd, valuesEnd, kind, rate, timestamp, sink, counters);
}

/** Reused by every multi-value message: its values, checked before any is emitted. */
const values: number[] = [];

/**
 * `v:v[:v…]` in buf[start, valuesEnd) (the first `:` at firstColon): as the official parser,
 * empty values between colons are skipped (`::1::2` is two values); false when a value is not a
 * number or there is none.
 */
function parseValues(buf: Buffer, start: number, firstColon: number, valuesEnd: number, kind: MetricKind, rate: number, timestamp: number, sink: DogStatsdSink, counters: DogStatsdCounters): boolean {
  values.length = 0;
  let valueStart = start;
  let valueEnd = firstColon;
  for (;;) {
    if (valueEnd > valueStart) {
      const value = parseNumber(buf, valueStart, valueEnd);
      if (Number.isNaN(value)) return false;
      values.push(value);
    }
    if (valueEnd === valuesEnd) break;
    valueStart = valueEnd + 1;
    valueEnd = scan(buf, valueStart, valuesEnd, COLON);
  }
  const count = values.length;
  if (count === 0) return false;
  for (let i = 0; i < count; i++) sink.metric(key, kind, values[i]!, undefined, rate, timestamp);
  counters.metricSamples += count;
  counters.metricPackets++;
  return true;
}
