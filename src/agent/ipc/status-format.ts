// The Datadog Agent's text status helpers (comp/core/status render helpers): section frames,
// numbers with thousands separators, Go durations, and dates as `2006-01-02 15:04:05 UTC (ms)`.

/** `=====\nTitle\n=====`: a top-level section of `agent status`. */
export function sectionHeader(title: string): string {
  const dashes = '='.repeat([...title].length);
  return `${dashes}\n${title}\n${dashes}\n`;
}

export function dashes(text: string, dash = '-'): string {
  return dash.repeat([...text].length);
}

/** 10332 → `10,332` (go-humanize Commaf). */
export function humanize(value: number): string {
  const [whole, fraction] = String(Math.abs(value)).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}

/** Milliseconds as Go prints a time.Duration: `0s`, `8ms`, `1.5s`, `2m3.004s`, `1h0m0s`. */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${trim(ms)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms - hours * 3_600_000) / 60_000);
  const seconds = trim((ms - hours * 3_600_000 - minutes * 60_000) / 1000);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

function trim(value: number): string {
  return String(Number(value.toFixed(3)));
}

/** A date as the agent's status prints it (dynos run in UTC): `2026-12-03 10:00:41 UTC (1764756041000)`. */
export function formatUnixTime(ms: number): string {
  const date = new Date(ms);
  const iso = date.toISOString();
  const millis = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${millis !== '' ? `.${millis}` : ''} UTC (${ms})`;
}

/** `UdpPacketReadingErrors` → `Udp Packet Reading Errors` (the DogStatsD template's formatTitle). */
export function formatTitle(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.replace(/\b\w/g, (c) => c.toUpperCase());
}

/** A rate as the trace-agent status prints it: 1 → `100.0` (`%02.1f` of v*100). */
export function percent(value: number): string {
  return (value * 100).toFixed(1);
}

// Reading a status document defensively: a field another component renamed or dropped yields
// undefined, and the line that needed it is skipped rather than the whole status failing.

export type Fields = Readonly<Record<string, unknown>>;

export function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

export function num(from: Fields | undefined, key: string): number | undefined {
  const value = from?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function str(from: Fields | undefined, key: string): string | undefined {
  const value = from?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** A map of counters (`{ "403": 2 }`), numbers only. */
export function counts(value: unknown): [string, number][] {
  const from = fields(value);
  if (from === undefined) return [];
  return Object.entries(from).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
}

/** Go's text/template ranges over a map in sorted key order. */
export function byKey<T>(entries: [string, T][]): [string, T][] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
