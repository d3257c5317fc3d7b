// The APM Agent section (comp/trace/status/statusimpl/status_templates/traceagent.tmpl). The
// built-in trace agent runs inside the agent process: its Pid and Uptime are the agent's.
import type { MinuteFigures } from './minute-window.js';
import { byKey, counts, fields, humanize, num, percent, str, type Fields } from './status-format.js';

export interface ApmHeader {
  readonly pid: number | undefined;
  readonly uptimeSeconds: number | undefined;
  readonly hostname: string | undefined;
}

/** The cumulative counters the minute window reads from the trace agent's status. */
export function apmCounters(apm: unknown): Record<string, Record<string, number | Record<string, number>>> {
  const a = fields(apm);
  const receiver: Record<string, Record<string, number>> = {};
  for (const [language, c] of Object.entries(fields(a?.receivedByLanguage) ?? {})) receiver[language] = Object.fromEntries(counts(c));
  const writer = fields(a?.writer);
  const stats = fields(a?.stats);
  const pick = (from: Fields | undefined, keys: string[]): Record<string, number> =>
    Object.fromEntries(keys.flatMap((k) => (num(from, k) !== undefined ? [[k, num(from, k)!]] : [])));
  return { receiver, writer: pick(writer, ['payloads', 'traces', 'spans', 'bytes']), stats: pick(stats, ['payloads', 'buckets']) };
}

function receiverLines(minute: MinuteFigures | undefined): string[] {
  if (minute === undefined) return ['    No minute has closed yet since the agent started.'];
  const receiver = fields(minute.counters.receiver) ?? {};
  const active = byKey(Object.entries(receiver)).filter(([, c]) => (num(fields(c), 'payloads') ?? num(fields(c), 'traces') ?? 0) > 0);
  if (active.length === 0) return ['    No traces received in the previous minute.'];
  const lines: string[] = [];
  for (const [language, c] of active) {
    const f = fields(c);
    // Tracers send their language name; version, interpreter and client version are not kept.
    lines.push(`    From ${language === 'unknown' ? 'unknown clients' : language}`);
    const traces = num(f, 'traces');
    const bytes = num(f, 'bytes');
    if (traces !== undefined) lines.push(`      Traces received: ${traces}${bytes !== undefined ? ` (${humanize(bytes)} bytes)` : ''}`);
    const spans = num(f, 'spans');
    if (spans !== undefined) lines.push(`      Spans received: ${spans}`);
    lines.push('      ');
  }
  return lines;
}

function writerLines(minute: MinuteFigures | undefined): string[] {
  if (minute === undefined) return ['    No minute has closed yet since the agent started.'];
  const w = fields(minute.counters.writer);
  const s = fields(minute.counters.stats);
  const lines: string[] = [];
  const traces = [num(w, 'payloads') !== undefined ? `${num(w, 'payloads')} payloads` : undefined, num(w, 'traces') !== undefined ? `${num(w, 'traces')} traces` : undefined, num(w, 'bytes') !== undefined ? `${humanize(num(w, 'bytes')!)} bytes` : undefined].filter(Boolean);
  if (traces.length > 0) lines.push(`    Traces: ${traces.join(', ')}`);
  const stats = [num(s, 'payloads') !== undefined ? `${num(s, 'payloads')} payloads` : undefined, num(s, 'buckets') !== undefined ? `${num(s, 'buckets')} stats buckets` : undefined].filter(Boolean);
  if (stats.length > 0) lines.push(`    Stats: ${stats.join(', ')}`);
  return lines;
}

/** Rates the sampler gives tracers, by `service:,env:` key; the empty key is the default. */
function rateLines(rates: unknown): string[] {
  return byKey(counts(rates)).map(([key, rate]) => (key === 'service:,env:' ? `    Default priority sampling rate: ${percent(rate)}%` : `    Priority sampling rate for '${key}': ${percent(rate)}%`));
}

/** Beyond the Agent: what the built-in receiver refused or dropped since it started. */
function sinceStartLines(a: Fields): string[] {
  const lines: string[] = [];
  const dropped = byKey(counts(a.dropped)).filter(([, n]) => n > 0);
  if (dropped.length > 0) lines.push(`    Traces dropped: ${dropped.map(([reason, n]) => `${reason}: ${humanize(n)}`).join(', ')}`);
  const receiver = fields(a.receiver);
  const refused = num(receiver, 'refusedOverload');
  if (refused !== undefined) lines.push(`    Payloads refused (overloaded): ${humanize(refused)}`);
  const clientStats = num(a, 'clientStatsPayloads');
  if (clientStats !== undefined) lines.push(`    Client stats payloads: ${humanize(clientStats)}`);
  const transport = fields(a.transport);
  const sent = num(transport, 'payloadsSent');
  if (sent !== undefined) lines.push(`    Payloads sent to the intake: ${humanize(sent)}`);
  const errors = num(transport, 'errors');
  if (errors !== undefined && errors > 0) lines.push(`    WARNING: intake errors: ${humanize(errors)}${str(transport, 'lastError') !== undefined ? ` (last: ${str(transport, 'lastError')})` : ''}`);
  const refusedByCode = byKey(counts(transport?.droppedByStatus)).filter(([, n]) => n > 0);
  if (refusedByCode.length > 0) lines.push(`    WARNING: payloads refused by the intake: ${refusedByCode.map(([code, n]) => `HTTP ${code}: ${humanize(n)}`).join(', ')}`);
  return lines.length > 0 ? ['', '  Since start', '  ===========', ...lines] : [];
}

export function renderApm(a: Fields, header: ApmHeader, minute: MinuteFigures | undefined): string {
  if (a.enabled === false) return '\n\n  Status: Not running\n  Error: APM is disabled (DD_APM_ENABLED=false)\n';
  if (a.running !== true) {
    const error = str(a, 'error') ?? 'the trace receiver is not running';
    return `\n\n  Status: Not running\n  Error: ${error}\n`;
  }
  const receiver = fields(a.receiver);
  const host = str(receiver, 'host');
  const port = num(receiver, 'port');
  const endpoint = str(fields(a.transport), 'endpoint');
  const lines = [
    '',
    '  Status: Running',
    ...(header.pid !== undefined ? [`  Pid: ${header.pid}`] : []),
    ...(header.uptimeSeconds !== undefined ? [`  Uptime: ${header.uptimeSeconds} seconds`] : []),
    ...(header.hostname !== undefined ? [`  Hostname: ${header.hostname}`] : []),
    ...(host !== undefined && port !== undefined ? [`  Receiver: ${host}:${port}`] : []),
    ...(endpoint !== undefined ? ['  Endpoints:', `    ${endpoint}`] : []),
    '',
    '  Receiver (previous minute)',
    '  ==========================',
    ...receiverLines(minute),
    ...rateLines(a.rateByService),
    '',
    '  Writer (previous minute)',
    '  ========================',
    ...writerLines(minute),
    ...sinceStartLines(a),
  ];
  return `${lines.join('\n')}\n`;
}
