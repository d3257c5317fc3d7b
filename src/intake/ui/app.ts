// The intake page: summary, metric explorer, traces, checks and events, refreshed as payloads arrive.
import type { Summary } from '../query/summary.js';
import type { CheckRecord, EventRecord } from '../records.js';
import { byId, el, getJson, time } from './dom.js';
import { MetricExplorer } from './metric-chart.js';
import { TraceView } from './trace-view.js';

const STATUS = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

function renderSummary(s: Summary): void {
  const items: [string, number][] = [
    ['metrics', s.metrics.names + s.distributions.names],
    ['points', s.metrics.points],
    ['sketches', s.distributions.sketches],
    ['traces', s.traces.traces],
    ['spans', s.traces.spans],
    ['checks', s.checks],
    ['events', s.events],
    ['payloads', Object.values(s.endpoints).reduce((n, e) => n + e.payloads, 0)],
  ];
  const rejected = Object.values(s.rejected).reduce((n, c) => n + c, 0);
  if (rejected > 0) items.push(['refused', rejected]);
  byId('summary').replaceChildren(...items.map(([label, n]) => el('li', { 'data-count': label }, el('b', {}, n), ` ${label}`)));
}

async function renderChecksAndEvents(): Promise<void> {
  const checks = await getJson<CheckRecord[]>('api/query/checks?limit=100');
  byId('check-table').querySelector('tbody')!.replaceChildren(
    ...checks.map((c) => el('tr', {}, el('td', {}, time(c.timestamp * 1000)), el('td', {}, c.check), el('td', {}, el('span', { class: `status status-${c.status}` }, STATUS[c.status] ?? c.status)), el('td', {}, c.host), el('td', { title: c.tags.join(' ') }, c.tags.join(' ')), el('td', { title: c.message }, c.message))),
  );
  const events = await getJson<EventRecord[]>('api/query/events?limit=100');
  byId('event-table').querySelector('tbody')!.replaceChildren(
    ...events.map((e) => el('tr', {}, el('td', {}, time(e.timestamp * 1000)), el('td', {}, e.title), el('td', {}, e.alertType), el('td', {}, e.host), el('td', { title: e.text }, e.text))),
  );
}

const metrics = new MetricExplorer();
const traces = new TraceView();

let refreshing = false;
let again = false;
/** One refresh at a time; a request during one runs once more after it. */
async function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    renderSummary(await getJson<Summary>('api/query/summary'));
    await Promise.all([metrics.refresh(), traces.refresh(), renderChecksAndEvents()]);
    document.body.dataset.loaded = 'true';
  } catch (error) {
    byId('live').textContent = `error: ${(error as Error).message}`;
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

function connectLive(): void {
  const live = byId('live');
  const source = new EventSource('api/query/live');
  source.addEventListener('open', () => {
    live.textContent = 'live';
    live.classList.add('on');
  });
  source.addEventListener('summary', () => void refresh());
  source.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.classList.remove('on');
  });
}

void refresh();
connectLive();
