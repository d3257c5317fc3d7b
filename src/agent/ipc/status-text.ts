// The status document served over IPC, and its text rendering for `agent status`.
import type { CollectorStatus } from '../checks/runner.js';
import { renderCollector } from './collector-text.js';
import { sectionHeader } from './status-format.js';

export interface AgentStatus {
  readonly version: string;
  readonly flavor: 'builtin';
  readonly pid: number;
  readonly uptimeSeconds: number;
  readonly hostname: string;
  readonly tags: readonly string[];
  readonly apiKey: string;
  readonly endpoint: string;
  readonly healthy: boolean;
  readonly configProblems: readonly string[];
  readonly components: Record<string, Record<string, unknown>>;
}

function renderValue(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '(none)';
    return entries.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
  }
  return String(value);
}

function section(title: string, fields: Record<string, unknown>): string {
  const lines = [`${title}`, '='.repeat(title.length)];
  for (const [key, value] of Object.entries(fields)) lines.push(`  ${key}: ${renderValue(value)}`);
  return lines.join('\n');
}

export function renderStatusText(status: AgentStatus): string {
  const parts = [
    section(`Agent (v${status.version}, built-in)`, {
      Status: status.healthy ? 'running' : 'unhealthy',
      PID: status.pid,
      Uptime: `${status.uptimeSeconds} s`,
      Hostname: status.hostname,
      Tags: status.tags.join(' ') || '(none)',
      'API key': status.apiKey,
      Intake: status.endpoint,
      ...(status.configProblems.length > 0 ? { 'Config problems': status.configProblems.join('; ') } : {}),
    }),
  ];
  const collector = status.components.collector as unknown as CollectorStatus | undefined;
  // The Collector comes first, in the agent's own layout.
  if (collector !== undefined) parts.push(`${sectionHeader('Collector')}${renderCollector(collector)}`.trimEnd());
  for (const [name, fields] of Object.entries(status.components)) if (name !== 'collector') parts.push(section(name, fields));
  return `${parts.join('\n\n')}\n`;
}
