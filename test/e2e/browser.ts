// Headless Debian chromium driven by playwright-core, with a throwaway profile and no network chatter.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');

export async function openBrowser(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      if (errors.length > 0) throw new Error(`errors in the page: ${errors.join('; ')}`);
    },
  };
}

/** Picks `metric` in the explorer and resolves with the number of points its chart draws. */
export async function pickMetric(page: Page, metric: string): Promise<number> {
  await page.click(`#metric-list li[data-metric="${metric}"]`);
  await page.waitForSelector(`#chart[data-metric="${metric}"] .uplot canvas`);
  return Number(await page.getAttribute('#chart', 'data-points'));
}

/** Opens the first trace of the list; resolves with the span rows of its waterfall. */
export async function openFirstTrace(page: Page): Promise<{ traceId: string; spans: number }> {
  const row = page.locator('#trace-table tbody tr').first();
  const traceId = (await row.getAttribute('data-trace'))!;
  await row.click();
  await page.waitForSelector(`#trace-table tbody tr.selected[data-trace="${traceId}"]`);
  await page.waitForSelector('#waterfall .span-row');
  return { traceId, spans: await page.locator('#waterfall .span-row').count() };
}
