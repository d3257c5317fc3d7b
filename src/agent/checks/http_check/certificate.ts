// The certificate expiration part of http_check: a TLS connection of its own to the URL's host
// (or the certificate of the response, with use_cert_from_response), its notAfter against the
// thresholds, in the statuses and messages of the official check_cert_expiration.
import { X509Certificate } from 'node:crypto';
import { connect, type ConnectionOptions } from 'node:tls';
import { CRITICAL, OK, UNKNOWN, WARNING, type ServiceCheckStatus } from '../check.js';
import type { CertificateThresholds, TlsSettings } from './config.js';
import type { TlsMaterial } from './request.js';

export interface CertificateVerdict {
  readonly status: ServiceCheckStatus;
  /** Whole days left, floored as Python's timedelta.days; undefined when no certificate was read. */
  readonly daysLeft: number | undefined;
  readonly secondsLeft: number | undefined;
  readonly message: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** OpenSSL's `Mar  5 12:00:00 2027 GMT`, as X509Certificate.validTo gives it, in Unix ms. */
export function parseCertificateTime(text: string): number | undefined {
  const match = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{4}) GMT$/.exec(text.trim());
  if (match === null) return undefined;
  const month = MONTHS.indexOf(match[1]!);
  if (month < 0) return undefined;
  return Date.UTC(Number(match[6]), month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]));
}

/** The verdict on a DER certificate at `now` (Unix ms). */
export function inspectCertificate(der: Buffer, thresholds: CertificateThresholds, now: number): CertificateVerdict {
  let notAfter: number | undefined;
  try {
    notAfter = parseCertificateTime(new X509Certificate(der).validTo);
  } catch (error) {
    return { status: UNKNOWN, daysLeft: undefined, secondsLeft: undefined, message: `ValueError('${(error as Error).message}')` };
  }
  if (notAfter === undefined) return { status: UNKNOWN, daysLeft: undefined, secondsLeft: undefined, message: "ValueError('the certificate has no readable expiration date')" };
  const secondsLeft = (notAfter - now) / 1000;
  const daysLeft = Math.floor(secondsLeft / 86_400);
  if (secondsLeft < thresholds.criticalSeconds) return { status: CRITICAL, daysLeft, secondsLeft, message: `This cert TTL is critical: only ${daysLeft} days before it expires` };
  if (secondsLeft < thresholds.warningSeconds) return { status: WARNING, daysLeft, secondsLeft, message: `This cert is almost expired, only ${daysLeft} days left` };
  return { status: OK, daysLeft, secondsLeft, message: `Days left: ${daysLeft}` };
}

/** The DER certificate the server presents, over a TLS connection made for it alone. */
export function fetchPeerCertificate(url: URL, tls: TlsSettings, material: TlsMaterial, timeoutMs: number, signal: AbortSignal): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const serverName = tls.serverName ?? host;
    const options: ConnectionOptions = {
      host,
      port: Number(url.port || 443),
      rejectUnauthorized: tls.verify,
      ...material,
      // SNI takes host names only; an IP is matched against the certificate's IP entries.
      ...(!/^[\d.]+$|:/.test(serverName) && { servername: serverName }),
      ...(!tls.validateHostname && { checkServerIdentity: () => undefined }),
      timeout: timeoutMs,
    };
    const socket = connect(options, () => {
      const raw = socket.getPeerCertificate()?.raw;
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
      resolve(raw !== undefined && raw.length > 0 ? raw : undefined);
    });
    const onAbort = (): void => void socket.destroy(new Error('the run was aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('timeout', () => socket.destroy(new Error(`timed out after ${timeoutMs / 1000} s`)));
    socket.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}

/** check_cert_expiration: a handshake that fails on an expired certificate is CRITICAL, other failures UNKNOWN. */
export async function checkCertificateExpiration(
  url: URL,
  tls: TlsSettings,
  material: TlsMaterial,
  options: { readonly timeoutMs: number; readonly retrieveNonValidated: boolean; readonly thresholds: CertificateThresholds },
  signal: AbortSignal,
): Promise<CertificateVerdict> {
  let der: Buffer | undefined;
  try {
    der = await fetchPeerCertificate(url, tls, material, options.timeoutMs, signal);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const message = `${err.code ?? err.name}('${err.message}')`;
    if (/expired|expiration/i.test(message)) return { status: CRITICAL, daysLeft: 0, secondsLeft: 0, message };
    return { status: UNKNOWN, daysLeft: undefined, secondsLeft: undefined, message };
  }
  // Unverified certificates are not read unless asked, for compatibility with the official check.
  if ((!tls.verify && !options.retrieveNonValidated) || der === undefined) return { status: UNKNOWN, daysLeft: undefined, secondsLeft: undefined, message: 'Empty or no certificate found.' };
  return inspectCertificate(der, options.thresholds, Date.now());
}
