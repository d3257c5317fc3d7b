// The Collector section of `agent status`, and the check part of `agent check`, in the Datadog
// Agent 7 text layout (pkg/status/collector/status_templates/collector.tmpl).
import type { CollectorStatus, InstanceStatus } from '../checks/runner.js';
import { dashes, formatUnixTime, goDuration, humanize } from './status-format.js';

/** The loader name shown under Loading Errors, as the agent names its Core/Python/JMX loaders. */
const LOADER = 'Built-in Check Loader';

function instanceLines(i: InstanceStatus): string[] {
  const lines = [
    `      Instance ID: ${i.id} [${i.state}]`,
    `      Configuration Source: ${i.source}`,
    ...(i.note !== undefined ? [`      Note: ${i.note}`] : []),
    `      Total Runs: ${humanize(i.totalRuns)}`,
    `      Metric Samples: Last Run: ${humanize(i.metricSamples.lastRun)}, Total: ${humanize(i.metricSamples.total)}`,
    `      Events: Last Run: ${humanize(i.events.lastRun)}, Total: ${humanize(i.events.total)}`,
    `      Service Checks: Last Run: ${humanize(i.serviceChecks.lastRun)}, Total: ${humanize(i.serviceChecks.total)}`,
    `      Average Execution Time : ${goDuration(i.averageExecutionMs)}`,
    `      Last Execution Date : ${i.lastExecutionDate !== undefined ? formatUnixTime(Date.parse(i.lastExecutionDate)) : 'Never'}`,
    `      Last Successful Execution Date : ${i.lastSuccessfulExecutionDate !== undefined ? formatUnixTime(Date.parse(i.lastSuccessfulExecutionDate)) : 'Never'}`,
  ];
  if (i.error !== undefined) lines.push(`      Error: ${i.error}`, '      No traceback');
  lines.push('      ');
  return lines;
}

/** The Running Checks block (and errors), without the section frame: `agent check` prints it so. */
export function renderCollector(status: CollectorStatus): string {
  const lines = ['', '  Running Checks', '  =============='];
  const names = Object.keys(status.runningChecks).sort();
  if (names.length === 0) lines.push('    No checks have run yet', '');
  for (const name of names) {
    lines.push('    ', `    ${name}`, `    ${dashes(name)}`);
    for (const instance of status.runningChecks[name]!) lines.push(...instanceLines(instance));
  }
  if (status.configErrors.length > 0) {
    lines.push('  Config Errors', '  ==============');
    for (const e of status.configErrors) lines.push(`    ${e.name}`, `    ${dashes(e.name)}`, `      ${e.file}: ${e.error}`);
    lines.push('');
  }
  if (status.loadingErrors.length > 0) {
    lines.push('  Loading Errors', '  ==============');
    for (const e of status.loadingErrors) lines.push(`    ${e.name}`, `    ${dashes(e.name)}`, `      ${LOADER}:`, `        ${e.error}`, '        ');
  }
  return `${lines.join('\n')}\n`;
}
