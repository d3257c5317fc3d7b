// What the parser hands on: metric samples go through a callback (hot path), events and
// service checks, rare, as objects.

export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'timer' | 'distribution' | 'set';

export interface DogStatsdEvent {
  readonly title: string;
  readonly text: string;
  /** Unix seconds; 0 when the client sent none. */
  readonly timestamp: number;
  readonly host: string | undefined;
  readonly aggregationKey: string | undefined;
  readonly priority: 'normal' | 'low';
  readonly sourceType: string | undefined;
  readonly alertType: 'error' | 'warning' | 'info' | 'success';
  /** Raw comma-separated tags as sent. */
  readonly tags: string;
}

export interface DogStatsdServiceCheck {
  readonly name: string;
  readonly status: 0 | 1 | 2 | 3;
  readonly timestamp: number;
  readonly host: string | undefined;
  readonly message: string;
  readonly tags: string;
}

export interface DogStatsdSink {
  /**
   * One sample. `tags` is the raw comma list ('' when none); `setValue` is the raw member for
   * sets; `timestamp` is the `|T` unix time or 0; `rate` is in (0, 1].
   */
  metric(name: string, tags: string, kind: MetricKind, value: number, setValue: string | undefined, rate: number, timestamp: number): void;
  event(event: DogStatsdEvent): void;
  serviceCheck(check: DogStatsdServiceCheck): void;
}
