import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from '../errors.js';

function tool(name: string, args: string[], input?: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const result = spawnSync(name, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new BuildError('TOOL_MISSING', `${name} is not installed on this build machine.`, `Install ${name === 'gpgv' ? 'gpgv' : 'gnupg'} (every Heroku stack has it) or build with DD_AGENT_FLAVOR=builtin.`);
  }
  return { status: result.status, stdout: result.stdout ?? Buffer.alloc(0), stderr: result.stderr?.toString() ?? '' };
}

/** A binary keyring in `dir` made of the given (armored or binary) OpenPGP public keys. */
export function buildKeyring(keys: ReadonlyMap<string, Buffer>, dir: string): string {
  const parts: Buffer[] = [];
  for (const [name, key] of keys) {
    const armored = key.subarray(0, 64).toString('latin1').includes('-----BEGIN PGP');
    if (!armored) {
      parts.push(key);
      continue;
    }
    const result = tool('gpg', ['--batch', '--no-options', '--homedir', dir, '--dearmor'], key);
    if (result.status !== 0 || result.stdout.length === 0) {
      throw new BuildError('APT_KEY_INVALID', `The signing key ${name} is not a valid OpenPGP public key.`, 'Check that DD_APT_KEYS_URL serves the DATADOG_APT_KEY_*.public files, then rebuild.');
    }
    parts.push(result.stdout);
  }
  const keyring = join(dir, 'datadog-archive-keyring.gpg');
  writeFileSync(keyring, Buffer.concat(parts));
  return keyring;
}

function gpgv(keyring: string, dir: string, args: string[]): { ok: boolean; stdout: Buffer; reason: string } {
  const result = tool('gpgv', ['--homedir', dir, '--keyring', keyring, '--status-fd', '2', ...args]);
  const good = /^\[GNUPG:\] VALIDSIG /m.test(result.stderr);
  // gpgv reports ERRSIG alongside the more telling NO_PUBKEY: take the most specific status.
  const reason = ['NO_PUBKEY', 'BADSIG', 'EXPKEYSIG', 'REVKEYSIG', 'NODATA', 'ERRSIG'].find((s) => new RegExp(`^\\[GNUPG:\\] ${s}\\b`, 'm').test(result.stderr)) ?? `gpgv exit ${result.status}`;
  return { ok: result.status === 0 && good, stdout: result.stdout, reason };
}

const SIGNATURE_FIX = 'Check DD_APT_REPO_URL and DD_APT_KEYS_URL: the repository must be signed by one of the Datadog apt keys.';

function describe(reason: string): string {
  switch (reason) {
    case 'NO_PUBKEY': return 'signed by a key that is not a Datadog apt key';
    case 'BADSIG': return 'its signature does not match its content';
    case 'NODATA': return 'it carries no signature';
    case 'EXPKEYSIG': return 'signed by an expired key';
    case 'REVKEYSIG': return 'signed by a revoked key';
    default: return `signature check failed (${reason})`;
  }
}

/** The signed content of an InRelease file, only when its signature verifies. */
export function verifyInline(inRelease: Buffer, keyring: string, dir: string): string {
  const file = join(dir, 'InRelease');
  writeFileSync(file, inRelease);
  // --output -: only the signed text, never what an attacker may add around the signature.
  const result = gpgv(keyring, dir, ['--output', '-', file]);
  if (!result.ok) throw new BuildError('APT_SIGNATURE_INVALID', `The repository's InRelease is not trusted: ${describe(result.reason)}.`, SIGNATURE_FIX);
  return result.stdout.toString('utf8');
}

/** Checks a Release file against its detached Release.gpg signature. */
export function verifyDetached(release: Buffer, signature: Buffer, keyring: string, dir: string): string {
  const releaseFile = join(dir, 'Release');
  const signatureFile = join(dir, 'Release.gpg');
  writeFileSync(releaseFile, release);
  writeFileSync(signatureFile, signature);
  const result = gpgv(keyring, dir, [signatureFile, releaseFile]);
  if (!result.ok) throw new BuildError('APT_SIGNATURE_INVALID', `The repository's Release is not trusted: ${describe(result.reason)}.`, SIGNATURE_FIX);
  return release.toString('utf8');
}
