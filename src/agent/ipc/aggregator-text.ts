// The Aggregator section (comp/aggregator/demultiplexer/impl/status_templates/aggregator.tmpl):
// the Agent's counters in its order, each shown only when non-zero; then the built-in
// aggregator's own counters (contexts, zero-filled counters, caps), always shown.
import type { CollectorStatus } from '../checks/runner.js';
import { byKey, fields, formatTitle, goDuration, humanize, num, type Fields } from './status-format.js';

/** Keys of the aggregator's status() shown above under the Agent's labels, or in another form. */
const KNOWN = new Set(['flushes', 'seriesFlushed', 'sketchesFlushed', 'serviceChecksFlushed', 'eventsFlushed', 'flushIntervalMs']);

type Totals = { metricSamples: number; events: number; serviceChecks: number };

/** What the checks submitted since start, summed over their instances. */
function checkTotals(collector: unknown): Totals | undefined {
  const running = fields(fields(collector)?.runningChecks) as CollectorStatus['runningChecks'] | undefined;
  if (running === undefined) return undefined;
  const totals = { metricSamples: 0, events: 0, serviceChecks: 0 };
  for (const instances of Object.values(running)) {
    if (!Array.isArray(instances)) continue;
    for (const i of instances) {
      totals.metricSamples += num(fields(i?.metricSamples), 'total') ?? 0;
      totals.events += num(fields(i?.events), 'total') ?? 0;
      totals.serviceChecks += num(fields(i?.serviceChecks), 'total') ?? 0;
    }
  }
  return totals;
}

function sum(...values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}

export function renderAggregator(aggregator: Fields, dogstatsd: Fields | undefined, collector: unknown): string {
  const checks = checkTotals(collector);
  const agentLines: [string, number | undefined][] = [
    ['Checks Metric Sample', checks?.metricSamples],
    ['Dogstatsd Metric Sample', num(dogstatsd, 'metricSamples')],
    ['Event', sum(checks?.events, num(dogstatsd, 'events'))],
    ['Events Flushed', num(aggregator, 'eventsFlushed')],
    ['Number Of Flushes', num(aggregator, 'flushes')],
    ['Series Flushed', num(aggregator, 'seriesFlushed')],
    ['Service Check', sum(checks?.serviceChecks, num(dogstatsd, 'serviceChecks'))],
    ['Service Checks Flushed', num(aggregator, 'serviceChecksFlushed')],
    ['Sketches Flushed', num(aggregator, 'sketchesFlushed')],
  ];
  const lines = [''];
  for (const [label, value] of agentLines) if (value !== undefined && value !== 0) lines.push(`  ${label}: ${humanize(value)}`);
  const interval = num(aggregator, 'flushIntervalMs');
  const own: [string, string][] = Object.entries(aggregator)
    .filter(([key, value]) => !KNOWN.has(key) && typeof value === 'number')
    .map(([key, value]) => [formatTitle(key), humanize(value as number)]);
  if (interval !== undefined) own.push(['Flush Interval', goDuration(interval)]);
  for (const [label, value] of byKey(own)) lines.push(`  ${label}: ${value}`);
  return `${lines.join('\n')}\n`;
}
