// Reading cgroup and proc files: small, capped, and a missing or unreadable file is just absent.
import { open, stat } from 'node:fs/promises';

/** cgroup files are a few kB; mountinfo of a busy host a few hundred. */
const MAX_FILE_BYTES = 1024 * 1024;
const CHUNK_BYTES = 16 * 1024;

/** The text of `path` (at most MAX_FILE_BYTES), or undefined when it cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    // proc and cgroup files report size 0: read chunks until EOF instead of trusting stat.
    const chunks: Buffer[] = [];
    let length = 0;
    while (length < MAX_FILE_BYTES) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, MAX_FILE_BYTES - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
    }
    return Buffer.concat(chunks, length).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** A non-negative integer as the kernel writes it; anything else (`max`, garbage, empty) is undefined. */
export function parseCounter(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (value === undefined || !/^\d{1,20}$/.test(value)) return undefined;
  return Number(value);
}

export async function readCounter(path: string): Promise<number | undefined> {
  return parseCounter(await readText(path));
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, cpuacct.stat); lines that do not parse are skipped. */
export function parseKeyValues(text: string | undefined): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [key, raw, extra] = line.trim().split(/\s+/);
    if (key === undefined || key === '' || extra !== undefined) continue;
    const value = parseCounter(raw);
    if (value !== undefined) values.set(key, value);
  }
  return values;
}

export async function readKeyValues(path: string): Promise<Map<string, number> | undefined> {
  const text = await readText(path);
  return text === undefined ? undefined : parseKeyValues(text);
}

/** The number of CPUs of a cpuset list such as `0-3,8,10-11`; undefined when it does not parse. */
export function cpusetCount(text: string | undefined): number | undefined {
  const list = text?.trim();
  if (list === undefined || list === '') return undefined;
  let count = 0;
  for (const part of list.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) return undefined;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return undefined;
    count += last - first + 1;
  }
  return count;
}
