// The header of `agent status`: the common header (comp/core/status/statusimpl/templates/text.tmpl)
// and the Hostname header section (comp/metadata/host/hostimpl/status_templates/host.tmpl).
import type { AgentStatus } from './status-text.js';
import { formatUnixTime } from './status-format.js';

function date(iso: string | undefined): string | undefined {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(ms) ? undefined : formatUnixTime(ms);
}

function line(label: string, value: string | number | undefined): string[] {
  return value === undefined || value === '' ? [] : [`${label}: ${value}`];
}

/** The lines under `Agent (vX)`: dates, pid, runtime, log level, then Paths. */
export function renderHeader(s: AgentStatus): string {
  const lines = [
    ...line('  Status date', date(s.statusDate)),
    ...line('  Agent start', date(s.agentStart)),
    ...line('  Pid', s.pid),
    // The built-in agent runs on Node, not Go: its runtime goes where the Agent shows Go Version.
    ...line('  Node Version', s.nodeVersion),
    ...line('  Build arch', s.buildArch),
    ...line('  Agent flavor', s.flavor),
    ...line('  Log Level', s.logLevel),
    '',
    '  Paths',
    '  =====',
    `    Config File: ${s.confFile ?? 'There is no config file'}`,
    ...line('    conf.d', s.confdPath),
    ...line('    checks.d', s.checksdPath),
  ];
  const problems = Array.isArray(s.configProblems) ? s.configProblems : [];
  if (problems.length > 0) lines.push('', '  Config File Errors', '  ==================', ...problems.map((p) => `    - ${p}`));
  return `${lines.join('\n')}\n`;
}

/** The Hostname section: what the agent reports as its host, and its host tags. */
export function renderHostname(s: AgentStatus): string {
  const lines = [''];
  // Meta keys in sorted order, as the template ranges over a map.
  lines.push(...line('  hostname', s.hostname), ...line('  socket-hostname', s.socketHostname));
  const tags = Array.isArray(s.tags) ? s.tags : [];
  if (tags.length > 0) lines.push('  host tags:', ...tags.map((t) => `    ${t}`));
  return `${lines.join('\n')}\n`;
}
