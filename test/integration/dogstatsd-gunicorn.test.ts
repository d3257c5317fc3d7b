// gunicorn's built-in statsd client (`--statsd-host`) serving real requests to a WSGI app.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, pointOf, startHarness, until, type Harness } from './agent-harness.js';

const APP = `
def app(environ, start_response):
    status = '404 Not Found' if environ['PATH_INFO'] == '/missing' else '200 OK'
    start_response(status, [('Content-Type', 'text/plain')])
    return [b'hello']
`;

describe('gunicorn --statsd-host', () => {
  let h: Harness;
  let dir: string;
  let gunicorn: ChildProcess;
  let httpPort: number;

  beforeAll(async () => {
    h = await startHarness();
    dir = mkdtempSync(join(tmpdir(), 'gunicorn-'));
    writeFileSync(join(dir, 'app.py'), APP);
    httpPort = await freePort();
    gunicorn = spawn('gunicorn', ['--chdir', dir, '--bind', `127.0.0.1:${httpPort}`, '--workers', '1', '--statsd-host', `127.0.0.1:${h.agent.dogstatsd.port}`, '--statsd-prefix', 'shop', '--dogstatsd-tags', 'service:shop', 'app:app'], { stdio: 'ignore' });
    const start = Date.now();
    for (;;) {
      try {
        await fetch(`http://127.0.0.1:${httpPort}/warmup`);
        break;
      } catch {
        if (Date.now() - start > 20_000) throw new Error('gunicorn did not start');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // The warm-up's samples go out in a bucket of their own, flushed before the test counts.
    await until(() => (h.agent.dogstatsd.status().metricSamples as number) >= 3, 10_000, 'warm-up samples');
    h.closeBucket();
    await h.flush();
  });
  afterAll(async () => {
    gunicorn.kill('SIGTERM');
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('request counters, status codes and duration histograms aggregate as the official agent would', async () => {
    const samplesBefore = h.agent.dogstatsd.status().metricSamples as number;
    const started = h.now;
    for (let i = 0; i < 30; i++) expect((await fetch(`http://127.0.0.1:${httpPort}/item/${i}`)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`http://127.0.0.1:${httpPort}/missing`)).status).toBe(404);
    // Per request gunicorn sends requests, request.duration and request.status.<code>.
    await until(() => (h.agent.dogstatsd.status().metricSamples as number) >= samplesBefore + 35 * 3, 10_000, 'gunicorn samples');
    expect(h.now).toBe(started);
    h.closeBucket();
    await h.flush(true);
    const series = h.series().filter((s) => s.points[0]![0] >= Math.floor(started / 1000) - 1);
    const requests = series.filter((s) => s.metric === 'shop.gunicorn.requests');
    expect(requests.reduce((sum, s) => sum + s.points[0]![1] * 10, 0)).toBe(35);
    expect(requests[0]!.tags).toContain('service:shop');
    expect(pointOf(series, 'shop.gunicorn.request.status.404')).toBeCloseTo(0.5, 10);
    expect(pointOf(series, 'shop.gunicorn.request.duration.count')).toBeCloseTo(3.5, 10);
    expect(pointOf(series, 'shop.gunicorn.request.duration.max')).toBeGreaterThanOrEqual(pointOf(series, 'shop.gunicorn.request.duration.median'));
    expect(h.agent.dogstatsd.status().metricParseErrors).toBe(0);
  });
});
