import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exists } from './deb.js';
import { diskUsage } from './size.js';
import { compareVersions } from './apt/versions.js';

/** Python packages no Heroku check uses, removed like the official buildpack does. */
const UNUSED_PYTHON_PACKAGES = ['kubernetes', 'lxml', 'openstack', 'pysnmp_mibs', 'pyVim', 'pyVmomi', 'cm_client'];

/** Always removed: `*` matches within one path segment, relative to opt/datadog-agent. */
const ALWAYS: readonly { label: string; patterns: readonly string[] }[] = [
  { label: 'sources, docs and man pages', patterns: ['sources', 'embedded/share/doc', 'embedded/share/man', 'embedded/.installed_by_pkg.txt'] },
  { label: 'gstatus', patterns: ['embedded/sbin/gstatus'] },
  { label: 'Python test suites and unused packages', patterns: ['embedded/lib/python*/site-packages/Cryptodome/SelfTest', ...UNUSED_PYTHON_PACKAGES.map((p) => `embedded/lib/python*/site-packages/${p}`)] },
  { label: 'system-probe and eBPF tooling', patterns: ['embedded/bin/system-probe', 'embedded/share/system-probe', 'embedded/bin/clang-bpf', 'embedded/bin/llc-bpf', 'embedded/lib/libbcc*', 'embedded/nikos'] },
  { label: 'secret-generic-connector', patterns: ['embedded/bin/secret-generic-connector'] },
  { label: 'static libraries', patterns: ['embedded/lib/*.a', 'embedded/lib/python*/config*/*.a'] },
  { label: 'security-agent', patterns: ['embedded/bin/security-agent'] },
];

export interface StripOptions {
  /** Installed version without epoch, e.g. `7.81.2-1`. */
  readonly version: string;
  readonly apmEnabled: boolean;
  readonly processAgent: boolean;
  readonly pythonVersion: '2' | '3' | undefined;
}

export interface StripReport {
  /** Bytes removed per label, in order. */
  readonly removed: readonly { label: string; bytes: number }[];
  /** One line per decision a user may want to know about (trace-agent, process-agent, Python). */
  readonly notes: readonly string[];
  readonly bytes: number;
}

function matches(root: string, pattern: string): string[] {
  let current = [root];
  for (const segment of pattern.split('/')) {
    if (!segment.includes('*')) {
      current = current.map((dir) => join(dir, segment)).filter(exists);
      continue;
    }
    const regex = new RegExp(`^${segment.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    current = current.flatMap((dir) => {
      try {
        return readdirSync(dir).filter((name) => regex.test(name)).map((name) => join(dir, name));
      } catch {
        return [];
      }
    });
  }
  return current;
}

function removeAll(paths: readonly string[]): number {
  let bytes = 0;
  for (const path of paths) {
    bytes += diskUsage(path);
    rmSync(path, { recursive: true, force: true });
  }
  return bytes;
}

/** Python kept in the slug: agent 7 and 6 < 6.14 ship one; 6 >= 6.14 ships both, DD_PYTHON_VERSION picks (default 2). */
function droppedPython(options: StripOptions): '2' | '3' | undefined {
  if (compareVersions(options.version, '7.0.0') >= 0) return '2';
  if (compareVersions(options.version, '6.14.0') < 0) return undefined;
  return (options.pythonVersion ?? '2') === '2' ? '3' : '2';
}

function pythonPatterns(python: '2' | '3'): string[] {
  const patterns = [`embedded/lib/python${python}.*`, `embedded/lib/libpython${python}*`, `embedded/bin/pip${python}*`, `embedded/bin/python${python}*`, `embedded/bin/pydoc${python}*`];
  return python === '2' ? [...patterns, 'embedded/bin/pydoc'] : patterns;
}

/**
 * Process agent, by layout: before 7.52 a standalone embedded/bin/process-agent; from 7.52 the
 * `agent` binary also runs the process checks and `core-agent` is the core alone; from 7.68 the
 * process checks live in the core agent and there is nothing to strip.
 */
function stripProcessAgent(root: string, options: StripOptions, notes: string[]): number {
  const processAgent = join(root, 'embedded/bin/process-agent');
  const coreAgent = join(root, 'bin/agent/core-agent');
  if (options.version.startsWith('7.') && compareVersions(options.version, '7.68.0') >= 0) {
    notes.push('Agent >= 7.68 runs the process checks in the core agent: nothing to strip for DD_PROCESS_AGENT.');
    return 0;
  }
  if (exists(coreAgent)) {
    if (options.processAgent) {
      notes.push('DD_PROCESS_AGENT=true: keeping the combined agent binary; core-agent removed.');
      return removeAll([coreAgent]);
    }
    const bytes = diskUsage(join(root, 'bin/agent/agent')) + diskUsage(processAgent);
    rmSync(processAgent, { force: true });
    renameSync(coreAgent, join(root, 'bin/agent/agent'));
    notes.push('DD_PROCESS_AGENT not true: process-agent removed, the core-only agent binary installed.');
    return bytes;
  }
  if (options.processAgent) return 0;
  if (!exists(processAgent)) return 0;
  notes.push('DD_PROCESS_AGENT not true: process-agent removed.');
  return removeAll([processAgent]);
}

/** Removes from the extracted agent at `root` (opt/datadog-agent) what a dyno never uses. */
export function stripAgent(root: string, options: StripOptions): StripReport {
  const removed: { label: string; bytes: number }[] = [];
  const notes: string[] = [];
  const record = (label: string, bytes: number) => {
    if (bytes > 0) removed.push({ label, bytes });
  };
  for (const rule of ALWAYS) record(rule.label, removeAll(rule.patterns.flatMap((p) => matches(root, p))));

  const botocore = matches(root, 'embedded/lib/python*/site-packages/botocore/data/*').filter((path) => !path.endsWith('/s3'));
  record('botocore data except s3', removeAll(botocore));

  if (!options.apmEnabled) {
    const bytes = removeAll(matches(root, 'embedded/bin/trace-agent'));
    if (bytes > 0) notes.push('DD_APM_ENABLED=false: trace-agent removed.');
    record('trace-agent', bytes);
  }
  record('process-agent', stripProcessAgent(root, options, notes));

  const python = droppedPython(options);
  if (python !== undefined) {
    const bytes = removeAll(pythonPatterns(python).flatMap((p) => matches(root, p)));
    if (bytes > 0) notes.push(`Python ${python} removed (Python ${python === '2' ? '3' : '2'} kept).`);
    if (python === '3') notes.push('Python 2 is deprecated: set DD_PYTHON_VERSION=3 once your custom checks run on Python 3.');
    record(`Python ${python}`, bytes);
  }
  if (compareVersions(options.version, '7.0.0') >= 0 && options.pythonVersion === '2') {
    notes.push('DD_PYTHON_VERSION=2 ignored: agent 7 ships Python 3 only.');
  }
  return { removed, notes, bytes: removed.reduce((sum, r) => sum + r.bytes, 0) };
}
