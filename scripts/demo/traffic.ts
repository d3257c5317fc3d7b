// Steady requests to the dyno's web process, counted per route and status: what the intake must show.

export interface TrafficCounts {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  failures: number;
}

/** A fixed mix: mostly fast pages, some slow ones, a few errors. */
const MIX = ['/', '/', '/', '/', '/', '/slow', '/', '/', '/slow', '/error'];

/** Counts of the one `GET /` that found the app up (it counts like any request). */
export function bootProbe(status: number): TrafficCounts {
  return { requests: 1, byRoute: { '/': 1 }, byStatus: { [status]: 1 }, failures: 0 };
}

export async function driveTraffic(port: number, seconds: number, perSecond: number, onTick: (elapsed: number, counts: TrafficCounts) => Promise<void> | void, stop?: () => boolean, counts: TrafficCounts = { requests: 0, byRoute: {}, byStatus: {}, failures: 0 }): Promise<TrafficCounts> {
  const started = Date.now();
  const inflight = new Set<Promise<void>>();
  let sent = 0;
  let lastTick = 0;
  while ((seconds === Infinity || Date.now() - started < seconds * 1000) && !stop?.()) {
    const due = Math.floor(((Date.now() - started) / 1000) * perSecond);
    while (sent < due) {
      const route = MIX[sent % MIX.length]!;
      sent++;
      const request = fetch(`http://127.0.0.1:${port}${route}`)
        .then(async (res) => {
          await res.arrayBuffer();
          counts.requests++;
          counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
          counts.byStatus[res.status] = (counts.byStatus[res.status] ?? 0) + 1;
        })
        .catch(() => {
          counts.failures++;
        })
        .finally(() => inflight.delete(request));
      inflight.add(request);
    }
    const elapsed = Math.floor((Date.now() - started) / 1000);
    if (elapsed !== lastTick) {
      lastTick = elapsed;
      await onTick(elapsed, counts);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(inflight);
  return counts;
}
