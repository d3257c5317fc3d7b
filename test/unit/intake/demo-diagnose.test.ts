import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../scripts/demo/diagnose.js';

describe('demo: why something was lost, from the dyno log', () => {
  it('says nothing of a clean boot and restart', () => {
    const log = ['[agent] … | CORE | INFO | dogstatsd: listening on UDP 127.0.0.1:8125', 'demo-app listening on 5000', '[agent] … stopped: 9 payloads delivered, 0 not delivered before the deadline'].join('\n');
    expect(diagnose(log)).toEqual([]);
  });

  it('names the boot race, a killed agent and undelivered payloads', () => {
    const log = ['demo-app listening on 5000', '[agent] … | CORE | INFO | dogstatsd: listening on UDP 127.0.0.1:8125', '… | INFO | agent was killed by SIGTERM', '[agent] … stopped: 3 payloads delivered, 2 not delivered before the deadline'].join('\n');
    const hints = diagnose(log);
    expect(hints).toHaveLength(3);
    expect(hints[0]).toMatch(/before DogStatsD listened/);
    expect(hints[1]).toMatch(/killed by a signal/);
    expect(hints[2]).toMatch(/could not deliver/);
  });

  it('quotes the errors of the buildpack and the agent first', () => {
    const log = ['2026-11-23 12:12:47 UTC | DATADOG-BUILDPACK | ERROR | the agent is missing from this slug (x): rebuild the app.', 'demo-app listening on 5000'].join('\n');
    expect(diagnose(log)[0]).toBe('The dyno log has an error: the agent is missing from this slug (x): rebuild the app.');
  });
});
