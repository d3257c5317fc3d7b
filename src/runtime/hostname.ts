// Host name rules of the official buildpack, made RFC 1123-safe (labels of 1-63 characters, 255 in all).

const MAX_LABEL = 63;
const MAX_NAME = 255;

/** App name as the official buildpack cleans it: `[^a-zA-Z0-9-]` → `-`, a leading `-` dropped. */
export function sanitizeAppName(name: string): string {
  return name.replace(/[^a-zA-Z0-9-]/g, '-').replace(/^-+/, '');
}

/** Dyno name (`web.1`, `run.1234`): `[^a-zA-Z0-9.-]` → `-`. */
export function sanitizeDynoName(dyno: string): string {
  return dyno.replace(/[^a-zA-Z0-9.-]/g, '-').replace(/^-+/, '');
}

/** Machine host name as the official buildpack cleans it: `[^a-zA-Z0-9-]` → `-` (dots too), leading `-` dropped. */
export function sanitizeHostname(hostname: string): string {
  return hostname.replace(/[^a-zA-Z0-9-]/g, '-').replace(/^-+/, '');
}

/** Drops empty labels and hyphens at label ends, cuts labels at 63 and the name at 255 characters. */
export function toRfc1123(name: string): string {
  const labels = name
    .split('.')
    .map((label) => label.slice(0, MAX_LABEL).replace(/^-+|-+$/g, ''))
    .filter((label) => label !== '');
  let result = labels.join('.');
  if (result.length > MAX_NAME) result = result.slice(0, MAX_NAME).replace(/[.-]+$/, '');
  return result;
}

export interface HostnameInput {
  readonly ddHostname: string | undefined;
  readonly dynoHost: boolean;
  readonly appName: string | undefined;
  readonly dyno: string | undefined;
  /** The machine's host name (`os.hostname()` in a dyno). */
  readonly machine: string;
}

export interface HostnameResult {
  readonly hostname: string;
  /** Why the result differs from what the user asked for, for a warning line. */
  readonly warnings: string[];
}

/** `DD_HOSTNAME` kept when set; else `<app>.<dyno>` with `DD_DYNO_HOST=true`; else the machine name. */
export function deriveHostname(input: HostnameInput): HostnameResult {
  const warnings: string[] = [];
  if (input.ddHostname !== undefined && input.ddHostname.trim() !== '') {
    return { hostname: input.ddHostname, warnings };
  }
  if (input.dynoHost) {
    const app = toRfc1123(sanitizeAppName(input.appName ?? ''));
    const dyno = toRfc1123(sanitizeDynoName(input.dyno ?? ''));
    if (app === '') {
      warnings.push(
        'DD_DYNO_HOST=true but HEROKU_APP_NAME is empty: run `heroku labs:enable runtime-dyno-metadata` (or set HEROKU_APP_NAME); using the dyno name alone.',
      );
    }
    const name = toRfc1123([app, dyno].filter((part) => part !== '').join('.'));
    if (name !== '') return { hostname: name, warnings };
    warnings.push('DD_DYNO_HOST=true but neither HEROKU_APP_NAME nor DYNO is set; using the machine host name.');
  }
  return { hostname: toRfc1123(sanitizeHostname(input.machine)), warnings };
}
