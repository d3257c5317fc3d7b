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

/** Milliseconds as Go prints a time.Duration: `0s`, `8ms`, `1.5s`, `2m3.004s`. */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${trim(ms)}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = trim((ms - minutes * 60_000) / 1000);
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
