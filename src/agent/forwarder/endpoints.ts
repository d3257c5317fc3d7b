// Where the agent posts: DD_DD_URL, else the versioned host the official agent uses for DD_SITE.
import { BUILDPACK_VERSION } from '../../constants.js';

export const ENDPOINTS = {
  series: '/api/v1/series',
  sketches: '/api/beta/sketches',
  checkRuns: '/api/v1/check_run',
  events: '/intake/',
} as const;

/** `https://<maj>-<min>-<patch>-app.agent.<site>` unless `ddUrl` is set. */
export function metricsBaseUrl(site: string, ddUrl: string | undefined, version: string = BUILDPACK_VERSION): string {
  if (ddUrl !== undefined && ddUrl !== '') return ddUrl.replace(/\/+$/, '');
  const [major = '0', minor = '0', patch = '0'] = version.split(/[.+-]/);
  return `https://${major}-${minor}-${patch}-app.agent.${site}`;
}

/** Intake size limits of a v1 series or sketch payload. */
export const PAYLOAD_LIMITS = { maxCompressedBytes: 2_500_000, maxRawBytes: 4_000_000 } as const;

/** A URL fit for status and logs: any `user:password@` part removed. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
