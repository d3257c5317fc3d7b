// The OTLP section (comp/otelcol/otlp/components/statusprovider: Status, Collector status, Error),
// then, beyond the Agent, what the built-in receivers took and did since the agent started.
import { byKey, counts, fields, humanize, num, str, type Fields } from './status-format.js';

const TRANSPORTS = [
  ['http', 'OTLP/HTTP'],
  ['grpc', 'OTLP/gRPC'],
] as const;

function receiverLine(label: string, r: Fields | undefined): string {
  const state = str(r, 'state');
  if (state === 'listening' || state === 'stopped') return `    ${label}: ${state} on ${str(r, 'address') ?? str(r, 'endpoint') ?? '?'}`;
  if (state === 'error') return `    ${label}: ERROR: ${str(r, 'error') ?? 'not listening'}`;
  return `    ${label}: off`;
}

/** `    Label: n` for each figure the document holds. */
function figureLines(figures: readonly (readonly [string, number | undefined])[]): string[] {
  return figures.flatMap(([label, value]) => (value === undefined ? [] : [`    ${label}: ${humanize(value)}`]));
}

/** `reason: n, reason: n` of a counter map, zeros left out; undefined when nothing counted. */
function reasons(value: unknown): string | undefined {
  const shown = byKey(counts(value)).filter(([, n]) => n > 0);
  return shown.length === 0 ? undefined : shown.map(([reason, n]) => `${reason}: ${humanize(n)}`).join(', ');
}

function signalLines(title: string, itemsKey: string, itemsName: string, s: Fields | undefined, mappingLines: string[]): string[] {
  if (s === undefined) return [];
  return [
    '',
    `  ${title}`,
    `  ${'='.repeat(title.length)}`,
    ...(s.enabled === false ? ['    Refused: turned off (see the agent log)'] : []),
    ...figureLines([
      ['Payloads', num(s, 'payloads')],
      [itemsName, num(s, itemsKey)],
      ['Bytes', num(s, 'bytes')],
      ['Decode errors', num(s, 'decodeErrors')],
      [`Rejected ${itemsName.toLowerCase()}`, num(s, `rejected${itemsKey[0]!.toUpperCase()}${itemsKey.slice(1)}`)],
      ['Translation failures', num(s, 'failures')],
    ]),
    ...mappingLines,
  ];
}

function metricsMapping(m: Fields | undefined): string[] {
  if (m === undefined) return [];
  const lines = figureLines([
    ['Series points produced', num(m, 'seriesProduced')],
    ['Distribution points produced', num(m, 'sketchesProduced')],
    ['Cumulative series held', num(m, 'cumulativeSeriesHeld')],
    ['Cumulative first points (kept as the base of the next delta)', num(m, 'cumulativeFirstPoints')],
  ]);
  const evicted = num(m, 'cumulativeSeriesEvicted');
  if (evicted !== undefined && evicted > 0) lines.push(`    WARNING: cumulative series forgotten at the cache's cap: ${humanize(evicted)}`);
  for (const [kind, byReason] of byKey(Object.entries(fields(m.pointsDroppedByKind) ?? {}))) {
    const text = reasons(byReason);
    if (text !== undefined) lines.push(`    Points dropped (${kind}): ${text}`);
  }
  return lines;
}

function tracesMapping(t: Fields | undefined): string[] {
  if (t === undefined) return [];
  const dropped = reasons(t.spansDropped);
  return [
    ...figureLines([
      ['Spans sent on to the trace agent', num(t, 'spansAccepted')],
      ['Traces sent on to the trace agent', num(t, 'traces')],
    ]),
    ...(dropped !== undefined ? [`    Spans dropped: ${dropped}`] : []),
  ];
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
