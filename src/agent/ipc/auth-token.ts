// The IPC bearer token, in `auth_token` beside datadog.yaml (0600), as the official agent keeps it.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Reuses a token file that holds one (so clients started earlier keep working), else writes a new one. */
export function ensureAuthToken(path: string): string {
  const existing = readAuthToken(path);
  if (existing !== undefined) {
    chmodSync(path, 0o600);
    return existing;
  }
  mkdirSync(dirname(path), { recursive: true });
  const token = randomBytes(32).toString('hex');
  writeFileSync(path, token, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}

export function readAuthToken(path: string): string | undefined {
  try {
    const token = readFileSync(path, 'utf8').trim();
    return token.length >= 32 ? token : undefined;
  } catch {
    return undefined;
  }
}
