import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { overBudget } from '../../../src/installer/budget.js';
import { stripAgent, type StripOptions } from '../../../src/installer/strip.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'strip-test-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function files(...paths: string[]): void {
  for (const path of paths) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), path);
  }
}

const has = (path: string) => existsSync(join(root, path));
const options = (overrides: Partial<StripOptions>): StripOptions => ({ version: '7.81.2-1', apmEnabled: true, processAgent: false, pythonVersion: undefined, ...overrides });

describe('strip', () => {
  it('keeps botocore s3 data only and reports bytes per label', () => {
    files('embedded/lib/python3.12/site-packages/botocore/data/s3/a.json', 'embedded/lib/python3.12/site-packages/botocore/data/ec2/a.json', 'embedded/lib/libz.a', 'embedded/lib/libz.so');
    const report = stripAgent(root, options({}));
    expect(has('embedded/lib/python3.12/site-packages/botocore/data/s3/a.json')).toBe(true);
    expect(has('embedded/lib/python3.12/site-packages/botocore/data/ec2')).toBe(false);
    expect(has('embedded/lib/libz.a')).toBe(false);
    expect(has('embedded/lib/libz.so')).toBe(true);
    expect(report.removed.map((r) => r.label)).toEqual(['static libraries', 'botocore data except s3']);
    expect(report.bytes).toBe('embedded/lib/libz.a'.length + 'embedded/lib/python3.12/site-packages/botocore/data/ec2/a.json'.length);
  });

  it('strips nothing from a tree that has nothing to strip', () => {
    files('bin/agent/agent');
    expect(stripAgent(root, options({})).removed).toEqual([]);
    expect(has('bin/agent/agent')).toBe(true);
  });

  it('agent 6 before 6.14 ships one Python: none is removed', () => {
    files('embedded/bin/python2.7', 'embedded/lib/python2.7/os.py');
    stripAgent(root, options({ version: '6.13.0-1' }));
    expect(has('embedded/bin/python2.7')).toBe(true);
  });

  it('agent 6 >= 6.14 keeps Python 2 by default, Python 3 with DD_PYTHON_VERSION=3', () => {
    const both = ['embedded/bin/python2.7', 'embedded/bin/pydoc', 'embedded/bin/pip2', 'embedded/lib/libpython2.7.so', 'embedded/bin/python3.8', 'embedded/bin/pydoc3', 'embedded/lib/python3.8/os.py'];
    files(...both);
    stripAgent(root, options({ version: '6.53.1-1' }));
    expect(both.filter(has)).toEqual(['embedded/bin/python2.7', 'embedded/bin/pydoc', 'embedded/bin/pip2', 'embedded/lib/libpython2.7.so']);
    rmSync(root, { recursive: true, force: true });
    files(...both);
    stripAgent(root, options({ version: '6.53.1-1', pythonVersion: '3' }));
    expect(both.filter(has)).toEqual(['embedded/bin/python3.8', 'embedded/bin/pydoc3', 'embedded/lib/python3.8/os.py']);
  });

  it('says DD_PYTHON_VERSION=2 is ignored for agent 7', () => {
    expect(stripAgent(root, options({ pythonVersion: '2' })).notes).toContain('DD_PYTHON_VERSION=2 ignored: agent 7 ships Python 3 only.');
  });

  it('7.52+ combined layout: the core-only binary replaces the combined one unless DD_PROCESS_AGENT', () => {
    files('bin/agent/agent', 'bin/agent/core-agent', 'embedded/bin/process-agent');
    stripAgent(root, options({ version: '7.60.0-1' }));
    expect(readFileSync(join(root, 'bin/agent/agent'), 'utf8')).toBe('bin/agent/core-agent');
    expect(has('embedded/bin/process-agent')).toBe(false);
  });

  it('7.68+: nothing stripped for the process agent even without DD_PROCESS_AGENT', () => {
    files('bin/agent/agent', 'embedded/bin/process-agent');
    const report = stripAgent(root, options({ version: '7.70.0-1' }));
    expect(has('embedded/bin/process-agent')).toBe(true);
    expect(report.notes[0]).toMatch(/7\.68/);
  });

  it('never follows a symlink out of the tree while stripping', () => {
    const outside = mkdtempSync(join(tmpdir(), 'strip-outside-'));
    try {
      writeFileSync(join(outside, 'precious'), 'keep');
      mkdirSync(join(root, 'embedded/share'), { recursive: true });
      // embedded/share/doc is on the strip list: it must go as a link, not as what it points to.
      symlinkSync(outside, join(root, 'embedded/share/doc'));
      stripAgent(root, options({}));
      expect(has('embedded/share/doc')).toBe(false);
      expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('keep');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('size budget', () => {
  it('names each folder over its budget, and nothing when within', () => {
    files('bin/agent/agent', 'embedded/lib/libx.so');
    writeFileSync(join(root, 'embedded/lib/libx.so'), Buffer.alloc(2 * 1024 * 1024));
    expect(overBudget(root, { bin: 1, 'embedded/lib': 1 })).toEqual([
      'opt/datadog-agent/embedded/lib is 2.0 MiB, over its 1 MiB budget: the slug may near Heroku\'s 500 MB limit.',
    ]);
    expect(overBudget(root)).toEqual([]);
  });
});
