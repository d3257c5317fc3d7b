// The generic OpenMetrics check in its v2 form (`openmetrics_endpoint`): scrapes one Prometheus or
// OpenMetrics text endpoint and submits the configured metrics under `<namespace>.`.
import type { CheckDefinition } from '../check.js';
import { readSettings } from './config.js';
import { CHECK_NAME, OpenMetricsScraper } from './scraper.js';

export const definition: CheckDefinition = {
  name: CHECK_NAME,
  // Counters, histogram and summary sums and counts are monotonic counts: the second run has them.
  needsTwoRuns: true,
  create({ instance, logger }) {
    const scraper = new OpenMetricsScraper(readSettings(instance, logger), logger);
    return { run: (sender, signal) => scraper.scrape(sender, signal) };
  },
};
