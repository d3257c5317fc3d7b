import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntake, type Intake } from '../../src/intake/server.js';
import { Store } from '../../src/intake/store.js';
import { ARTIFACTS, openBrowser, openFirstTrace, pickMetric } from './browser.js';
import { feedSynthetic } from './synthetic-feed.js';

describe('intake page in headless chromium (hand-made payloads)', () => {
  let intake: Intake;
  beforeAll(async () => {
    intake = await startIntake({ store: new Store(undefined), port: 0, uiDir: join(import.meta.dirname, '../../lib/intake-ui') });
  });
  afterAll(async () => {
    await intake.close();
  });

  it('charts a series and a distribution, opens a trace, lists checks and events, and updates live', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(`${intake.url}/`);
      await page.waitForSelector('#live.on');
      expect(await page.locator('#metric-list li').count()).toBe(0);

      // Live: data posted after the page loaded shows up without a reload.
      await feedSynthetic(intake.url);
      await page.waitForSelector('#metric-list li[data-metric="demo.requests"]');
      expect(await pickMetric(page, 'demo.requests')).toBeGreaterThan(30);
      expect(await page.locator('.u-legend .u-series').count()).toBe(3); // time + web.1 + web.2
      await page.click('#tag-filter button[data-tag="dyno:web.2"]');
      await page.waitForFunction(() => document.querySelectorAll('.u-legend .u-series').length === 2);
      expect(await page.textContent('.u-legend')).toContain('web.2');

      expect(await pickMetric(page, 'demo.response_ms')).toBeGreaterThan(30);
      expect(await page.textContent('.u-legend')).toContain('p95');

      const trace = await openFirstTrace(page);
      expect(trace.spans).toBe(4);
      expect(await page.textContent('#waterfall')).toContain('pg.query');
      await page.click('#waterfall .span-row:nth-child(3)');
      expect(await page.textContent('#span-detail')).toContain('SELECT * FROM users');

      expect(await page.locator('#check-table tbody tr').count()).toBe(2);
      expect(await page.textContent('#check-table')).toContain('WARNING');
      expect(await page.textContent('#event-table')).toContain('demo-app started');
      expect(await page.textContent('#summary li[data-count="traces"]')).toContain('20');
      await page.screenshot({ path: join(ARTIFACTS, 'intake-page.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
