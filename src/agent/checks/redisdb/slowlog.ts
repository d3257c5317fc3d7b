// SLOWLOG GET entries: `[id, start_time, duration_us, [command, args…], client, name]`, or with
// Redis Enterprise's complexity at index 3 and the command at index 4.

export interface SlowEntry {
  readonly startTime: number;
  readonly durationMicros: number;
  /** First word of the command, or undefined when the server sent none. */
  readonly command: string | undefined;
}

const MAX_COMMAND_TAG = 100;

export function parseSlowlog(reply: unknown): SlowEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: SlowEntry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item)) continue;
    const startTime = Number(item[1]);
    const durationMicros = Number(item[2]);
    if (!Number.isFinite(startTime) || !Number.isFinite(durationMicros)) continue;
    const words = Array.isArray(item[3]) ? item[3] : Array.isArray(item[4]) ? item[4] : [];
    const first = words.length > 0 && (typeof words[0] === 'string' || Buffer.isBuffer(words[0])) ? String(words[0]).trim().split(/\s+/)[0] : undefined;
    out.push({ startTime, durationMicros, command: first ? first.slice(0, MAX_COMMAND_TAG) : undefined });
  }
  return out;
}
