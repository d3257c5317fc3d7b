// The status document served over IPC (docs/status.md), and its text rendering for
// `agent status` in the Datadog Agent 7 layout (comp/core/status/statusimpl/status.go):
// the header sections, then one framed section per component, Collector first, the rest sorted.
import type { CollectorStatus } from '../checks/runner.js';
import { renderAggregator } from './aggregator-text.js';
import { renderApm } from './apm-text.js';
import { renderCollector } from './collector-text.js';
import { renderDogstatsd } from './dogstatsd-text.js';
import { renderEndpoints, renderForwarder } from './forwarder-text.js';
import { renderHeader, renderHostname } from './header-text.js';
import type { MinuteFigures } from './minute-window.js';
import { renderOtlp } from './otlp-text.js';
import { fields, formatTitle, sectionHeader } from './status-format.js';

export interface AgentStatus {
  readonly version: string;
  readonly flavor: 'builtin';
  readonly pid: number;
  readonly uptimeSeconds: number;
  readonly hostname: string;
  readonly tags: readonly string[];
  /** Masked: `***…abcde`. */
  readonly apiKey: string;
  readonly endpoint: string;
  readonly healthy: boolean;
  readonly configProblems: readonly string[];
  readonly components: Record<string, Record<string, unknown>>;
  /** ISO dates: when this document was built, when the agent started. */
  readonly statusDate?: string;
  readonly agentStart?: string;
  readonly logLevel?: string;
  /** datadog.yaml, absent when the agent runs without one. */
  readonly confFile?: string;
  readonly confdPath?: string;
  readonly checksdPath?: string;
  readonly nodeVersion?: string;
  readonly buildArch?: string;
  readonly socketHostname?: string;
  /** The trace agent's counters over the last closed minute; absent until one has closed (IPC only). */
  readonly previousMinute?: MinuteFigures;
}

/** Components with their own rendering; `ipc` has no section (the text itself is its answer). */
const RENDERED = new Set(['collector', 'aggregator', 'apm', 'dogstatsd', 'forwarder', 'ipc', 'otlp']);

interface Section {
  readonly title: string;
  readonly text: string;
}

const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A component this renderer does not know yet (added by another change): its scalar fields. */
function genericSection(name: string, status: Record<string, unknown>): Section {
  const lines = [''];
  for (const [key, value] of Object.entries(status)) {
    const shown = scalar(value);
    if (shown !== undefined) lines.push(`  ${formatTitle(key)}: ${shown}`);
  }
  return { title: formatTitle(name), text: `${lines.join('\n')}\n` };
}

function sections(s: AgentStatus): Section[] {
  const components = fields(s.components) ?? {};
  const out: Section[] = [];
  const tryRender = (title: string, render: () => string): void => {
    try {
      out.push({ title, text: render() });
    } catch (error) {
      out.push({ title, text: `\n  Status render error: ${(error as Error).message}\n` });
    }
  };
  const collector = fields(components.collector);
  if (collector !== undefined) tryRender('Collector', () => renderCollector(collector as unknown as CollectorStatus));
  const aggregator = fields(components.aggregator);
  if (aggregator !== undefined) tryRender('Aggregator', () => renderAggregator(aggregator, fields(components.dogstatsd), components.collector));
  const apm = fields(components.apm);
  if (apm !== undefined) tryRender('APM Agent', () => renderApm(apm, { pid: finite(s.pid), uptimeSeconds: finite(s.uptimeSeconds), hostname: s.hostname }, s.previousMinute));
  const dogstatsd = fields(components.dogstatsd);
  if (dogstatsd !== undefined) tryRender('DogStatsD', () => renderDogstatsd(dogstatsd));
  const otlp = fields(components.otlp);
  if (otlp !== undefined) tryRender('OTLP', () => renderOtlp(otlp));
  tryRender('Endpoints', () => renderEndpoints(s.endpoint, s.apiKey));
  const forwarder = fields(components.forwarder);
  if (forwarder !== undefined) tryRender('Forwarder', () => renderForwarder(forwarder, s.apiKey));
  for (const [name, status] of Object.entries(components)) {
    const f = fields(status);
    if (!RENDERED.has(name) && f !== undefined) out.push(genericSection(name, f));
  }
  // Collector first, the others in the lower-cased alphabetical order of their titles.
  const rank = (t: Section): string => (t.title === 'Collector' ? '' : t.title.toLowerCase());
  return out.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}

export function renderStatusText(status: AgentStatus): string {
  const title = `Agent (v${status.version})`;
  let out = `${sectionHeader(title)}${renderHeader(status)}\n`;
  out += `${sectionHeader('Hostname')}${renderHostname(status)}\n`;
  for (const { title: name, text } of sections(status)) out += `${sectionHeader(name)}${text}\n`;
  return out;
}
