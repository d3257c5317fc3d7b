// http_check against real servers on 127.0.0.1: an http one (status codes, content, a slow
// handler, POST data and headers, redirects, basic auth, gzip, a body past the read bound) and
// https ones with self-signed certificates openssl makes here (5 and 400 days), days left
// compared with the notAfter openssl reads from the certificate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRITICAL, CheckConfigError, OK, UNKNOWN, WARNING } from '../../../src/agent/checks/check.js';
import { definition } from '../../../src/agent/checks/http_check/index.js';
import { METRICS, SERVICE_CHECKS } from '../../../src/agent/checks/http_check/metadata.js';
import { createLogger } from '../../../src/log.js';
import { CheckResults, runCheck } from '../../helpers/check-harness.js';
import {
  BASIC_PASSWORD,
  BASIC_USER,
  BEARER_TOKEN,
  HttpCheckServer,
  LATE_MARKER,
  closedPort,
  makeCertificate,
  tempDir,
  type TestCertificate,
} from '../../helpers/http-check-server.js';

const DAY = 86_400;

function noSecrets(results: CheckResults, ...secrets: string[]): void {
  const texts = [...results.errors.filter((e): e is string => e !== undefined), ...results.logs, ...results.serviceChecks.map((c) => c.message), ...results.series.flatMap((s) => s.tags), ...results.serviceChecks.flatMap((c) => c.tags)];
  for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
}

/** Seconds left on `certificate` between two instants around the run, as the test computes them. */
function secondsLeftAround(certificate: TestCertificate, before: number, after: number): [number, number] {
  return [(certificate.notAfter - after) / 1000, (certificate.notAfter - before) / 1000];
}

let http: HttpCheckServer;
let shortTls: HttpCheckServer;
let longTls: HttpCheckServer;
let short: TestCertificate;
let long: TestCertificate;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir();
  [short, long] = await Promise.all([makeCertificate(dir.path, 'short', 5), makeCertificate(dir.path, 'long', 400)]);
  [http, shortTls, longTls] = await Promise.all([HttpCheckServer.start(), HttpCheckServer.start(short), HttpCheckServer.start(long)]);
});

afterAll(async () => {
  await Promise.all([http?.close(), shortTls?.close(), longTls?.close()]);
  await dir?.remove();
});

describe('http_check: a healthy https endpoint', () => {
  it('sends every metric with url: and instance: tags, then only metadata metrics', async () => {
    const url = `${longTls.origin}/ok`;
    const before = Date.now();
    const results = await runCheck('http_check', { name: 'Web (health)', url, tls_ca_cert: long.certFile, content_match: 'status: (healthy|degraded)', tags: ['team:web'] });
    const after = Date.now();
    expect(results.errors).toEqual([undefined]);
    const tags = [`url:${url}`, 'instance:Web_health', 'team:web'];
    results.assertMetric('network.http.can_connect', { tags, value: 1, type: 'gauge', count: 1 });
    results.assertMetric('network.http.cant_connect', { tags, value: 0, type: 'gauge', count: 1 });
    const [time] = results.assertMetric('network.http.response_time', { tags, type: 'gauge', count: 1 });
    expect(time!.points[0]![1]).toBeGreaterThan(0);
    const [low, high] = secondsLeftAround(long, before, after);
    const seconds = results.value('http.ssl.seconds_left', tags);
    expect(seconds).toBeGreaterThanOrEqual(low - 1);
    expect(seconds).toBeLessThanOrEqual(high + 1);
    results.assertMetric('http.ssl.seconds_left', { tags, type: 'gauge', count: 1 });
    results.assertMetric('http.ssl.days_left', { tags, value: Math.floor(seconds / DAY), type: 'gauge', count: 1 });
    expect(Math.floor(seconds / DAY)).toBe(399);
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, tags, message: '', count: 1 });
    results.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: OK, tags, message: '', count: 1 });
    expect(longTls.requests.at(-1)).toMatchObject({ method: 'GET', url: '/ok', headers: { 'user-agent': expect.stringMatching(/^Datadog Agent\//), accept: '*/*' } });
    results.assertAllMetricsCovered();
    results.assertMetricsUsingMetadata(METRICS);
    results.assertMetadataCovered(METRICS);
    // No socket is kept for the next run.
    await expect.poll(() => longTls.openConnections, { timeout: 5_000 }).toBe(0);
  });
});

describe('http_check: status codes and content', () => {
  it('500 is CRITICAL with the official message, the response time still sent; no run error', async () => {
    const url = `${http.origin}/error`;
    const results = await runCheck(definition, { name: 'api', url });
    expect(results.errors).toEqual([undefined]);
    const tags = [`url:${url}`, 'instance:api'];
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, tags, message: `Incorrect HTTP return code for url ${url}. Expected 1xx or 2xx or 3xx, got 500.`, count: 1 });
    results.assertMetric('network.http.can_connect', { tags, value: 0, count: 1 });
    results.assertMetric('network.http.cant_connect', { tags, value: 1, count: 1 });
    results.assertMetric('network.http.response_time', { tags, count: 1 });
    expect(results.find('http.ssl.days_left')).toHaveLength(0);
  });

  it('http_response_status_code is a regex matched at the start; include_content adds the body', async () => {
    const url = `${http.origin}/error`;
    const ok = await runCheck(definition, { name: 'api', url, http_response_status_code: '5\\d\\d' });
    ok.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    const integer = await runCheck(definition, { name: 'api', url: `${http.origin}/ok`, http_response_status_code: 201, include_content: true });
    integer.assertServiceCheck(SERVICE_CHECKS.canConnect, {
      status: CRITICAL,
      message: `Incorrect HTTP return code for url ${http.origin}/ok. Expected 201, got 200.\nContent: status: healthy, version 1.2.3`,
    });
  });

  it('content_match found, not found, and reversed', async () => {
    const url = `${http.origin}/ok`;
    const found = await runCheck(definition, { name: 'c', url, content_match: 'version \\d+\\.\\d+' });
    found.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    found.assertMetric('network.http.can_connect', { value: 1 });
    const missing = await runCheck(definition, { name: 'c', url, content_match: 'status: down' });
    missing.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, message: 'Content "status: down" not found in response.', count: 1 });
    missing.assertMetric('network.http.cant_connect', { value: 1 });
    missing.assertMetric('network.http.response_time', { count: 1 });
    const reversed = await runCheck(definition, { name: 'c', url, content_match: 'healthy', reverse_content_match: true });
    reversed.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, message: 'Content "healthy" found in response with the reverse_content_match', count: 1 });
    const reversedAbsent = await runCheck(definition, { name: 'c', url, content_match: '(?i)ERROR', reverse_content_match: true });
    reversedAbsent.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
  });

  it('reads a gzip body, and no more than the first MiB of a big one', async () => {
    const gzip = await runCheck(definition, { name: 'g', url: `${http.origin}/gzip`, content_match: 'healthy' });
    gzip.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    const big = await runCheck(definition, { name: 'b', url: `${http.origin}/big`, content_match: LATE_MARKER });
    big.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, message: `Content "${LATE_MARKER}" not found in response.` });
    expect(big.errors).toEqual([undefined]);
    await expect.poll(() => http.openConnections, { timeout: 5_000 }).toBe(0);
  });

  it('a url: tag of the instance replaces the check\'s on service checks, metrics keep both', async () => {
    const url = `${http.origin}/ok`;
    const results = await runCheck(definition, { name: 'u', url, tags: ['url:public-site'] });
    const [check] = results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, tags: ['url:public-site', 'instance:u'], count: 1 });
    expect(check!.tags).not.toContain(`url:${url}`);
    results.assertMetric('network.http.can_connect', { tags: ['url:public-site', `url:${url}`, 'instance:u'], value: 1 });
  });

  it('collect_response_time: false sends no response time', async () => {
    const results = await runCheck(definition, { name: 'n', url: `${http.origin}/ok`, collect_response_time: false });
    expect(results.find('network.http.response_time')).toHaveLength(0);
    results.assertMetric('network.http.can_connect', { value: 1 });
  });
});

describe('http_check: requests', () => {
  it('POST sends a mapping as JSON with the form Content-Type the official sets, and the configured headers', async () => {
    const results = await runCheck(definition, { name: 'post', url: `${http.origin}/submit`, method: 'post', data: { probe: 'datadog', n: 1 }, headers: { 'X-Probe': 'from-datadog' } });
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    const seen = http.requests.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', url: '/submit', headers: { 'x-probe': 'from-datadog', 'content-type': 'application/x-www-form-urlencoded' } });
    expect(JSON.parse(seen.body)).toEqual({ probe: 'datadog', n: 1 });
  });

  it('POST sends a string as is, under the Content-Type of the headers', async () => {
    const soap = '<?xml version="1.0"?><Envelope><Body><Ping/></Body></Envelope>';
    const results = await runCheck(definition, { name: 'soap', url: `${http.origin}/submit`, method: 'POST', data: soap, headers: { 'X-Probe': 'from-datadog', 'content-type': 'text/xml' } });
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    expect(http.requests.at(-1)).toMatchObject({ body: soap, headers: { 'content-type': 'text/xml' } });
  });

  it('follows redirects (302 to GET, 307 keeping the POST body) unless allow_redirects is false', async () => {
    const followed = await runCheck(definition, { name: 'r', url: `${http.origin}/redirect`, content_match: 'healthy', http_response_status_code: '200' });
    followed.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, tags: [`url:${http.origin}/redirect`], count: 1 });
    expect(http.requests.slice(-2).map((r) => r.url)).toEqual(['/redirect', '/ok']);
    const post = await runCheck(definition, { name: 'r', url: `${http.origin}/redirect-post`, method: 'post', data: 'payload', headers: { 'X-Probe': 'from-datadog' } });
    post.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    expect(http.requests.at(-1)).toMatchObject({ method: 'POST', url: '/submit', body: 'payload' });
    const kept = await runCheck(definition, { name: 'r', url: `${http.origin}/redirect`, allow_redirects: false, http_response_status_code: '200' });
    kept.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, message: /Expected 200, got 302\.$/ });
    const loop = await runCheck(definition, { name: 'r', url: `${http.origin}/loop` });
    loop.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, message: /Exceeded 30 redirects/ });
  });
});

describe('http_check: failures', () => {
  it('a handler slower than timeout is CRITICAL and a run error, without a response time', async () => {
    const url = `${http.origin}/slow`;
    const results = await runCheck(definition, { name: 'slow', url, timeout: 1 });
    const tags = [`url:${url}`, 'instance:slow'];
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, tags, message: /Read timed out\. \(read timeout=1\)\. Connection failed after \d+ ms$/, count: 1 });
    results.assertMetric('network.http.cant_connect', { tags, value: 1, count: 1 });
    results.assertMetric('network.http.can_connect', { tags, value: 0, count: 1 });
    expect(results.find('network.http.response_time')).toHaveLength(0);
    expect(results.errors[0]).toMatch(/is DOWN: .*Read timed out/);
  });

  it('a body that stalls past timeout is CRITICAL too', async () => {
    const results = await runCheck(definition, { name: 'stall', url: `${http.origin}/stall`, timeout: 1, content_match: 'healthy' });
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, message: /Read timed out/, count: 1 });
    results.assertMetric('network.http.cant_connect', { value: 1, count: 1 });
  });

  it('an unreadable tls_ca_cert is CRITICAL saying the path', async () => {
    const results = await runCheck(definition, { name: 'ca', url: `${longTls.origin}/ok`, tls_ca_cert: `${dir.path}/missing.pem` });
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, message: new RegExp(`invalid path: ${dir.path}/missing.pem`), count: 1 });
    results.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: UNKNOWN, count: 1 });
  });

  it('the run timeout aborts the request and closes its connection', async () => {
    const abandoned = http.slowAbandoned;
    const results = await runCheck(definition, { name: 'slow', url: `${http.origin}/slow`, timeout: 30 }, { timeoutMs: 500 });
    expect(results.errors[0]).toMatch(/^timeout/);
    await expect.poll(() => http.slowAbandoned, { timeout: 5_000 }).toBe(abandoned + 1);
  });

  it('an unreachable port: can_connect CRITICAL, cant_connect 1, a run error', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/health`;
    const results = await runCheck(definition, { name: 'down', url });
    const tags = [`url:${url}`, 'instance:down'];
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, tags, message: /ECONNREFUSED 127\.0\.0\.1:\d+\. Connection failed after \d+ ms$/, count: 1 });
    results.assertMetric('network.http.cant_connect', { tags, value: 1, count: 1 });
    results.assertMetric('network.http.can_connect', { tags, value: 0, count: 1 });
    expect(results.errors[0]).toMatch(/ECONNREFUSED/);
  });

  it('an unreachable https port: ssl_cert UNKNOWN without days left', async () => {
    const port = await closedPort();
    const results = await runCheck(definition, { name: 'down', url: `https://127.0.0.1:${port}/` });
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, count: 1 });
    results.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: UNKNOWN, message: /ECONNREFUSED/, count: 1 });
    expect(results.find('http.ssl.days_left')).toHaveLength(0);
  });

  it('the enable_http_outcome_tag option tags the status code or the kind of failure', async () => {
    const status = await runCheck(definition, { name: 'o', url: `${http.origin}/error`, enable_http_outcome_tag: true });
    status.assertMetric('network.http.can_connect', { tags: ['http_outcome:500'], value: 0 });
    const refused = await runCheck(definition, { name: 'o', url: `http://127.0.0.1:${await closedPort()}/`, enable_http_outcome_tag: true });
    refused.assertMetric('network.http.cant_connect', { tags: ['http_outcome:connection_error'], value: 1 });
    const plain = await runCheck(definition, { name: 'o', url: `${http.origin}/ok` });
    expect(plain.series.flatMap((s) => s.tags).some((t) => t.startsWith('http_outcome:'))).toBe(false);
  });
});

describe('http_check: certificate expiration', () => {
  const url = (): string => `${shortTls.origin}/ok`;

  it('a certificate of 5 days is WARNING under days_warning 10, days left as the certificate says', async () => {
    const before = Date.now();
    const results = await runCheck(definition, { name: 'tls', url: url(), tls_ca_cert: short.certFile, days_warning: 10, days_critical: 3 });
    const after = Date.now();
    const tags = [`url:${url()}`, 'instance:tls'];
    const [low, high] = secondsLeftAround(short, before, after);
    const seconds = results.value('http.ssl.seconds_left', tags);
    expect(seconds).toBeGreaterThanOrEqual(low - 1);
    expect(seconds).toBeLessThanOrEqual(high + 1);
    const days = Math.floor(seconds / DAY);
    expect(days).toBe(4);
    results.assertMetric('http.ssl.days_left', { tags, value: days, count: 1 });
    results.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: WARNING, tags, message: `This cert is almost expired, only ${days} days left`, count: 1 });
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
  });

  it('CRITICAL under days_critical 6; seconds_critical wins over days_critical', async () => {
    const critical = await runCheck(definition, { name: 'tls', url: url(), tls_ca_cert: short.certFile, days_warning: 10, days_critical: 6 });
    critical.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: CRITICAL, message: 'This cert TTL is critical: only 4 days before it expires', count: 1 });
    const seconds = await runCheck(definition, { name: 'tls', url: url(), tls_ca_cert: short.certFile, days_critical: 6, seconds_critical: 3600, seconds_warning: 7200 });
    seconds.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: OK, count: 1 });
  });

  it('tls_verify false connects; the certificate is read with tls_retrieve_non_validated_cert or use_cert_from_response', async () => {
    const retrieved = await runCheck(definition, { name: 'tls', url: url(), tls_verify: false, tls_ignore_warning: true, tls_retrieve_non_validated_cert: true, days_warning: 10, days_critical: 6 });
    retrieved.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    retrieved.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: CRITICAL, count: 1 });
    retrieved.assertMetric('http.ssl.days_left', { value: 4 });
    expect(retrieved.logs.some((l) => l.includes('unverified'))).toBe(false);
    const fromResponse = await runCheck(definition, { name: 'tls', url: url(), tls_verify: false, use_cert_from_response: true, days_warning: 10, days_critical: 3 });
    fromResponse.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: WARNING, count: 1 });
    fromResponse.assertMetric('http.ssl.days_left', { value: 4 });
    expect(fromResponse.logs.some((l) => l.includes('An unverified HTTPS request is being made'))).toBe(true);
    // As the official check: an unverified certificate is not read unless asked.
    const unread = await runCheck(definition, { name: 'tls', url: url(), tls_verify: false, tls_ignore_warning: true });
    unread.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: UNKNOWN, message: 'Empty or no certificate found.', count: 1 });
    expect(unread.find('http.ssl.days_left')).toHaveLength(0);
  });

  it('a self-signed certificate without its CA fails the request (CRITICAL) and the expiration check (UNKNOWN)', async () => {
    const results = await runCheck(definition, { name: 'tls', url: url() });
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, message: /self.signed certificate/i, count: 1 });
    results.assertServiceCheck(SERVICE_CHECKS.sslCert, { status: UNKNOWN, message: /self.signed certificate/i, count: 1 });
    expect(results.errors[0]).toMatch(/self.signed/i);
  });

  it('check_certificate_expiration: false sends no ssl_cert', async () => {
    const results = await runCheck(definition, { name: 'tls', url: url(), tls_ca_cert: short.certFile, check_certificate_expiration: false });
    expect(results.serviceChecks.filter((c) => c.check === SERVICE_CHECKS.sslCert)).toHaveLength(0);
    expect(results.find('http.ssl.days_left')).toHaveLength(0);
  });
});

describe('http_check: secrets and settings', () => {
  it('a password in the URL authenticates, and appears in no tag, message, log or error', async () => {
    const url = `http://${BASIC_USER}:${BASIC_PASSWORD}@127.0.0.1:${new URL(http.origin).port}/auth`;
    const results = await runCheck(definition, { name: 'auth', url, content_match: 'nothing like this' });
    results.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL, tags: [`url:http://${BASIC_USER}@127.0.0.1:${new URL(http.origin).port}/auth`], message: 'Content "nothing like this" not found in response.' });
    expect(http.requests.at(-1)?.headers.authorization).toMatch(/^Basic /);
    const down = await runCheck(definition, { name: 'auth', url: `http://${BASIC_USER}:${BASIC_PASSWORD}@127.0.0.1:${await closedPort()}/auth`, http_response_status_code: '200' });
    down.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: CRITICAL });
    noSecrets(results, BASIC_PASSWORD);
    noSecrets(down, BASIC_PASSWORD);
  });

  it('an Authorization header and username/password are sent, and never shown', async () => {
    const bearer = await runCheck(definition, { name: 'auth', url: `${http.origin}/auth`, headers: { Authorization: `Bearer ${BEARER_TOKEN}` }, http_response_status_code: '200', include_content: true });
    bearer.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    const basic = await runCheck(definition, { name: 'auth', url: `${http.origin}/auth`, username: BASIC_USER, password: BASIC_PASSWORD, http_response_status_code: '200' });
    basic.assertServiceCheck(SERVICE_CHECKS.canConnect, { status: OK, count: 1 });
    const wrong = await runCheck(definition, { name: 'auth', url: `${http.origin}/slow`, timeout: 1, headers: { Authorization: `Bearer ${BEARER_TOKEN}` } });
    noSecrets(bearer, BEARER_TOKEN);
    noSecrets(basic, BASIC_PASSWORD);
    noSecrets(wrong, BEARER_TOKEN);
  });

  it('a bad setting is a CheckConfigError naming it', () => {
    const create = (instance: Record<string, unknown>) => () => definition.create({ instance, initConfig: {}, logger: createLogger('CORE', 'off') });
    expect(create({ url: 'http://127.0.0.1/' })).toThrow(CheckConfigError);
    expect(create({ url: 'http://127.0.0.1/' })).toThrow(/name is required/);
    expect(create({ name: 'x' })).toThrow(/You must specify a url/);
    expect(create({ name: 'x', url: 'ftp://127.0.0.1/' })).toThrow(/must start with the scheme http or https/);
    expect(create({ name: 'x', url: 'http://127.0.0.1/', content_match: '(unclosed' })).toThrow(/content_match is not a valid regular expression/);
    expect(create({ name: 'x', url: 'http://127.0.0.1/', http_response_status_code: '[2' })).toThrow(/http_response_status_code/);
    expect(create({ name: 'x', url: 'http://127.0.0.1/', timeout: 'soon' })).toThrow(/timeout must be a number/);
    expect(create({ name: 'x', url: 'http://127.0.0.1/', headers: ['a'] })).toThrow(/headers must be a mapping/);
    expect(create({ name: 'x', url: 'http://127.0.0.1/', method: 'post', data: [1, 2] })).toThrow(/data must be a mapping/);
    expect(create({ name: 'x', url: `http://u:${BASIC_PASSWORD}@127.0.0.1/`, timeout: -1 })).toThrow(/timeout/);
  });

  it('a config error reaches the run as its error, the password masked', async () => {
    const results = await runCheck(definition, { url: `ftp://u:${BASIC_PASSWORD}@127.0.0.1/` });
    expect(results.errors[0]).toMatch(/name is required/);
    const scheme = await runCheck(definition, { name: 'x', url: `ftp://u:${BASIC_PASSWORD}@127.0.0.1/` });
    expect(scheme.errors[0]).toMatch(/must start with the scheme/);
    noSecrets(scheme, BASIC_PASSWORD);
  });
});
