import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SLUG } from '../constants.js';
import type { Config } from '../config/variables.js';
import { loadRepositoryIndex } from './apt/repository.js';
import { availableVersions, requestedVersion, resolvePackage, type AgentPackageName, type PackageEntry } from './apt/versions.js';
import type { BuildContext } from './build-context.js';
import type { CachedPackage, PackageCache } from './cache.js';
import { extractDeb, mergeTree } from './deb.js';
import { BuildError } from './errors.js';
import { downloadFile, printable } from './http.js';
import { formatBytes, type BuildOutput } from './output.js';
import { stripAgent } from './strip.js';
import { overBudget } from './budget.js';

export interface InstalledAgent {
  readonly packageName: AgentPackageName;
  readonly version: string;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function notFound(version: string, source: string, entries: readonly PackageEntry[]): BuildError {
  const list = (name: AgentPackageName) => {
    const versions = availableVersions(entries, name);
    return versions.length > 0 ? versions.map((v) => `  ${v}`) : ['  (none)'];
  };
  return new BuildError(
    'AGENT_VERSION_NOT_FOUND',
    `Version "${version}" was not found.`,
    source === 'DD_AGENT_VERSION'
      ? 'Set DD_AGENT_VERSION to one of the versions above (heroku config:set DD_AGENT_VERSION=<version>), or unset it to get the pinned version.'
      : 'Set DD_AGENT_VERSION to one of the versions above, or DD_APT_REPO_URL to a repository that has the pinned version.',
    ['Available Heroku versions (datadog-heroku-agent):', ...list('datadog-heroku-agent'), 'Available regular Agent versions (datadog-agent):', ...list('datadog-agent')],
  );
}

/** Resolves, downloads and verifies the package; the verified .deb ends up in the cache. */
async function fetchPackage(config: Config, cache: PackageCache, version: string, major: string, source: string, out: BuildOutput): Promise<CachedPackage> {
  const work = mkdtempSync(join(tmpdir(), 'dd-buildpack-'));
  try {
    out.step(`Reading the Datadog apt repository (${printable(config.DD_APT_REPO_URL)}, stable ${major})`);
    const index = await loadRepositoryIndex(config.DD_APT_REPO_URL, config.DD_APT_KEYS_URL, major, work);
    out.detail(`${index.signedBy === 'InRelease' ? 'InRelease' : 'Release'} signature verified (${index.keys.length} key${index.keys.length === 1 ? '' : 's'}); Packages checked against its SHA256`);
    const entry = resolvePackage(index.packages, version);
    if (entry === undefined) throw notFound(version, source, index.packages);

    out.step(`Downloading ${entry.name} ${entry.version}`);
    const partial = join(cache.dir, 'debs', `.partial-${process.pid}`);
    mkdirSync(join(cache.dir, 'debs'), { recursive: true });
    out.partial(`       ${formatBytes(entry.size)} `);
    let download;
    try {
      download = await downloadFile(`${config.DD_APT_REPO_URL}/${entry.filename}`, partial, 'DD_APT_REPO_URL', (f) => out.partial(` ${Math.round(f * 100)}%`));
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    } finally {
      out.partial('\n');
    }
    if (download.size !== entry.size || download.sha256 !== entry.sha256) {
      rmSync(partial, { force: true });
      throw new BuildError(
        'CHECKSUM_MISMATCH',
        `${entry.name} ${entry.version} does not match the signed index (expected ${entry.size} bytes, sha256 ${entry.sha256}; got ${download.size} bytes, sha256 ${download.sha256}).`,
        'Rebuild; if it fails again, set DD_APT_REPO_URL to the official repository or an intact mirror.',
      );
    }
    out.detail(`sha256 ${download.sha256} verified`);
    const pkg = { name: entry.name, version: entry.version, sha256: entry.sha256, size: entry.size };
    cache.store(partial, pkg);
    return pkg;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The official flavour: a verified, pinned, stripped Datadog Agent under BUILD_DIR/.apt. */
export async function installOfficialAgent(ctx: BuildContext, config: Config, cache: PackageCache, out: BuildOutput): Promise<InstalledAgent> {
  const requested = requestedVersion(config.DD_AGENT_VERSION, config.DD_AGENT_MAJOR_VERSION);
  if (requested.strippedArch) {
    out.warn(`Version pinning has been updated. Please update your pinned version to ${requested.version}`);
    out.detail(`To update, run: heroku config:set DD_AGENT_VERSION=${requested.version}`);
  }
  if (requested.major !== '6' && requested.major !== '7') {
    throw new BuildError('AGENT_VERSION_NOT_FOUND', `Version "${requested.version}" is not a 6.x or 7.x agent version.`, 'Set DD_AGENT_VERSION to a 7.x (or 6.x) version such as 7.81.2-1, or unset it to get the pinned version.');
  }

  const state = cache.reconcile({ stack: ctx.stack, flavor: 'official', version: requested.version, repo: config.DD_APT_REPO_URL });
  if (state === 'changed') out.step('Detected stack, flavour, agent version or repository change: flushing the cached agent package');

  let pkg = state === 'same' ? cache.reusable() : undefined;
  if (pkg !== undefined) {
    if ((await sha256File(cache.debPath(pkg.sha256))) === pkg.sha256) {
      out.step(`Stack and agent version unchanged: reusing the cached ${pkg.name} ${pkg.version} (nothing downloaded)`);
    } else {
      out.warn('The cached agent package no longer matches its checksum: downloading it again.');
      cache.forget(pkg);
      pkg = undefined;
    }
  }
  pkg ??= await fetchPackage(config, cache, requested.version, requested.major, requested.source, out);

  out.step(`Installing ${pkg.name} ${pkg.version}`);
  const aptRoot = join(ctx.buildDir, SLUG.aptRoot);
  rmSync(join(ctx.buildDir, SLUG.agentRoot), { recursive: true, force: true });
  rmSync(join(ctx.buildDir, SLUG.confDir), { recursive: true, force: true });
  const staging = join(ctx.buildDir, `.datadog-staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    await extractDeb(cache.debPath(pkg.sha256), staging);
    mergeTree(staging, aptRoot);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }

  const report = stripAgent(join(ctx.buildDir, SLUG.agentRoot), {
    version: pkg.version,
    apmEnabled: config.DD_APM_ENABLED,
    processAgent: config.DD_PROCESS_AGENT,
    pythonVersion: config.DD_PYTHON_VERSION,
  });
  for (const note of report.notes) out.detail(note);
  if (report.removed.length > 0) {
    out.detail(`Stripped ${formatBytes(report.bytes)}: ${report.removed.map((r) => `${r.label} ${formatBytes(r.bytes)}`).join(', ')}`);
  }
  for (const line of overBudget(join(ctx.buildDir, SLUG.agentRoot))) out.warn(line);
  return { packageName: pkg.name as AgentPackageName, version: pkg.version };
}
