// The trace list of one service and the waterfall of the trace picked in it.
import type { TraceSummary } from '../query/traces.js';
import type { SpanRecord } from '../records.js';
import { byId, colorOf, el, getJson, ms, time } from './dom.js';

interface TraceDetail extends TraceSummary {
  spanList: SpanRecord[];
}

function nsToMs(ns: string): number {
  return Number(BigInt(ns) / 1000n) / 1000;
}

/** Spans in tree order (each parent followed by its children by start), with their depth. */
function treeOrder(spans: SpanRecord[]): { span: SpanRecord; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const parent = ids.has(s.parentId) ? s.parentId : 'root';
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const out: { span: SpanRecord; depth: number }[] = [];
  const walk = (parent: string, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => nsToMs(a.start) - nsToMs(b.start))) {
      out.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk('root', 0);
  return out;
}

export class TraceView {
  private selected: string | undefined;

  constructor() {
    byId<HTMLSelectElement>('service').addEventListener('change', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    const services = await getJson<{ service: string; traces: number }[]>('api/query/services');
    const select = byId<HTMLSelectElement>('service');
    const current = select.value;
    select.replaceChildren(el('option', { value: '' }, 'all services'), ...services.map((s) => el('option', { value: s.service }, `${s.service} (${s.traces})`)));
    select.value = current;
    const traces = await getJson<TraceSummary[]>(`api/query/traces?limit=100${select.value ? `&service=${encodeURIComponent(select.value)}` : ''}`);
    const rows = traces.map((t) => {
      const row = el('tr', { 'data-trace': t.traceId, class: `${t.errors > 0 ? 'error' : ''} ${t.traceId === this.selected ? 'selected' : ''}` }, el('td', {}, time(t.start)), el('td', {}, t.service), el('td', { title: `${t.name} ${t.resource}` }, t.resource || t.name), el('td', {}, ms(t.duration)), el('td', {}, t.spans));
      row.addEventListener('click', () => void this.open(t.traceId));
      return row;
    });
    byId('trace-table').querySelector('tbody')!.replaceChildren(...rows);
    const first = traces[0];
    if (this.selected === undefined && first) await this.open(first.traceId);
  }

  async open(traceId: string): Promise<void> {
    this.selected = traceId;
    for (const row of byId('trace-table').querySelectorAll('tbody tr')) row.classList.toggle('selected', (row as HTMLElement).dataset.trace === traceId);
    const trace = await getJson<TraceDetail>(`api/query/traces/${encodeURIComponent(traceId)}`);
    byId('trace-title').textContent = `${trace.service} · ${trace.resource || trace.name} — ${ms(trace.duration)}, ${trace.spans} span(s)`;
    const total = Math.max(trace.duration, 0.001);
    const rows = treeOrder(trace.spanList).map(({ span, depth }) => {
      const offset = nsToMs(span.start) - trace.start;
      const duration = span.duration / 1e6;
      const bar = el('div', { class: span.error ? 'span-bar error' : 'span-bar', style: `left:${(offset / total) * 100}%;width:${(duration / total) * 100}%;background:${colorOf(span.service)}` }, ms(duration));
      const row = el('div', { class: 'span-row', 'data-span': span.spanId, title: `${span.service} ${span.name}\n${span.resource}` }, el('div', { class: 'span-label', style: `padding-left:${depth * 14}px` }, el('b', {}, span.service), ` ${span.name} `, el('span', { class: 'muted' }, span.resource)), el('div', { class: 'span-track' }, bar));
      row.addEventListener('click', () => {
        byId('span-detail').textContent = JSON.stringify({ name: span.name, resource: span.resource, type: span.type, error: span.error, duration: ms(duration), meta: span.meta, metrics: span.metrics }, null, 2);
      });
      return row;
    });
    byId('waterfall').replaceChildren(...rows);
    byId('span-detail').textContent = '';
  }
}
