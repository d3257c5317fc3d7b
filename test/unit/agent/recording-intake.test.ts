import { gzipSync, deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../../helpers/recording-intake.js';

describe('recording intake (test helper)', () => {
  let intake: RecordingIntake;
  beforeEach(async () => {
    intake = await startRecordingIntake();
  });
  afterEach(async () => {
    await intake.close();
  });

  it('records decompressed bodies and answers queued faults in order, then 202', async () => {
    intake.fail('/api/v1/series', 500, 403);
    const post = (body: Buffer, encoding: string) =>
      fetch(`${intake.url}/api/v1/series?x=1`, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Encoding': encoding } }).then((r) => r.status);
    expect(await post(gzipSync('{"a":1}'), 'gzip')).toBe(500);
    expect(await post(deflateSync('{"a":2}'), 'deflate')).toBe(403);
    expect(await post(Buffer.from('{"a":3}'), 'identity')).toBe(202);
    expect(intake.requests.map((r) => r.json<{ a: number }>().a)).toEqual([1, 2, 3]);
    expect(intake.accepted('/api/v1/series')).toHaveLength(1);
    expect(intake.requests[0]!.query.get('x')).toBe('1');
  });

  it('closes connections, delays, and times out waitFor with what it saw', async () => {
    intake.fail('*', 'close', { delayMs: 50, status: 413 });
    await expect(fetch(`${intake.url}/a`, { method: 'POST', body: 'x' })).rejects.toThrow();
    expect((await fetch(`${intake.url}/b`, { method: 'POST', body: 'y' })).status).toBe(413);
    const found = await intake.waitFor((reqs) => reqs.find((r) => r.path === '/b'));
    expect(found.body.toString()).toBe('y');
    await expect(intake.waitFor((reqs) => reqs.length > 5, 100)).rejects.toThrow(/\/a → closed/);
  });
});
