import { describe, expect, it } from 'vitest';
import { unsafeReason } from '../../../src/installer/deb.js';

const none = new Set<string>();

describe('archive entry safety', () => {
  it('accepts ordinary package entries', () => {
    expect(unsafeReason('./opt/datadog-agent/bin/agent/agent', 'File', undefined, none)).toBeUndefined();
    expect(unsafeReason('./', 'Directory', undefined, none)).toBeUndefined();
    expect(unsafeReason('./opt/datadog-agent/embedded/bin/python', 'SymbolicLink', 'python3.12', none)).toBeUndefined();
    expect(unsafeReason('./opt/a/b/link', 'SymbolicLink', '../../x', none)).toBeUndefined();
  });

  it('refuses absolute paths and ".." anywhere', () => {
    expect(unsafeReason('/etc/passwd', 'File', undefined, none)).toBe('absolute path');
    expect(unsafeReason('./opt/../../evil', 'File', undefined, none)).toBe('path with ".."');
    expect(unsafeReason('opt/a/../b', 'File', undefined, none)).toBe('path with ".."');
  });

  it('refuses links pointing out of the package, and writes through earlier links', () => {
    expect(unsafeReason('./opt/out', 'SymbolicLink', '../../..', none)).toMatch(/outside the package/);
    expect(unsafeReason('./opt/hard', 'Link', '../etc/passwd', none)).toMatch(/outside the package/);
    expect(unsafeReason('./opt/out/file', 'File', undefined, new Set(['opt/out']))).toBe('path through a symbolic link');
  });

  it('leaves absolute symlink targets to be re-rooted, and refuses device files', () => {
    expect(unsafeReason('./opt/ssl/cert.pem', 'SymbolicLink', '/opt/datadog-agent/ssl/cacert.pem', none)).toBeUndefined();
    expect(unsafeReason('./dev/sda', 'BlockDevice', undefined, none)).toMatch(/unsupported/);
  });
});
