// The Forwarder and Endpoints sections (comp/forwarder/defaultforwarder/status_templates/
// forwarder.tmpl, pkg/status/endpoints/status_templates/endpoints.tmpl).
import { byKey, counts, humanize, num, str, type Fields } from './status-format.js';

/** The Agent's endpoint names for the payload kinds of the built-in forwarder. */
const ENDPOINT_NAMES: Readonly<Record<string, string>> = {
  series: 'series_v1',
  sketches: 'sketches_v2',
  service_checks: 'check_run_v1',
  events: 'intake',
};

/** The transport's keys shown in the blocks below, or under the Agent's names in Transactions. */
const MAPPED = new Set([
  'endpoint', 'payloadsSent', 'bytesSent', 'retries', 'evicted', 'droppedAtDeadline', 'errors',
  'droppedByStatus', 'sentByKind', 'queuedPayloads', 'queuedBytes', 'inFlight', 'lastError', 'retried',
]);

/** The last five characters of the masked key (`***…abcde`), when the mask shows them. */
export function keyEnding(masked: string | undefined): string | undefined {
  if (masked === undefined || masked.length < 5) return undefined;
  const ending = masked.slice(-5);
  return ending.includes('*') || masked.startsWith('(') ? undefined : ending;
}

export function renderForwarder(f: Fields, maskedKey: string | undefined): string {
  const dropped = counts(f.droppedByStatus);
  const droppedTotal = [num(f, 'evicted'), num(f, 'droppedAtDeadline'), ...dropped.map(([, n]) => n)].reduce<number | undefined>((a, b) => (b === undefined ? a : (a ?? 0) + b), undefined);
  const transactions: [string, number | undefined][] = [
    ['Dropped', droppedTotal],
    // A transaction that failed goes back into the queue: the Agent's Requeued.
    ['Requeued', num(f, 'retries')],
    ['Retried', num(f, 'retried')],
    ['RetryQueueSize', num(f, 'queuedPayloads')],
    // Beyond the Agent: what the queue holds in bytes, what is on the wire, and why payloads were dropped.
    ['RetryQueueBytes', num(f, 'queuedBytes')],
    ['InFlight', num(f, 'inFlight')],
    ['DroppedOnRetryQueueFull', num(f, 'evicted')],
    ['DroppedAtStop', num(f, 'droppedAtDeadline')],
  ];
  for (const [key, value] of Object.entries(f)) {
    if (!MAPPED.has(key) && typeof value === 'number') transactions.push([key.charAt(0).toUpperCase() + key.slice(1), value]);
  }
  const lines = ['', '  Transactions', '  ============'];
  for (const [key, value] of byKey(transactions)) if (value !== undefined) lines.push(`    ${key}: ${humanize(value)}`);

  const success = num(f, 'payloadsSent');
  if (success !== undefined && success > 0) {
    lines.push('', '  Transaction Successes', '  =====================', `    Total number: ${success}`, '    Successes By Endpoint:');
    const byEndpoint = counts(f.sentByKind).map(([kind, n]): [string, number] => [ENDPOINT_NAMES[kind] ?? kind, n]);
    for (const [endpoint, n] of byKey(byEndpoint)) if (n > 0) lines.push(`      ${endpoint}: ${humanize(n)}`);
  }
  const errors = num(f, 'errors');
  if (errors !== undefined && errors > 0) {
    // Network errors, timeouts and 5xx together: the built-in forwarder does not count them by type.
    lines.push('', '  Transaction Errors', '  ==================', `    Total number: ${errors}`);
    const last = str(f, 'lastError');
    if (last !== undefined) lines.push(`    Last error: ${last}`);
  }
  const refused = dropped.filter(([, n]) => n > 0);
  if (refused.length > 0) {
    // Only the codes that drop a payload (400, 403, 413…) are counted by code; 5xx are retried and counted above.
    lines.push('', '  HTTP Errors', '  ==================', '    HTTP Errors By Code:');
    for (const [code, n] of byKey(refused)) lines.push(`      ${code}: ${humanize(n)}`);
  }

  const ending = keyEnding(maskedKey);
  const forbidden = dropped.find(([code]) => code === '403')?.[1] ?? 0;
  const name = ending !== undefined ? `API key ending with ${ending}` : 'API key';
  // The Agent validates its key against /api/v1/validate; the built-in forwarder judges by the intake's answers.
  if (forbidden > 0) lines.push('', '  API Keys errors', '  ===============', `    ${name}: API Key invalid`);
  else if (success !== undefined && success > 0) lines.push('', '  API Keys status', '  ===============', `    ${name}: API Key valid`);
  return `${lines.join('\n')}\n`;
}

export function renderEndpoints(endpoint: string | undefined, maskedKey: string | undefined): string {
  const ending = keyEnding(maskedKey);
  if (endpoint === undefined || maskedKey === undefined || maskedKey === '(not set)') return '\n\nNo endpoints information. The agent may be misconfigured.\n';
  return `\n  ${endpoint} - API Key ending with:\n      - ${ending ?? '(the key is too short to show its ending)'}\n`;
}
