// http_check, as integrations-core's: one request to the instance's URL per run, judged on its
// status code and content (http.can_connect, network.http.*), then for https the certificate's
// expiration (http.ssl_cert, http.ssl.*). Tags: url:<url> (password removed) and instance:<name>.
import { CRITICAL, OK, UNKNOWN, type CheckConfig, type CheckDefinition, type Sender, type ServiceCheckStatus } from '../check.js';
import type { Logger } from '../../../log.js';
import { checkCertificateExpiration, inspectCertificate, type CertificateVerdict } from './certificate.js';
import { DEFAULT_EXPECTED_CODE, readSettings, type HttpCheckSettings } from './config.js';
import { SERVICE_CHECKS } from './metadata.js';
import { matchesAtStart } from './pattern.js';
import { RequestFailure, describeFailure, sendRequest, tlsMaterial, type HttpResponse } from './request.js';

/** The service check message limit the official check truncates to (MESSAGE_LENGTH). */
export const MESSAGE_LENGTH = 2500;

interface Verdict {
  readonly status: ServiceCheckStatus;
  readonly message: string;
}

function withContent(settings: HttpCheckSettings, message: string, content: string): string {
  if (!settings.includeContent) return message;
  return `${message}\nContent: ${content.slice(0, MESSAGE_LENGTH)}`.slice(0, MESSAGE_LENGTH);
}

/** The status code, then content_match (or its reverse), as the official check judges a response. */
function judge(settings: HttpCheckSettings, response: HttpResponse, log: Logger): Verdict {
  if (!matchesAtStart(settings.expectedStatus, String(response.status))) {
    const expected = settings.expectedStatusText === DEFAULT_EXPECTED_CODE ? '1xx or 2xx or 3xx' : settings.expectedStatusText;
    const message = withContent(settings, `Incorrect HTTP return code for url ${settings.urlTag}. Expected ${expected}, got ${response.status}.`, response.text);
    log.info(message);
    return { status: CRITICAL, message };
  }
  if (settings.contentMatch === undefined) {
    log.debug(`${settings.urlTag} is UP`);
    return { status: OK, message: '' };
  }
  const pattern = settings.contentMatchText!;
  const found = settings.contentMatch.test(response.text);
  if (found && settings.reverseContentMatch) {
    log.info(`${pattern} is found in return content with the reverse_content_match option`);
    return { status: CRITICAL, message: withContent(settings, `Content "${pattern}" found in response with the reverse_content_match`, response.text) };
  }
  if (!found && !settings.reverseContentMatch) {
    log.info(`${pattern} is not found in return content`);
    return { status: CRITICAL, message: withContent(settings, `Content "${pattern}" not found in response.`, response.text) };
  }
  log.debug(found ? `${pattern} is found in return content` : `${pattern} is not found in return content with the reverse_content_match option`);
  return { status: OK, message: '' };
}

class HttpCheck {
  private warnedUnverified = false;

  constructor(
    private readonly settings: HttpCheckSettings,
    private readonly log: Logger,
  ) {}

  async run(sender: Sender, signal: AbortSignal): Promise<void> {
    const settings = this.settings;
    const https = settings.target.protocol === 'https:';
    const metricTags = [`url:${settings.urlTag}`, settings.instanceTag];
    const serviceTags = settings.userUrlTag ? [settings.instanceTag] : [settings.instanceTag, `url:${settings.urlTag}`];
    if (https && !settings.tls.verify && !settings.tls.ignoreWarning && !this.warnedUnverified) {
      this.warnedUnverified = true;
      this.log.warn(`An unverified HTTPS request is being made to ${settings.urlTag} (tls_verify is false; set tls_ignore_warning: true to silence this)`);
    }

    this.log.debug(`Connecting to ${settings.urlTag}`);
    const started = performance.now();
    let response: HttpResponse | undefined;
    let failure: RequestFailure | undefined;
    try {
      response = await sendRequest(
        {
          url: settings.target,
          method: settings.method,
          headers: settings.headers,
          body: settings.body,
          timeoutMs: settings.timeoutMs,
          allowRedirects: settings.allowRedirects,
          tls: settings.tls,
          wantPeerCertificate: settings.checkCertificateExpiration && settings.useCertFromResponse,
        },
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw new Error(`the request to ${settings.urlTag} was aborted at the run's timeout`);
      failure = describeFailure(error, settings.target, settings.timeoutMs, false);
    }

    let canConnect: Verdict;
    const outcome: string[] = [];
    if (response === undefined) {
      const ms = Math.trunc(performance.now() - started);
      this.log.info(`${settings.urlTag} is DOWN, error: ${failure!.message}. Connection failed after ${ms} ms`);
      canConnect = { status: CRITICAL, message: `${failure!.message}. Connection failed after ${ms} ms` };
      if (settings.outcomeTag) outcome.push(`http_outcome:${failure!.kind}`);
    } else {
      if (settings.outcomeTag) outcome.push(`http_outcome:${response.status}`);
      if (settings.collectResponseTime) sender.gauge('network.http.response_time', response.elapsedSeconds, [...metricTags, ...outcome]);
      canConnect = judge(settings, response, this.log);
    }
    sender.gauge('network.http.can_connect', canConnect.status === OK ? 1 : 0, [...metricTags, ...outcome]);
    sender.gauge('network.http.cant_connect', canConnect.status === OK ? 0 : 1, [...metricTags, ...outcome]);
    sender.serviceCheck(SERVICE_CHECKS.canConnect, canConnect.status, serviceTags, canConnect.status === OK ? '' : canConnect.message);

    if (settings.checkCertificateExpiration && https) {
      const certificate = await this.certificate(response, signal);
      if (certificate.daysLeft !== undefined && certificate.secondsLeft !== undefined) {
        sender.gauge('http.ssl.days_left', certificate.daysLeft, metricTags);
        sender.gauge('http.ssl.seconds_left', certificate.secondsLeft, metricTags);
      }
      sender.serviceCheck(SERVICE_CHECKS.sslCert, certificate.status, serviceTags, certificate.status === OK ? '' : certificate.message);
    }

    if (failure !== undefined) throw new Error(`${settings.urlTag} is DOWN: ${failure.message}`);
  }

  private async certificate(response: HttpResponse | undefined, signal: AbortSignal): Promise<CertificateVerdict> {
    const settings = this.settings;
    if (settings.useCertFromResponse && response !== undefined) {
      if (response.peerCertificate === undefined || response.peerCertificate.length === 0) {
        const message = 'Unable to retrieve the peer certificate from the HTTP response.';
        this.log.debug(message);
        return { status: UNKNOWN, daysLeft: undefined, secondsLeft: undefined, message };
      }
      return inspectCertificate(response.peerCertificate, settings.thresholds, Date.now());
    }
    let material;
    try {
      material = await tlsMaterial(settings.tls);
    } catch (error) {
      return { status: UNKNOWN, daysLeft: undefined, secondsLeft: undefined, message: (error as Error).message };
    }
    const verdict = await checkCertificateExpiration(settings.target, settings.tls, material, { timeoutMs: settings.timeoutMs, retrieveNonValidated: settings.retrieveNonValidatedCert, thresholds: settings.thresholds }, signal);
    if (signal.aborted) throw new Error(`the certificate check of ${settings.urlTag} was aborted at the run's timeout`);
    if (verdict.daysLeft === undefined) this.log.debug(`Unable to read the certificate of ${settings.urlTag} to get its expiration: ${verdict.message}`);
    return verdict;
  }
}

export const definition: CheckDefinition = {
  name: 'http_check',
  create({ instance, initConfig, logger }: CheckConfig) {
    const check = new HttpCheck(readSettings(instance, initConfig), logger);
    return { run: (sender, signal) => check.run(sender, signal) };
  },
};
