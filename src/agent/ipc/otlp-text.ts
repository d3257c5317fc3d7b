// The OTLP section (comp/otelcol/otlp/components/statusprovider: Status, Collector status, Error),
// then, beyond the Agent, what the built-in receivers took and did since the agent started.
import { byKey, counts, fields, humanize, num, str, type Fields } from './status-format.js';

const TRANSPORTS = [
  ['http', 'OTLP/HTTP'],
  ['grpc', 'OTLP/gRPC'],
] as const;

function receiverLine(label: string, r: Fields | undefined): string {
  const state = str(r, 'state');
  if (state === 'listening' || state === 'stopped') return `    ${label}: ${state === 'listening' ? 'listening' : 'stopped'} on ${str(r, 'address') ?? str(r, 'endpoint') ?? '?'}`;
  if (state === 'error') return `    ${label}: ERROR: ${str(r, 'error') ?? 'not listening'}`;
  return `    ${label}: off`;
}

/** `reason: n, reason: n` of a counter map, zeros left out; undefined when nothing counted. */
function reasons(value: unknown): string | undefined {
  const shown = byKey(counts(value)).filter(([, n]) => n > 0);
  return shown.length === 0 ? undefined : shown.map(([reason, n]) => `${reason}: ${humanize(n)}`).join(', ');
}

function signalLines(title: string, itemsKey: string, itemsName: string, s: Fields | undefined, mappingLines: string[]): string[] {
  if (s === undefined) return [];
  const lines = ['', `  ${title}`, `  ${'='.repeat(title.length)}`];
  if (s.enabled === false) lines.push('    Refused: turned off (see the agent log)');
  const add = (label: string, value: number | undefined): void => {
    if (value !== undefined) lines.push(`    ${label}: ${humanize(value)}`);
  };
  add('Payloads', num(s, 'payloads'));
  add(itemsName, num(s, itemsKey));
  add('Bytes', num(s, 'bytes'));
  add('Decode errors', num(s, 'decodeErrors'));
  add(`Rejected ${itemsName.toLowerCase()}`, num(s, `rejected${itemsKey[0]!.toUpperCase()}${itemsKey.slice(1)}`));
  add('Translation failures', num(s, 'failures'));
  return [...lines, ...mappingLines];
}

function metricsMapping(m: Fields | undefined): string[] {
  if (m === undefined) return [];
  const lines: string[] = [];
  const add = (label: string, value: number | undefined): void => {
    if (value !== undefined) lines.push(`    ${label}: ${humanize(value)}`);
  };
  add('Series points produced', num(m, 'seriesProduced'));
  add('Distribution points produced', num(m, 'sketchesProduced'));
  add('Cumulative series held', num(m, 'cumulativeSeriesHeld'));
  add('Cumulative first points (kept as the base of the next delta)', num(m, 'cumulativeFirstPoints'));
  const evicted = num(m, 'cumulativeSeriesEvicted');
  if (evicted !== undefined && evicted > 0) lines.push(`    WARNING: cumulative series forgotten at the cache's cap: ${humanize(evicted)}`);
  const byKind = fields(m.pointsDroppedByKind) ?? {};
  for (const [kind, byReason] of byKey(Object.entries(byKind))) {
    const text = reasons(byReason);
    if (text !== undefined) lines.push(`    Points dropped (${kind}): ${text}`);
  }
  return lines;
}

function tracesMapping(t: Fields | undefined): string[] {
  if (t === undefined) return [];
  const lines: string[] = [];
  const accepted = num(t, 'spansAccepted');
  if (accepted !== undefined) lines.push(`    Spans sent on to the trace agent: ${humanize(accepted)}`);
  const traces = num(t, 'traces');
  if (traces !== undefined) lines.push(`    Traces sent on to the trace agent: ${humanize(traces)}`);
  const dropped = reasons(t.spansDropped);
  if (dropped !== undefined) lines.push(`    Spans dropped: ${dropped}`);
  return lines;
}

export function renderOtlp(o: Fields): string {
  if (o.enabled !== true) return '\n  Status: Not enabled\n';
  const error = str(o, 'error');
  const receivers = fields(o.receivers);
  const listening = TRANSPORTS.some(([key]) => str(fields(receivers?.[key]), 'state') === 'listening');
  const lines = ['', '  Status: Enabled', `  Collector status: ${listening ? 'Running' : error !== undefined || receivers !== undefined ? 'Failed' : 'Not running'}`];
  if (error !== undefined) lines.push(`  Error: ${error}`);
  if (receivers !== undefined) {
    lines.push('', '  Receivers', '  =========', ...TRANSPORTS.map(([key, label]) => receiverLine(label, fields(receivers[key]))));
    const requests = fields(o.requests);
    const perTransport = TRANSPORTS.flatMap(([key, label]) => (num(requests, key) ? [`${label}: ${humanize(num(requests, key)!)}`] : []));
    if (perTransport.length > 0) lines.push(`    Requests: ${perTransport.join(', ')}`);
    const refused = reasons(o.refused);
    if (refused !== undefined) lines.push(`    Requests refused: ${refused}`);
  }
  const metrics = fields(o.metrics);
  const traces = fields(o.traces);
  lines.push(...signalLines('Metrics', 'dataPoints', 'Data points', metrics, metricsMapping(fields(metrics?.mapping))));
  lines.push(...signalLines('Traces', 'spans', 'Spans', traces, tracesMapping(fields(traces?.mapping))));
  return `${lines.join('\n')}\n`;
}
