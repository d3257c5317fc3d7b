// One scrape of an endpoint, as the v2 OpenMetrics scraper does it: the health service check, then
// each exposed family filtered (`exclude_metrics`), matched against `metrics`, its labels turned
// into tags, and each sample submitted, at most `max_returned_metrics` of them a run.
import { CRITICAL, OK, type Sender } from '../check.js';
import type { Logger } from '../../../log.js';
import type { MetricRule, OpenMetricsSettings } from './config.js';
import { ExpositionParser, pythonFloatString, parseFloatValue, type ExpositionFormat, type MetricFamily, type MetricType, type Sample } from './exposition.js';
import { EndpointError, sendScrape } from './http.js';
import { NATIVE_TYPES, submitSample, type MetricSender, type SubmitType } from './transformers.js';

export const CHECK_NAME = 'openmetrics';
export const HEALTH_SERVICE_CHECK = 'openmetrics.health';

/** Metric names matched by a regex of `metrics` are remembered up to this many, then forgotten. */
const WILDCARD_CACHE_LIMIT = 10_000;

/** A configured metric as resolved for one exposed name; `native` keeps the first type it met. */
interface ResolvedMetric {
  readonly sentName: string;
  readonly rule: MetricRule;
  nativeType: MetricType | undefined;
}

/** A family's fate for this run: skipped, or the metric it is submitted as. */
type FamilyPlan = { readonly skip: true } | { readonly skip: false; readonly type: SubmitType; readonly sentName: string };

/** Counts submissions the way AgentCheck's metric limiter does, one per call. */
class MetricLimit implements MetricSender {
  submitted = 0;
  reached = false;

  constructor(
    private readonly sender: Sender,
    private readonly limit: number,
    private readonly onReached: () => void,
  ) {}

  private allow(): boolean {
    if (this.reached) return false;
    if (++this.submitted > this.limit) {
      this.reached = true;
      this.onReached();
      return false;
    }
    return true;
  }

  gauge: MetricSender['gauge'] = (...args) => this.allow() && this.sender.gauge(...args);
  rate: MetricSender['rate'] = (...args) => this.allow() && this.sender.rate(...args);
  monotonicCount: MetricSender['monotonicCount'] = (...args) => this.allow() && this.sender.monotonicCount(...args);
}

export class OpenMetricsScraper {
  private readonly endpointText: string;
  /** Tags of the service check, and of every metric after its labels. */
  private readonly staticTags: readonly string[];
  private readonly exact = new Map<string, ResolvedMetric>();
  private readonly wildcards = new Map<string, ResolvedMetric>();

  constructor(
    private readonly settings: OpenMetricsSettings,
    private readonly logger: Logger,
  ) {
    this.endpointText = settings.endpointText;
    this.staticTags = settings.tagByEndpoint ? [`endpoint:${this.endpointText}`] : [];
    for (const [exposed, rule] of settings.exactMetrics) this.exact.set(exposed, { sentName: `${settings.namespace}.${rule.name ?? exposed}`, rule, nativeType: undefined });
  }

  async scrape(sender: Sender, signal: AbortSignal): Promise<void> {
    const settings = this.settings;
    const health = (status: typeof OK | typeof CRITICAL, message?: string): void => {
      if (settings.healthServiceCheck) sender.serviceCheck(`${settings.namespace}.${HEALTH_SERVICE_CHECK}`, status, this.staticTags, message);
    };
    let response;
    try {
      response = await sendScrape({
        url: settings.endpoint,
        headers: settings.headers,
        timeoutMs: settings.timeoutMs,
        tlsVerify: settings.tlsVerify,
        ca: settings.tlsCa,
        cert: settings.tlsCert,
        key: settings.tlsKey,
        signal,
      });
    } catch (error) {
      const message = (error as Error).message;
      health(CRITICAL, message);
      if (settings.ignoreConnectionErrors && error instanceof EndpointError && error.connection) {
        this.logger.warn(`OpenMetrics endpoint ${this.endpointText} is not accessible`);
        return;
      }
      throw new Error(`There was an error scraping endpoint ${this.endpointText}: ${message}`);
    }
    health(OK);

    const mediaType = response.contentType.split(';')[0]!.trim().toLowerCase();
    const format: ExpositionFormat = settings.useLatestSpec || mediaType === 'application/openmetrics-text' ? 'openmetrics' : 'prometheus';
    const limit = new MetricLimit(sender, settings.maxReturnedMetrics, () => {
      this.logger.warn(`Check ${CHECK_NAME} exceeded limit of ${settings.maxReturnedMetrics} metrics, ignoring next ones`);
    });
    let lastFamily: MetricFamily | undefined;
    let plan: FamilyPlan = { skip: true };
    const parser = new ExpositionParser(
      format,
      (family, sample) => {
        if (family !== lastFamily) {
          lastFamily = family;
          plan = this.plan(family);
        }
        if (!plan.skip) this.submit(limit, plan, family, sample);
      },
      settings.rawLineFilter === undefined ? {} : { skipLine: settings.rawLineFilter },
    );
    try {
      await response.read((text) => {
        parser.write(text);
        return !limit.reached && !parser.ended;
      });
      parser.end();
    } catch (error) {
      throw new Error(`There was an error scraping endpoint ${this.endpointText}: ${(error as Error).message}`);
    } finally {
      response.close();
    }
    if (parser.malformed > 0) {
      const first = parser.firstMalformed!;
      const what = `${parser.malformed} malformed line${parser.malformed === 1 ? '' : 's'} (line ${first.line}: ${first.reason})`;
      if (parser.samples === 0) throw new Error(`There was an error scraping endpoint ${this.endpointText}: the response is not Prometheus or OpenMetrics text: ${what}`);
      this.logger.warn(`openmetrics: skipped ${what} of ${this.endpointText}`);
    }
  }

  /** Whether a family is collected, and how: by exact name first, then by the first regex it matches. */
  private plan(family: MetricFamily): FamilyPlan {
    const settings = this.settings;
    let name = family.name;
    if (settings.rawMetricPrefix !== '' && name.startsWith(settings.rawMetricPrefix)) name = name.slice(settings.rawMetricPrefix.length);
    if (settings.excludeMetrics.has(name) || settings.excludeMetricsPattern?.test(name)) return { skip: true };
    let resolved = this.exact.get(name) ?? this.wildcards.get(name);
    if (resolved === undefined) {
      const match = settings.metricPatterns.find(({ pattern }) => pattern.test(name));
      if (match === undefined) return { skip: true };
      resolved = { sentName: `${settings.namespace}.${name}`, rule: match.rule, nativeType: undefined };
      if (settings.cacheMetricWildcards) {
        if (this.wildcards.size >= WILDCARD_CACHE_LIMIT) this.wildcards.clear();
        this.wildcards.set(name, resolved);
      }
    }
    const ruleType = resolved.rule.type;
    if (ruleType === 'native' || ruleType === 'native_dynamic') {
      if (!NATIVE_TYPES.has(family.type)) {
        this.logger.debug(`Metric \`${name}\` has ${family.type === 'unknown' ? 'no type, so you must define one in the `metrics` setting' : `unsupported type \`${family.type}\``}`);
        return { skip: true };
      }
      if (ruleType === 'native') resolved.nativeType ??= family.type;
      const type = (ruleType === 'native' ? resolved.nativeType! : family.type) as SubmitType;
      return { skip: false, type, sentName: resolved.sentName };
    }
    return { skip: false, type: ruleType, sentName: resolved.sentName };
  }

  private submit(sender: MetricSender, plan: Extract<FamilyPlan, { skip: false }>, family: MetricFamily, sample: Sample): void {
    const settings = this.settings;
    if (!Number.isFinite(sample.value)) return; // NaN and ±Inf are not submitted, as the official check skips them
    const labels = new Map(sample.labels);
    if (family.type === 'histogram') {
      const le = labels.get('le');
      if (le !== undefined) {
        const bound = parseFloatValue(le.trim());
        if (bound === undefined) return;
        labels.delete('le');
        labels.set('upper_bound', pythonFloatString(bound));
      }
    } else if (family.type === 'summary') {
      const quantile = labels.get('quantile');
      if (quantile !== undefined) {
        const q = parseFloatValue(quantile.trim());
        if (q === undefined) return;
        labels.set('quantile', pythonFloatString(q));
      }
    }
    const tags: string[] = [];
    for (const [label, value] of labels) {
      const excluder = settings.excludeMetricsByLabels.get(label);
      if (excluder !== undefined && (excluder === true || excluder.test(value))) return;
      if (settings.excludeLabels.has(label)) continue;
      if (settings.includeLabels.size > 0 && !settings.includeLabels.has(label)) continue;
      tags.push(`${settings.renameLabels.get(label) ?? label}:${value}`);
    }
    tags.push(...this.staticTags);
    let hostname: string | undefined;
    if (settings.hostnameLabel !== '') {
      const value = labels.get(settings.hostnameLabel);
      if (value !== undefined) hostname = settings.hostnameFormat !== '' ? settings.hostnameFormat.replace('<HOSTNAME>', value) : value;
    }
    submitSample(sender, plan.type, plan.sentName, { family, sample, labels, tags, hostname }, settings.collectHistogramBuckets);
  }
}
