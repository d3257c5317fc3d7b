// Default socket receive buffer: the largest the kernel allows (net.core.rmem_max), up to 4 MiB.
// The kernel default (~208 KiB) holds ~90 packed datagrams, so any scheduling hiccup of a few
// milliseconds drops metrics; losing none is this agent's point.
import { readFileSync } from 'node:fs';

export const MAX_DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;

export function defaultReceiveBuffer(rmemMaxPath = '/proc/sys/net/core/rmem_max'): number | undefined {
  try {
    const max = Number(readFileSync(rmemMaxPath, 'utf8').trim());
    return Number.isFinite(max) && max > 0 ? Math.min(max, MAX_DEFAULT_RECEIVE_BUFFER) : undefined;
  } catch {
    return undefined;
  }
}
