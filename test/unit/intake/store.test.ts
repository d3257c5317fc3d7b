import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { querySeries } from '../../../src/intake/query/metrics.js';
import { Store } from '../../../src/intake/store.js';

describe('Store (append-only JSONL)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'intake-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one line per record and merges contexts regardless of tag order', () => {
    const store = new Store(dir);
    store.append('series', [
      { metric: 'm', type: 'gauge', host: 'h', tags: ['b:2', 'a:1'], interval: 0, points: [[10, 1]] },
      { metric: 'm', type: 'gauge', host: 'h', tags: ['a:1', 'b:2', 'a:1'], interval: 0, points: [[20, 2]] },
    ]);
    expect(readFileSync(join(dir, 'series.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(querySeries(store, 'm', [], { from: -Infinity, to: Infinity }).series).toEqual([{ host: 'h', tags: ['a:1', 'b:2'], type: 'gauge', interval: 0, points: [[10, 1], [20, 2]] }]);
  });

  it('reloads after a crash mid-write, skipping only the torn line', () => {
    const store = new Store(dir);
    store.append('checks', [{ check: 'c', host: 'h', timestamp: 1, status: 0, message: '', tags: [] }]);
    appendFileSync(join(dir, 'checks.jsonl'), '{"check":"torn","ho');
    const reloaded = new Store(dir);
    expect(reloaded.checks.map((c) => c.check)).toEqual(['c']);
    expect(reloaded.skippedLines).toBe(1);
  });

  it('reloads a file of many records (more than a spread could pass)', () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => JSON.stringify({ endpoint: '/api/v1/series', receivedAt: i, bytes: 1, items: 1 })).join('\n');
    appendFileSync(join(dir, 'payloads.jsonl'), `${lines}\n`);
    expect(new Store(dir).payloads).toHaveLength(200_000);
  });

  it('keeps everything in memory when no folder is given', () => {
    const store = new Store(undefined);
    store.append('events', [{ title: 't', text: '', timestamp: 1, priority: 'normal', host: '', tags: [], alertType: 'info', aggregationKey: '', sourceTypeName: '' }]);
    expect(store.events).toHaveLength(1);
  });
});
