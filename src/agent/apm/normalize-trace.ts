// Per-span and per-trace checks of the trace-agent's normalizer and truncator, before sampling.
import { normalizeName, normalizeService, normalizeTag } from './normalize-names.js';
import { TOP_LEVEL_KEY, type Span } from './span.js';
import { truncateUtf8 } from './utf8.js';

export const MAX_TYPE_LENGTH = 100;
export const MAX_RESOURCE_LENGTH = 5000;
export const MAX_META_KEY_LENGTH = 200;
export const MAX_META_VALUE_LENGTH = 25_000;
const YEAR_2000_NS = 946_684_800_000_000_000n;
const MAX_INT64 = 2n ** 63n - 1n;

/** Why a whole trace was refused, as the trace-agent counts it. */
export type TraceDropReason = 'trace_id_zero' | 'span_id_zero' | 'foreign_span';

function truncateKeys<V>(map: Record<string, V>, truncateValue: (v: V) => V): void {
  for (const key of Object.keys(map)) {
    const value = map[key]!;
    const short = truncateValue(value);
    if (Buffer.byteLength(key) > MAX_META_KEY_LENGTH) {
      delete map[key];
      map[`${truncateUtf8(key, MAX_META_KEY_LENGTH)}...`] = short;
    } else if (short !== value) map[key] = short;
  }
}

function truncateValue(value: string): string {
  return value.length > MAX_META_VALUE_LENGTH / 3 && Buffer.byteLength(value) > MAX_META_VALUE_LENGTH
    ? `${truncateUtf8(value, MAX_META_VALUE_LENGTH)}...`
    : value;
}

function validStatusCode(code: string): boolean {
  const n = Number(code);
  return Number.isInteger(n) && n >= 100 && n < 600;
}

/** Fixes one span in place; returns why its trace must be dropped, if it must. */
export function normalizeSpan(span: Span, language: string, nowNs: () => bigint): TraceDropReason | undefined {
  if (span.traceId === 0n) return 'trace_id_zero';
  if (span.spanId === 0n) return 'span_id_zero';
  span.service = normalizeService(span.service, language);
  span.name = normalizeName(span.name);
  if (span.resource === '') span.resource = span.name;
  else if (span.resource.length > MAX_RESOURCE_LENGTH / 3) span.resource = truncateUtf8(span.resource, MAX_RESOURCE_LENGTH);
  // Some old tracers set all three ids equal on root spans.
  if (span.parentId === span.traceId && span.parentId === span.spanId) span.parentId = 0n;
  if (!(span.duration >= 0) || !Number.isFinite(span.duration)) span.duration = 0;
  if (BigInt(Math.trunc(span.duration)) > MAX_INT64 - span.start) span.duration = 0;
  span.duration = Math.trunc(span.duration);
  if (span.start < YEAR_2000_NS) {
    const now = nowNs();
    span.start = now - BigInt(span.duration);
    if (span.start < 0n) span.start = now;
  }
  if (span.type.length > MAX_TYPE_LENGTH) span.type = truncateUtf8(span.type, MAX_TYPE_LENGTH);
  const env = span.meta.env;
  if (env !== undefined) span.meta.env = normalizeTag(env);
  const status = span.meta['http.status_code'];
  if (status !== undefined && !validStatusCode(status)) delete span.meta['http.status_code'];
  truncateKeys(span.meta, truncateValue);
  truncateKeys(span.metrics, (v) => v);
  return undefined;
}

/** The span the trace hangs from: parent 0, else the last one whose parent is not in the trace. */
export function findRoot(spans: Span[]): Span {
  let candidate = spans[spans.length - 1]!;
  const ids = new Set<bigint>();
  for (const s of spans) ids.add(s.spanId);
  for (let i = spans.length - 1; i >= 0; i--) {
    const s = spans[i]!;
    if (s.parentId === 0n) return s;
    if (!ids.has(s.parentId)) candidate = s;
  }
  return candidate;
}

/** Marks `_top_level` on spans whose parent is absent or belongs to another service. */
export function markTopLevel(spans: Span[]): void {
  const serviceById = new Map<bigint, string>();
  for (const s of spans) serviceById.set(s.spanId, s.service);
  for (const s of spans) {
    const parentService = s.parentId === 0n ? undefined : serviceById.get(s.parentId);
    if (parentService === undefined || parentService !== s.service) s.metrics[TOP_LEVEL_KEY] = 1;
    else delete s.metrics[TOP_LEVEL_KEY];
  }
}

/** Normalises every span of a trace; a trace with a bad span, or spans of another trace, is dropped whole. */
export function normalizeTrace(spans: Span[], language: string, nowNs: () => bigint, computeTopLevel = true): TraceDropReason | undefined {
  const traceId = spans[0]!.traceId;
  for (const span of spans) {
    const reason = normalizeSpan(span, language, nowNs);
    if (reason) return reason;
    if (span.traceId !== traceId) return 'foreign_span';
  }
  if (computeTopLevel) markTopLevel(spans);
  return undefined;
}
