// A Prometheus/OpenMetrics exporter on 127.0.0.1 for the openmetrics check's tests: counters the
// test increments, a histogram and a summary with known observations, and endpoints that fail,
// answer garbage, hang, or stream 50 MB.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export const LATENCY_BOUNDS = [0.1, 0.5, 1] as const;
export const HUGE_BODY_BYTES = 50 * 1024 * 1024;
export const BASIC_USER = 'scraper';
export const BASIC_PASSWORD = 'right-pw-7Qz';

/** What one scrape of /metrics served, to compute the expected values from. */
export interface ServedState {
  readonly requests: ReadonlyMap<string, number>;
  readonly latencyBuckets: readonly number[];
  readonly latencySum: number;
  readonly latencyCount: number;
  readonly rpcQuantiles: Readonly<Record<string, number>>;
  readonly rpcSum: number;
  readonly rpcCount: number;
  readonly queueDepth: number;
  readonly jobs: number;
}

export class ExporterState {
  /** `method|code` → count. */
  readonly requests = new Map<string, number>([
    ['get|200', 10],
    ['post|500', 1],
  ]);
  latencyBuckets: number[] = LATENCY_BOUNDS.map(() => 0);
  latencySum = 0;
  latencyCount = 0;
  rpcQuantiles: Record<string, number> = { '0.5': 0.012, '0.99': 0.25 };
  rpcSum = 3.5;
  rpcCount = 40;
  queueDepth = 7;
  jobs = 100;

  request(method: string, code: number, times = 1): void {
    const key = `${method}|${code}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + times);
  }

  observeLatency(seconds: number): void {
    LATENCY_BOUNDS.forEach((bound, i) => {
      if (seconds <= bound) this.latencyBuckets[i]!++;
    });
    this.latencySum += seconds;
    this.latencyCount++;
  }

  snapshot(): ServedState {
    return {
      requests: new Map(this.requests),
      latencyBuckets: [...this.latencyBuckets],
      latencySum: this.latencySum,
      latencyCount: this.latencyCount,
      rpcQuantiles: { ...this.rpcQuantiles },
      rpcSum: this.rpcSum,
      rpcCount: this.rpcCount,
      queueDepth: this.queueDepth,
      jobs: this.jobs,
    };
  }
}

/** Prometheus text 0.0.4, as client libraries write it. */
export function prometheusText(s: ServedState): string {
  const lines = ['# HELP app_requests_total Requests served.', '# TYPE app_requests_total counter'];
  for (const [key, count] of s.requests) {
    const [method, code] = key.split('|');
    lines.push(`app_requests_total{method="${method}",code="${code}",pod="web.1"} ${count}`);
  }
  lines.push(
    '# HELP app_temperature_celsius Room temperature.',
    '# TYPE app_temperature_celsius gauge',
    'app_temperature_celsius{room="lab \\"B\\" \\\\ east"} 21.5',
    '# TYPE app_latency_seconds histogram',
    ...LATENCY_BOUNDS.map((bound, i) => `app_latency_seconds_bucket{le="${bound}",pod="web.1"} ${s.latencyBuckets[i]}`),
    `app_latency_seconds_bucket{le="+Inf",pod="web.1"} ${s.latencyCount}`,
    `app_latency_seconds_sum{pod="web.1"} ${s.latencySum}`,
    `app_latency_seconds_count{pod="web.1"} ${s.latencyCount}`,
    '# HELP app_rpc_seconds RPC latency.',
    '# TYPE app_rpc_seconds summary',
    ...Object.entries(s.rpcQuantiles).map(([q, v]) => `app_rpc_seconds{quantile="${q}"} ${v}`),
    `app_rpc_seconds_sum ${s.rpcSum}`,
    `app_rpc_seconds_count ${s.rpcCount}`,
    `app_queue_depth ${s.queueDepth} 1700000000000`,
    'app_ignored_untyped 1',
    '# TYPE app_dropped_gauge gauge',
    'app_dropped_gauge 5',
    '# TYPE app_nan_gauge gauge',
    'app_nan_gauge NaN',
    '',
  );
  return lines.join('\n');
}

/** OpenMetrics 1.0 text: `_total`/`_created`, a unit, exemplars, `# EOF`. */
export function openMetricsText(s: ServedState): string {
  return [
    '# TYPE jobs counter',
    '# HELP jobs Jobs run.',
    `jobs_total{queue="default"} ${s.jobs} # {trace_id="abc"} 1.0 1700000000.5`,
    'jobs_created{queue="default"} 1700000000.0',
    '# TYPE build_seconds histogram',
    '# UNIT build_seconds seconds',
    `build_seconds_bucket{le="1.0"} ${s.latencyBuckets[2]}`,
    `build_seconds_bucket{le="+Inf"} ${s.latencyCount}`,
    `build_seconds_count ${s.latencyCount}`,
    `build_seconds_sum ${s.latencySum}`,
    'build_seconds_created 1700000000.0',
    '# EOF',
    'after_eof_gauge 1',
    '',
  ].join('\n');
}

export interface ExporterServer {
  readonly url: string;
  readonly state: ExporterState;
  /** The state of each /metrics and /openmetrics answer, in order. */
  readonly served: ServedState[];
  /** Authorization headers received on /auth. */
  readonly authorizations: (string | undefined)[];
  /** For /huge-valid: bytes written before the client went away, and whether the body was finished. */
  hugeValid: { written: number; finished: boolean } | undefined;
  close(): Promise<void>;
}

/** Writes `next()` chunks until it returns undefined or the client leaves, respecting backpressure. */
async function stream(res: ServerResponse, next: () => string | Buffer | undefined): Promise<{ written: number; finished: boolean }> {
  let written = 0;
  let gone = false;
  res.on('close', () => {
    gone = true;
  });
  for (;;) {
    if (gone) return { written, finished: false };
    const chunk = next();
    if (chunk === undefined) break;
    written += chunk.length;
    if (!res.write(chunk)) await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
  res.end();
  return { written, finished: true };
}

export async function startExporter(): Promise<ExporterServer> {
  const state = new ExporterState();
  const served: ServedState[] = [];
  const authorizations: (string | undefined)[] = [];
  const hanging = new Set<ServerResponse>();
  const exporter = { state, served, authorizations, hugeValid: undefined } as Partial<ExporterServer> & { hugeValid: ExporterServer['hugeValid'] };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    switch (path) {
      case '/metrics': {
        const snapshot = state.snapshot();
        served.push(snapshot);
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(prometheusText(snapshot));
        return;
      }
      case '/gzip': {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Content-Encoding': 'gzip' });
        res.end(gzipSync('# TYPE zipped gauge\nzipped 42\n'));
        return;
      }
      case '/openmetrics': {
        const snapshot = state.snapshot();
        served.push(snapshot);
        res.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
        res.end(openMetricsText(snapshot));
        return;
      }
      case '/auth': {
        authorizations.push(req.headers.authorization);
        const expected = `Basic ${Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401, { 'WWW-Authenticate': 'Basic' });
          res.end('no');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('# TYPE secured gauge\nsecured 1\n');
        return;
      }
      case '/fail':
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('boom');
        return;
      case '/garbage':
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>\n<body>\n<h1>Welcome</h1>\n</body>\n</html>\n');
        return;
      case '/hang':
        hanging.add(res);
        return;
      case '/huge-line': {
        // A valid line, a 50 MB line without a newline, then another valid line.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        const block = Buffer.alloc(1024 * 1024, 'x');
        const parts: (string | Buffer)[] = ['# TYPE before gauge\nbefore 1\nhuge{a="'];
        for (let sent = 0; sent < HUGE_BODY_BYTES; sent += block.length) parts.push(block);
        parts.push('"} 1\n# TYPE after gauge\nafter 2\n');
        let i = 0;
        await stream(res, () => parts[i++]);
        return;
      }
      case '/huge-valid': {
        // 50 MB of distinct samples of one gauge family.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        let n = 0;
        let bytes = 0;
        let header = true;
        exporter.hugeValid = await stream(res, () => {
          if (header) {
            header = false;
            return '# TYPE big gauge\n';
          }
          if (bytes >= HUGE_BODY_BYTES) return undefined;
          let chunk = '';
          while (chunk.length < 64 * 1024) chunk += `big{series="${n}"} ${n++}\n`;
          bytes += chunk.length;
          return chunk;
        });
        return;
      }
      default:
        res.writeHead(404);
        res.end();
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(exporter, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  }) as ExporterServer;
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
