// The settings of one http_check instance, read as integrations-core's http_check reads them
// (config.py, the HTTP and TLS templates and their legacy names); each error names the setting.
import { CheckConfigError, booleanSetting, numberSetting, stringSetting } from '../check.js';
import { pythonRegExp } from './pattern.js';

export const DEFAULT_EXPECTED_CODE = '(1|2|3)\\d\\d';
export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_DAYS_WARNING = 14;
export const DEFAULT_DAYS_CRITICAL = 7;
const DAY_SECONDS = 24 * 3600;
/** Methods the official check sends `data` with (and a form Content-Type when none is set). */
export const DATA_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
/** The agent's default request headers (datadog_checks_base utils/headers.py). */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = { 'User-Agent': 'Datadog Agent/7', Accept: '*/*', 'Accept-Encoding': 'gzip, deflate' };

/** Characters `normalize_tag` turns into `_` in the `instance:` tag. */
const TAG_REPLACEMENT = /[,+*\-/()[\]{}\s]/g;

export interface TlsSettings {
  readonly verify: boolean;
  readonly ignoreWarning: boolean;
  readonly validateHostname: boolean;
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  /** The SNI and the name the certificate must match (ssl_server_name), else the URL's host. */
  readonly serverName: string | undefined;
}

export interface CertificateThresholds {
  readonly warningSeconds: number;
  readonly criticalSeconds: number;
}

export interface HttpCheckSettings {
  /** The URL as configured: the `url:` tag's value once its password is removed. */
  readonly configuredUrl: string;
  readonly urlTag: string;
  /** Where the request goes, without credentials (they travel in the Authorization header). */
  readonly target: URL;
  readonly instanceTag: string;
  /** A `url:` tag among the instance's tags replaces the check's on service checks. */
  readonly userUrlTag: boolean;
  readonly method: string;
  readonly body: Buffer | undefined;
  /** Header names as written, case-insensitively unique. */
  readonly headers: readonly (readonly [string, string])[];
  readonly timeoutMs: number;
  readonly allowRedirects: boolean;
  readonly expectedStatus: RegExp;
  readonly expectedStatusText: string;
  readonly contentMatch: RegExp | undefined;
  readonly contentMatchText: string | undefined;
  readonly reverseContentMatch: boolean;
  readonly includeContent: boolean;
  readonly collectResponseTime: boolean;
  readonly checkCertificateExpiration: boolean;
  readonly useCertFromResponse: boolean;
  readonly retrieveNonValidatedCert: boolean;
  readonly thresholds: CertificateThresholds;
  readonly tls: TlsSettings;
  readonly outcomeTag: boolean;
}

/** The `instance:` tag value, as AgentCheck.normalize_tag makes it. */
export function normalizeTag(value: string): string {
  return value.replace(TAG_REPLACEMENT, '_').replace(/__+/g, '_').replace(/_*\._*/g, '.').replace(/^_+|_+$/g, '');
}

/** `url` with the password of its userinfo removed (the user name stays). */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i, '$1@');
}

function mapping(instance: Readonly<Record<string, unknown>>, key: string): [string, string][] {
  const value = instance[key];
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw new CheckConfigError(`${key} must be a mapping of header names to values, not ${JSON.stringify(value)}`);
  return Object.entries(value as Record<string, unknown>).map(([name, v]) => {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new CheckConfigError(`${key}: ${JSON.stringify(name)} is not a valid header name`);
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (/[\r\n]/.test(text)) throw new CheckConfigError(`${key}: the value of ${name} must be on one line`);
    return [name, text];
  });
}

/** An integer setting as Python's int() reads it; 0 when unset. */
function integerSetting(instance: Readonly<Record<string, unknown>>, key: string): number {
  const value = numberSetting(instance, key, 0);
  return Math.trunc(value);
}

function firstString(instance: Readonly<Record<string, unknown>>, keys: readonly string[], fallback?: string): string | undefined {
  for (const key of keys) {
    const value = stringSetting(instance, key);
    if (value !== undefined && value !== '') return value;
  }
  return fallback;
}

function requestBody(instance: Readonly<Record<string, unknown>>, method: string): Buffer | undefined {
  const data = instance.data ?? {};
  if (!DATA_METHODS.has(method)) return undefined;
  if (typeof data === 'string') return Buffer.from(data);
  // A mapping goes as JSON, as the official check passes it to requests' `json=`.
  if (typeof data === 'object' && !Array.isArray(data)) return Buffer.from(JSON.stringify(data));
  throw new CheckConfigError(`data must be a mapping (sent as JSON) or a string (sent as is), not ${JSON.stringify(data)}`);
}

function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function readSettings(instance: Readonly<Record<string, unknown>>, initConfig: Readonly<Record<string, unknown>>): HttpCheckSettings {
  const name = stringSetting(instance, 'name');
  if (name === undefined || name.trim() === '') throw new CheckConfigError('name is required: give each http_check instance a name (it becomes the instance: tag)');
  const configuredUrl = stringSetting(instance, 'url');
  if (configuredUrl === undefined || configuredUrl === '') throw new CheckConfigError('Bad configuration. You must specify a url');
  const urlTag = withoutPassword(configuredUrl);
  if (!configuredUrl.startsWith('http')) throw new CheckConfigError(`The url ${urlTag} must start with the scheme http or https`);
  let target: URL;
  try {
    target = new URL(configuredUrl);
  } catch {
    throw new CheckConfigError(`url ${urlTag} is not a valid URL`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new CheckConfigError(`The url ${urlTag} must start with the scheme http or https`);
  const urlUser = decodeURIComponent(target.username);
  const urlPassword = decodeURIComponent(target.password);
  target.username = '';
  target.password = '';

  const method = (stringSetting(instance, 'method', 'get') ?? 'get').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new CheckConfigError(`method must be an HTTP method such as get or post, not ${JSON.stringify(method)}`);
  const body = requestBody(instance, method);

  const headers = new Map<string, [string, string]>();
  const setHeader = (header: string, value: string): void => void headers.set(header.toLowerCase(), [header, value]);
  if (booleanSetting(instance, 'include_default_headers', true)) for (const [header, value] of Object.entries(DEFAULT_HEADERS)) setHeader(header, value);
  for (const [header, value] of mapping(instance, 'headers')) setHeader(header, value);
  for (const [header, value] of mapping(instance, 'extra_headers')) setHeader(header, value);
  if (DATA_METHODS.has(method) && !headers.has('content-type')) setHeader('Content-Type', 'application/x-www-form-urlencoded');
  const username = stringSetting(instance, 'username');
  const password = stringSetting(instance, 'password');
  if (!headers.has('authorization')) {
    if (username !== undefined && password !== undefined) setHeader('Authorization', basicAuthorization(username, password));
    else if (urlUser !== '' || urlPassword !== '') setHeader('Authorization', basicAuthorization(urlUser, urlPassword));
  }

  const timeout = numberSetting(instance, 'timeout', numberSetting(initConfig, 'timeout', DEFAULT_TIMEOUT_SECONDS));
  if (timeout <= 0) throw new CheckConfigError(`timeout must be a number of seconds above 0, not ${timeout}`);

  const expectedStatusText = stringSetting(instance, 'http_response_status_code', DEFAULT_EXPECTED_CODE) ?? DEFAULT_EXPECTED_CODE;
  const contentMatchText = stringSetting(instance, 'content_match');
  const hasContentMatch = contentMatchText !== undefined && contentMatchText !== '';

  const warningSeconds = integerSetting(instance, 'seconds_warning') || integerSetting(instance, 'days_warning') * DAY_SECONDS || DEFAULT_DAYS_WARNING * DAY_SECONDS;
  const criticalSeconds = integerSetting(instance, 'seconds_critical') || integerSetting(instance, 'days_critical') * DAY_SECONDS || DEFAULT_DAYS_CRITICAL * DAY_SECONDS;

  // tls_verify wins over the legacy disable_ssl_validation (its inverse), as the HTTP config remapper does.
  const verify = instance.tls_verify !== undefined && instance.tls_verify !== null ? booleanSetting(instance, 'tls_verify', true) : !booleanSetting(instance, 'disable_ssl_validation', false);
  const tls: TlsSettings = {
    verify,
    ignoreWarning: booleanSetting(instance, 'tls_ignore_warning', booleanSetting(instance, 'ignore_ssl_warning', false)),
    validateHostname: booleanSetting(instance, 'tls_validate_hostname', booleanSetting(instance, 'check_hostname', true)),
    caFile: firstString(instance, ['tls_ca_cert', 'ca_certs'], firstString(initConfig, ['ca_certs'])),
    certFile: firstString(instance, ['tls_cert', 'client_cert']),
    keyFile: firstString(instance, ['tls_private_key', 'client_key']),
    serverName: firstString(instance, ['ssl_server_name']),
  };

  return {
    configuredUrl,
    urlTag,
    target,
    instanceTag: `instance:${normalizeTag(name)}`,
    userUrlTag: (Array.isArray(instance.tags) ? instance.tags : []).some((t) => typeof t === 'string' && t.startsWith('url:')),
    method,
    body,
    headers: [...headers.values()],
    timeoutMs: timeout * 1000,
    allowRedirects: booleanSetting(instance, 'allow_redirects', true),
    expectedStatus: pythonRegExp(expectedStatusText, 'http_response_status_code'),
    expectedStatusText,
    contentMatch: hasContentMatch ? pythonRegExp(contentMatchText, 'content_match') : undefined,
    contentMatchText: hasContentMatch ? contentMatchText : undefined,
    reverseContentMatch: booleanSetting(instance, 'reverse_content_match', false),
    includeContent: booleanSetting(instance, 'include_content', false),
    collectResponseTime: booleanSetting(instance, 'collect_response_time', true),
    checkCertificateExpiration: booleanSetting(instance, 'check_certificate_expiration', true),
    useCertFromResponse: booleanSetting(instance, 'use_cert_from_response', false),
    retrieveNonValidatedCert: booleanSetting(instance, 'tls_retrieve_non_validated_cert', false),
    thresholds: { warningSeconds, criticalSeconds },
    tls,
    outcomeTag: booleanSetting(instance, 'enable_http_outcome_tag', false),
  };
}
