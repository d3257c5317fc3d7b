// Small SVG charts for bench/run.mjs, written from the benchmarks' JSON: no charting dependency.
//   lineChart({ title, subtitle, xLabel, yLabel, xLog, yLog, series: [{ name, points: [[x, y], …] }], marks: [{ y, label }] })
//   barChart({ title, subtitle, yLabel, yLog, categories: [...], series: [{ name, values: [...] }], marks })  vertical, grouped
//   hbarChart({ title, subtitle, xLabel, categories: [...], series: [{ name, values: [...] }], marks })    horizontal, grouped
// Every chart is 760 px wide, with axes, ticks, axis labels, a legend and the value of each bar.

const COLORS = ['#632ca6', '#e8830c', '#2a9d8f', '#d62828', '#457b9d', '#8d6e63', '#6a994e', '#b5179e'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const W = 760;
const HALO = 'paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n) => Math.round(n * 10) / 10;

/** A number in few characters: 1.2k, 3.4M, 0.05. */
export function short(n) {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e4) return `${trim(n / 1e3)}k`;
  if (a >= 100) return String(Math.round(n));
  if (a >= 10) return trim(n, 1);
  return trim(n, a >= 1 ? 2 : 3);
}
function trim(n, digits = 2) {
  return String(Number(n.toFixed(Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? Math.min(1, digits) : digits)));
}

/** Round ticks between lo and hi (linear), about `count` of them. */
function linearTicks(lo, hi, count = 5) {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return { ticks, lo: ticks[0], hi: Math.max(ticks[ticks.length - 1], hi) };
}

/** Powers of ten (with 2 and 5 between them when the range is short) covering lo..hi. */
function logTicks(lo, hi) {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const ticks = [];
  for (let e = a; e <= b; e++) for (const m of b - a <= 3 ? [1, 2, 5] : [1]) ticks.push(m * 10 ** e);
  const inside = ticks.filter((t) => t >= 10 ** a && t <= 10 ** b);
  return { ticks: inside, lo: 10 ** a, hi: 10 ** b };
}

function scale(domain, range, log) {
  const [d0, d1] = log ? domain.map(Math.log10) : domain;
  const [r0, r1_] = range;
  return (v) => {
    const x = log ? Math.log10(Math.max(v, 1e-12)) : v;
    return r0 + ((x - d0) / (d1 - d0 || 1)) * (r1_ - r0);
  };
}

function frame(height, { title, subtitle }, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ${FONT} font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16" y="24" font-size="15" font-weight="600" fill="#222">${esc(title)}</text>
${subtitle ? `<text x="16" y="42" font-size="11" fill="#666">${esc(subtitle)}</text>` : ''}
${body}
</svg>
`;
}

function legend(series, x, y, maxWidth) {
  let cx = x;
  let cy = y;
  const out = [];
  series.forEach((s, i) => {
    const w = 22 + String(s.name).length * 6.6;
    if (cx + w > x + maxWidth) {
      cx = x;
      cy += 16;
    }
    const color = s.color ?? COLORS[i % COLORS.length];
    const swatch = s.dashed
      ? `<line x1="${r1(cx)}" x2="${r1(cx + 12)}" y1="${cy - 4}" y2="${cy - 4}" stroke="${color}" stroke-width="2" stroke-dasharray="4 2"/>`
      : `<rect x="${r1(cx)}" y="${cy - 9}" width="12" height="10" rx="2" fill="${color}"/>`;
    out.push(`${swatch}<text x="${r1(cx + 16)}" y="${cy}" fill="#333">${esc(s.name)}</text>`);
    cx += w + 12;
  });
  return { svg: out.join('\n'), bottom: cy + 8 };
}

/** Lines with a dot at each point; xLog/yLog for log axes. `marks` draws horizontal reference lines. */
export function lineChart({ title, subtitle, xLabel, yLabel, xLog = false, yLog = false, series, marks = [], yMin }) {
  const points = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!xLog || x > 0) && (!yLog || y > 0));
  const xs = points.map((p) => p[0]);
  const ys = [...points.map((p) => p[1]), ...marks.map((m) => m.y)];
  const top = subtitle ? 56 : 44;
  const lg = legend([...series, ...marks.map((m) => ({ name: m.label, color: '#d62828', dashed: true }))], 70, top + 4, W - 90);
  const plotTop = lg.bottom + 14;
  const H = plotTop + 300;
  const left = 70;
  const right = W - 24;
  const bottom = H - 48;
  const xt = xs.length ? (xLog ? logTicks(Math.min(...xs), Math.max(...xs)) : linearTicks(Math.min(...xs, 0), Math.max(...xs))) : linearTicks(0, 1);
  const yt = ys.length ? (yLog ? logTicks(Math.min(...ys), Math.max(...ys)) : linearTicks(yMin ?? Math.min(0, ...ys), Math.max(...ys) * 1.05)) : linearTicks(0, 1);
  const X = scale([xt.lo, xt.hi], [left, right], xLog);
  const Y = scale([yt.lo, yt.hi], [bottom, plotTop], yLog);
  const parts = [];
  for (const t of yt.ticks) parts.push(`<line x1="${left}" x2="${right}" y1="${r1(Y(t))}" y2="${r1(Y(t))}" stroke="#e6e6e6"/><text x="${left - 6}" y="${r1(Y(t) + 4)}" text-anchor="end" fill="#555">${short(t)}</text>`);
  for (const t of xt.ticks) parts.push(`<line x1="${r1(X(t))}" x2="${r1(X(t))}" y1="${bottom}" y2="${bottom + 4}" stroke="#888"/><text x="${r1(X(t))}" y="${bottom + 17}" text-anchor="middle" fill="#555">${short(t)}</text>`);
  parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#888"/><line x1="${left}" x2="${left}" y1="${plotTop}" y2="${bottom}" stroke="#888"/>`);
  for (const m of marks) parts.push(`<line x1="${left}" x2="${right}" y1="${r1(Y(m.y))}" y2="${r1(Y(m.y))}" stroke="#d62828" stroke-dasharray="5 4"/>`);
  series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!xLog || x > 0) && (!yLog || y > 0));
    if (!pts.length) return;
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${r1(X(x))},${r1(Y(y))}`).join(' ')}"/>`);
    if (pts.length <= 60) for (const [x, y] of pts) parts.push(`<circle cx="${r1(X(x))}" cy="${r1(Y(y))}" r="3" fill="${color}"><title>${esc(`${s.name}: ${short(x)}, ${short(y)}`)}</title></circle>`);
  });
  parts.push(`<text x="${(left + right) / 2}" y="${H - 12}" text-anchor="middle" fill="#333">${esc(xLabel)}${xLog ? ' (log scale)' : ''}</text>`);
  parts.push(`<text transform="translate(16 ${(plotTop + bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}${yLog ? ' (log scale)' : ''}</text>`);
  return frame(H, { title, subtitle }, `${lg.svg}\n${parts.join('\n')}`);
}

/** Vertical grouped bars: one group per category, one bar per series, the value above each bar. */
export function barChart({ title, subtitle, yLabel, yLog = false, categories, series, marks = [] }) {
  const values = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!yLog || v > 0));
  const top = subtitle ? 56 : 44;
  const lg = legend([...series, ...marks.map((m) => ({ name: m.label, color: '#d62828', dashed: true }))], 70, top + 4, W - 90);
  const plotTop = lg.bottom + 18;
  const H = plotTop + 300;
  const left = 70;
  const right = W - 24;
  const bottom = H - 48;
  const all = [...values, ...marks.map((m) => m.y)];
  const yt = all.length ? (yLog ? logTicks(Math.min(...all), Math.max(...all)) : linearTicks(0, Math.max(...all) * 1.08)) : linearTicks(0, 1);
  const Y = scale([yt.lo, yt.hi], [bottom, plotTop], yLog);
  const parts = [];
  for (const t of yt.ticks) parts.push(`<line x1="${left}" x2="${right}" y1="${r1(Y(t))}" y2="${r1(Y(t))}" stroke="#e6e6e6"/><text x="${left - 6}" y="${r1(Y(t) + 4)}" text-anchor="end" fill="#555">${short(t)}</text>`);
  const groupW = (right - left) / categories.length;
  const barW = Math.min(56, (groupW * 0.8) / series.length);
  categories.forEach((c, ci) => {
    const g0 = left + ci * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (!Number.isFinite(v) || (yLog && v <= 0)) return;
      const color = s.color ?? COLORS[si % COLORS.length];
      const y = Y(v);
      parts.push(`<rect x="${r1(g0 + si * barW + 1)}" y="${r1(y)}" width="${r1(barW - 2)}" height="${r1(bottom - y)}" fill="${color}"><title>${esc(`${s.name}, ${c}: ${v}`)}</title></rect>`);
      parts.push(`<text x="${r1(g0 + si * barW + barW / 2)}" y="${r1(y - 4)}" text-anchor="middle" font-size="10" fill="#333">${short(v)}</text>`);
    });
    parts.push(`<text x="${r1(left + ci * groupW + groupW / 2)}" y="${bottom + 17}" text-anchor="middle" fill="#333">${esc(c)}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#888"/><line x1="${left}" x2="${left}" y1="${plotTop}" y2="${bottom}" stroke="#888"/>`);
  for (const m of marks) parts.push(`<line x1="${left}" x2="${right}" y1="${r1(Y(m.y))}" y2="${r1(Y(m.y))}" stroke="#d62828" stroke-dasharray="5 4"/>`);
  parts.push(`<text transform="translate(16 ${(plotTop + bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}${yLog ? ' (log scale)' : ''}</text>`);
  return frame(H, { title, subtitle }, `${lg.svg}\n${parts.join('\n')}`);
}

/** Horizontal grouped bars, for long category names: one row group per category. */
export function hbarChart({ title, subtitle, xLabel, categories, series, marks = [] }) {
  const values = series.flatMap((s) => s.values).filter(Number.isFinite);
  const top = subtitle ? 56 : 44;
  const lg = series.length > 1 ? legend(series, 16, top + 4, W - 32) : { svg: '', bottom: top - 6 };
  const plotTop = lg.bottom + 12;
  const labelW = Math.min(400, 12 + Math.max(...categories.map((c) => String(c).length)) * 6.4);
  const left = 16 + labelW;
  const right = W - 56;
  const barH = 14;
  const groupH = barH * series.length + 10;
  const bottom = plotTop + groupH * categories.length;
  const H = bottom + 44;
  const xt = linearTicks(0, Math.max(...values, ...marks.map((m) => m.x), 1e-9) * 1.05);
  const X = scale([xt.lo, xt.hi], [left, right], false);
  const parts = [];
  for (const t of xt.ticks) parts.push(`<line x1="${r1(X(t))}" x2="${r1(X(t))}" y1="${plotTop}" y2="${bottom}" stroke="#e6e6e6"/><text x="${r1(X(t))}" y="${bottom + 15}" text-anchor="middle" fill="#555">${short(t)}</text>`);
  categories.forEach((c, ci) => {
    const g0 = plotTop + ci * groupH + 5;
    parts.push(`<text x="${left - 8}" y="${r1(g0 + (barH * series.length) / 2 + 4)}" text-anchor="end" fill="#333">${esc(c)}</text>`);
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (!Number.isFinite(v)) return;
      const color = s.color ?? COLORS[si % COLORS.length];
      const y = g0 + si * barH;
      parts.push(`<rect x="${left}" y="${y}" width="${r1(Math.max(0.5, X(v) - left))}" height="${barH - 2}" fill="${color}"><title>${esc(`${s.name}, ${c}: ${v}`)}</title></rect>`);
      parts.push(`<text x="${r1(X(v) + 4)}" y="${y + barH - 4}" font-size="10" fill="#333">${short(v)}</text>`);
    });
  });
  parts.push(`<line x1="${left}" x2="${left}" y1="${plotTop}" y2="${bottom}" stroke="#888"/><line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#888"/>`);
  for (const m of marks) parts.push(`<line x1="${r1(X(m.x))}" x2="${r1(X(m.x))}" y1="${plotTop - 4}" y2="${bottom}" stroke="#d62828" stroke-dasharray="5 4"/><text x="${r1(X(m.x) + 4)}" y="${plotTop + 6}" fill="#d62828" font-size="11" ${HALO}>${esc(m.label)}</text>`);
  parts.push(`<text x="${(left + right) / 2}" y="${H - 10}" text-anchor="middle" fill="#333">${esc(xLabel)}</text>`);
  return frame(H, { title, subtitle }, `${lg.svg}\n${parts.join('\n')}`);
}
