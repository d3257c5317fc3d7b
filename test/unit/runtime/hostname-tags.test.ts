import { describe, expect, it } from 'vitest';
import { deriveHostname, sanitizeAppName, sanitizeDynoName, toRfc1123 } from '../../../src/runtime/hostname.js';
import { dynoTags, dynoType, mergeTags, tagsForAgent, tagsForEnv } from '../../../src/runtime/tags.js';
import { tagList } from '../../../src/config/parsers.js';

const base = { ddHostname: undefined, dynoHost: false, appName: 'my-app', dyno: 'web.1', machine: '1f2e3d4c-aaaa-bbbb' };

describe('hostname derivation', () => {
  it.each([
    ['DD_HOSTNAME set is kept as is', { ddHostname: 'custom.host' }, 'custom.host'],
    ['DD_HOSTNAME wins over DD_DYNO_HOST', { ddHostname: 'h1', dynoHost: true }, 'h1'],
    ['blank DD_HOSTNAME is ignored', { ddHostname: '  ' }, '1f2e3d4c-aaaa-bbbb'],
    ['DD_DYNO_HOST=true gives app.dyno', { dynoHost: true }, 'my-app.web.1'],
    ['one-off dyno', { dynoHost: true, dyno: 'run.1234' }, 'my-app.run.1234'],
    ['odd app characters become -', { dynoHost: true, appName: 'my_app!x' }, 'my-app-x.web.1'],
    ['leading - of the app dropped', { dynoHost: true, appName: '_app' }, 'app.web.1'],
    ['dots in the app name become -', { dynoHost: true, appName: 'a.b' }, 'a-b.web.1'],
    ['empty app name: dyno alone', { dynoHost: true, appName: '' }, 'web.1'],
    ['no app, no dyno: machine name', { dynoHost: true, appName: undefined, dyno: undefined }, '1f2e3d4c-aaaa-bbbb'],
    ['machine name sanitised', { machine: '-Weird_host name' }, 'Weird-host-name'],
    ['machine name dots become - (official)', { machine: 'ip-10-0-0-1.ec2.internal' }, 'ip-10-0-0-1-ec2-internal'],
    ['dyno odd characters', { dynoHost: true, dyno: 'worker_x.1' }, 'my-app.worker-x.1'],
  ])('%s', (_title, input, expected) => {
    expect(deriveHostname({ ...base, ...input }).hostname).toBe(expected);
  });

  it('warns when DD_DYNO_HOST has no app name', () => {
    expect(deriveHostname({ ...base, dynoHost: true, appName: '' }).warnings[0]).toMatch(/HEROKU_APP_NAME/);
    expect(deriveHostname({ ...base, dynoHost: true }).warnings).toEqual([]);
  });

  it('keeps names RFC 1123: labels <= 63, name <= 255, no empty labels or hyphen ends', () => {
    const long = deriveHostname({ ...base, dynoHost: true, appName: 'a'.repeat(80) }).hostname;
    expect(long).toBe(`${'a'.repeat(63)}.web.1`);
    expect(toRfc1123(`${'b'.repeat(60)}.`.repeat(6)).length).toBeLessThanOrEqual(255);
    expect(toRfc1123('a..b.-c-.')).toBe('a.b.c');
    expect(sanitizeAppName('--x')).toBe('x');
    expect(sanitizeDynoName('web.1')).toBe('web.1');
  });
});

describe('tags', () => {
  it('dyno tags first, appname when known, dynotype from the dyno name', () => {
    expect(dynoType('run.1234')).toBe('run');
    expect(dynoType(undefined)).toBe('');
    expect(dynoTags({ dyno: 'web.1', appName: 'app', buildpackVersion: '1.2.3' })).toEqual([
      'dyno:web.1', 'dynotype:web', 'buildpackversion:1.2.3', 'appname:app',
    ]);
    expect(dynoTags({ dyno: undefined, appName: '', buildpackVersion: '1' })).toEqual(['buildpackversion:1']);
  });

  it.each([
    ['commas', 'a:1,b:2', ['a:1', 'b:2']],
    ['comma and space (the official example)', 'simple-tag-0, tag-key-1:tag-value-1', ['simple-tag-0', 'tag-key-1:tag-value-1']],
    ['spaces', 'a  b\tc', ['a', 'b', 'c']],
    ['empty pieces', ',,a,, ,b,', ['a', 'b']],
    ['duplicates, also of dyno tags', 'dyno:web.1,x,x', ['x']],
    ['nothing', '', []],
  ])('merges DD_TAGS with %s', (_t, raw, user) => {
    const dyno = ['dyno:web.1', 'dynotype:web'];
    expect(mergeTags(dyno, tagList(raw, 'DD_TAGS'))).toEqual([...new Set([...dyno, ...user])]);
  });

  it('exports commas for tracers and spaces for the official agent; merging again changes nothing', () => {
    const tags = mergeTags(['dyno:web.1'], tagList('a, b c', 'DD_TAGS'));
    const env = tagsForEnv(tags);
    expect(env).toBe('dyno:web.1,a,b,c');
    expect(tagsForAgent(env)).toBe('dyno:web.1 a b c');
    expect(tagsForEnv(mergeTags(['dyno:web.1'], tagList(env, 'DD_TAGS')))).toBe(env);
  });
});
