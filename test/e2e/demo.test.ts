import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, openBrowser, openFirstTrace, pickMetric } from './browser.js';

const repo = join(import.meta.dirname, '../..');

describe('npm run demo -- --short --keep', () => {
  it('builds and boots the example, loses nothing across the SIGTERM restart, and the page shows it', { timeout: 150_000 }, async () => {
    // The README picture wants more than the 8 s of --short: a 40 s run, then 30 s of --keep.
    const readmeShot = process.env.DEMO_README_SCREENSHOT === '1';
    const demo = spawn('bash', ['scripts/demo.sh', ...(readmeShot ? ['--seconds', '40'] : ['--short']), '--keep', '--intake-port', '0'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    demo.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', resolve));
    try {
      const page = await Promise.race([
        new Promise<string>((resolve) => {
          const look = () => {
            const match = /Page: (http:\S+)/.exec(out);
            if (match && out.includes('--keep:')) resolve(match[1]!);
            else setTimeout(look, 200);
          };
          look();
        }),
        exited.then((code) => Promise.reject(new Error(`demo exited (${code}) before its summary:\n${out}`))),
      ]);
      const summary = out.slice(out.indexOf('-----> Summary'));
      expect(summary, out).toContain('Nothing lost');
      expect(summary).not.toContain('✗');
      for (const line of ['demo.requests (counter)', 'traces of demo-app', 'service check datadog.agent.up', 'event "demo-app started"']) {
        expect(summary).toMatch(new RegExp(`✓ ${line.replace(/[()."]/g, '\\$&')}`));
      }
      expect(out).toMatch(/processes got SIGTERM; all exited in/);

      const browser = await openBrowser();
      try {
        await browser.page.goto(page);
        await browser.page.waitForSelector('#metric-list li[data-metric="demo.requests"]');
        expect(await pickMetric(browser.page, 'demo.requests')).toBeGreaterThan(0);
        expect(await pickMetric(browser.page, 'demo.response_bytes')).toBeGreaterThan(0);
        await pickMetric(browser.page, 'demo.requests');
        const trace = await openFirstTrace(browser.page);
        expect(trace.spans).toBeGreaterThanOrEqual(2);
        await browser.page.screenshot({ path: join(ARTIFACTS, 'demo-page.png'), fullPage: true });
        // `DEMO_README_SCREENSHOT=1 npx vitest run test/e2e/demo.test.ts` refreshes the README's picture.
        if (readmeShot) {
          await new Promise((resolve) => setTimeout(resolve, 30_000));
          await openFirstTrace(browser.page);
          await browser.page.screenshot({ path: join(ARTIFACTS, 'demo-readme.png') });
          mkdirSync(join(repo, 'docs'), { recursive: true });
          copyFileSync(join(ARTIFACTS, 'demo-readme.png'), join(repo, 'docs/demo.png'));
        }
      } finally {
        await browser.close();
      }
    } finally {
      demo.kill('SIGTERM');
      await exited;
    }
  });

  it.each([
    ['gunicorn-app', /✓ demo\.gunicorn\.requests \(counter\) +sent +(\d+) +received +\1\b/],
    ['otel-app', /✓ demo\.otel\.requests \(OTLP counter\) +sent +(\d+) +received +\1\b/],
  ])('builds the %s example too: what it sends arrives whole across the restart', { timeout: 120_000 }, async (app, counter) => {
    const demo = spawn('bash', ['scripts/demo.sh', '--short', '--app', app, '--intake-port', '0'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    demo.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => demo.once('exit', resolve));
    expect(code, out).toBe(0);
    const summary = out.slice(out.indexOf('-----> Summary'));
    expect(summary).toContain('Nothing lost');
    expect(summary).toMatch(counter);
    expect(summary).not.toContain('✗');
  });
});
