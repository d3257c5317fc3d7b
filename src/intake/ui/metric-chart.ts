// The metric explorer: metric list, tag filter chips, and a uPlot chart of the selection.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DistributionPoint, MetricSummary } from '../query/metrics.js';
import { byId, el, getJson, PALETTE } from './dom.js';

interface SeriesResponse {
  series: { host: string; tags: string[]; type: string; points: [number, number][] }[];
}
interface DistributionResponse {
  percentiles: number[];
  points: DistributionPoint[];
}

const MAX_LINES = 10;
const PERCENTILES = [0.5, 0.75, 0.95, 0.99];

export class MetricExplorer {
  private metrics: MetricSummary[] = [];
  private selected: string | undefined;
  private scrolledTo: string | undefined;
  private readonly filter = new Set<string>();
  private chart: uPlot | undefined;
  private readonly chartBox = byId('chart');

  constructor() {
    byId<HTMLInputElement>('metric-filter').addEventListener('input', () => this.renderList());
    byId<HTMLSelectElement>('range').addEventListener('change', () => void this.renderChart());
    window.addEventListener('resize', () => this.chart?.setSize(this.size()));
  }

  async refresh(): Promise<void> {
    this.metrics = await getJson<MetricSummary[]>('api/query/metrics');
    if (this.selected === undefined) {
      // `#metric=<name>` picks the metric (links from the demo); else the app's own metrics come before the agent's.
      const linked = new URLSearchParams(location.hash.slice(1)).get('metric');
      this.selected = (this.metrics.find((m) => m.name === linked) ?? this.metrics.find((m) => !m.name.startsWith('datadog.')) ?? this.metrics[0])?.name;
    }
    this.renderList();
    this.renderTags();
    await this.renderChart();
  }

  select(name: string): void {
    this.selected = name;
    history.replaceState(null, '', `#${new URLSearchParams({ metric: name }).toString()}`);
    this.filter.clear();
    this.renderList();
    this.renderTags();
    void this.renderChart();
  }

  private renderList(): void {
    const needle = byId<HTMLInputElement>('metric-filter').value.trim().toLowerCase();
    const items = this.metrics
      .filter((m) => m.name.toLowerCase().includes(needle))
      .map((m) => {
        const li = el('li', { 'data-metric': m.name, title: `${m.contexts} context(s), ${m.points} point(s)`, class: m.name === this.selected ? 'selected' : '' }, el('span', {}, m.name), el('span', { class: 'kind' }, m.type));
        li.addEventListener('click', () => this.select(m.name));
        return li;
      });
    byId('metric-list').replaceChildren(...items);
    // Bring a newly selected metric into view once, not on every live refresh.
    if (this.scrolledTo !== this.selected) {
      this.scrolledTo = this.selected;
      byId('metric-list').querySelector('li.selected')?.scrollIntoView({ block: 'nearest' });
    }
  }

  private renderTags(): void {
    const metric = this.metrics.find((m) => m.name === this.selected);
    byId('metric-title').textContent = metric ? metric.name : 'Pick a metric';
    const chips = (metric?.tags ?? []).map((tag) => {
      const chip = el('button', { class: this.filter.has(tag) ? 'tag on' : 'tag', 'data-tag': tag, type: 'button' }, tag);
      chip.addEventListener('click', () => {
        if (this.filter.has(tag)) this.filter.delete(tag);
        else this.filter.add(tag);
        this.renderTags();
        void this.renderChart();
      });
      return chip;
    });
    byId('tag-filter').replaceChildren(...chips);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(300, this.chartBox.clientWidth), height: 300 };
  }

  private query(path: string): string {
    const params = new URLSearchParams({ metric: this.selected! });
    for (const tag of this.filter) params.append('tag', tag);
    const range = byId<HTMLSelectElement>('range').value;
    if (range !== '') params.set('from', String(Math.floor(Date.now() / 1000) - Number(range)));
    return `api/query/${path}?${params.toString()}`;
  }

  private async renderChart(): Promise<void> {
    const metric = this.metrics.find((m) => m.name === this.selected);
    if (!metric) return;
    const { data, labels, info } = metric.kind === 'distribution' ? await this.distributionData() : await this.seriesData();
    const points = data.slice(1).reduce((n, ys) => n + ys.filter((y) => y !== null).length, 0);
    this.chartBox.dataset.metric = metric.name;
    this.chartBox.dataset.points = String(points);
    byId('metric-info').textContent = info;
    const key = `${metric.name}|${labels.join('|')}`;
    if (this.chart && this.chartBox.dataset.key === key) {
      this.chart.setData(data as uPlot.AlignedData);
      return;
    }
    this.chart?.destroy();
    this.chartBox.dataset.key = key;
    this.chart = new uPlot(
      {
        ...this.size(),
        series: [{}, ...labels.map((label, i) => ({ label, stroke: PALETTE[i % PALETTE.length]!, width: 1.6, spanGaps: true, points: { size: 5 } }))],
        axes: [{}, { size: 60 }],
        legend: { live: true },
      },
      data as uPlot.AlignedData,
      this.chartBox,
    );
  }

  private async seriesData(): Promise<{ data: (number | null)[][]; labels: string[]; info: string }> {
    const res = await getJson<SeriesResponse>(this.query('series'));
    const lines = res.series.slice(0, MAX_LINES);
    // Label a line by what tells it apart: host and the tags not shared by every line.
    const shared = lines.length > 1 ? lines.map((s) => s.tags).reduce((a, b) => a.filter((t) => b.includes(t))) : [];
    const oneHost = new Set(lines.map((s) => s.host)).size === 1;
    const labels = lines.map((s) => [oneHost ? '' : s.host, ...s.tags.filter((t) => !shared.includes(t))].filter(Boolean).join(' ') || s.host || this.selected!);
    const xs = [...new Set(lines.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
    const data = [xs, ...lines.map((s) => {
      const byTs = new Map(s.points);
      return xs.map((x) => byTs.get(x) ?? null);
    })];
    const type = res.series[0]?.type ?? '';
    const hidden = res.series.length - lines.length;
    return { data, labels, info: `${res.series.length} context(s), type ${type}${type === 'rate' ? ' (per second)' : ''}${hidden > 0 ? `, ${hidden} not drawn` : ''}` };
  }

  private async distributionData(): Promise<{ data: (number | null)[][]; labels: string[]; info: string }> {
    const res = await getJson<DistributionResponse>(`${this.query('distribution')}&percentiles=${PERCENTILES.join(',')}`);
    const xs = res.points.map((p) => p.ts);
    const data = [xs, ...PERCENTILES.map((_, i) => res.points.map((p) => p.values[i] ?? null)), res.points.map((p) => p.max)];
    const count = res.points.reduce((n, p) => n + p.cnt, 0);
    return { data, labels: [...PERCENTILES.map((q) => `p${Math.round(q * 100)}`), 'max'], info: `distribution: ${count} value(s) in ${res.points.length} sketch interval(s), percentiles merged across the selected contexts` };
  }
}
