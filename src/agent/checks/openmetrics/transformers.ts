// How one sample is submitted, by the type its metric is handled as, as the official v2
// transformers do: counter → `.count`, histogram → `.bucket`/`.sum`/`.count`, summary →
// `.quantile`/`.sum`/`.count`, all counts monotonic; gauge and rate as they are.
import type { Sender } from '../check.js';
import type { MetricFamily, MetricType, Sample } from './exposition.js';
import type { TransformerType } from './config.js';

/** The types a `native` metric may have; others (info, stateset, gaugehistogram, unknown) are skipped. */
export const NATIVE_TYPES: ReadonlySet<MetricType> = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary']);

export type SubmitType = Exclude<TransformerType, 'native' | 'native_dynamic'>;

export type MetricSender = Pick<Sender, 'gauge' | 'rate' | 'monotonicCount'>;

export interface SampleContext {
  readonly family: MetricFamily;
  readonly sample: Sample;
  /** The sample's labels after the histogram/summary normalization (`le` → `upper_bound`). */
  readonly labels: ReadonlyMap<string, string>;
  readonly tags: readonly string[];
  readonly hostname: string | undefined;
}

export function submitSample(sender: MetricSender, type: SubmitType, name: string, context: SampleContext, collectHistogramBuckets: boolean): void {
  const { sample, tags, hostname } = context;
  const sampleName = sample.name;
  switch (type) {
    case 'gauge':
      sender.gauge(name, sample.value, tags, hostname);
      return;
    case 'rate':
      sender.rate(name, sample.value, tags, hostname);
      return;
    case 'counter':
      if (sampleName.endsWith('_total')) sender.monotonicCount(`${name}.count`, sample.value, tags, hostname);
      return;
    case 'histogram':
      if (sampleName.endsWith('_sum')) sender.monotonicCount(`${name}.sum`, sample.value, tags, hostname);
      else if (sampleName.endsWith('_count')) sender.monotonicCount(`${name}.count`, sample.value, tags, hostname);
      else if (collectHistogramBuckets && sampleName.endsWith('_bucket')) {
        const upperBound = context.labels.get('upper_bound');
        // The +Inf bucket is the `.count` context again: not sent.
        if (upperBound !== undefined && !upperBound.endsWith('inf')) sender.monotonicCount(`${name}.bucket`, sample.value, tags, hostname);
      }
      return;
    case 'summary':
      if (sampleName.endsWith('_sum')) sender.monotonicCount(`${name}.sum`, sample.value, tags, hostname);
      else if (sampleName.endsWith('_count')) sender.monotonicCount(`${name}.count`, sample.value, tags, hostname);
      else if (sampleName === context.family.name) sender.gauge(`${name}.quantile`, sample.value, tags, hostname);
      return;
  }
}
