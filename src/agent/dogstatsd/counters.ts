// DogStatsD counters shown by `agent status`: what arrived and what was refused, per kind.

export type ParseErrorKind = 'metric' | 'event' | 'serviceCheck';

export class DogStatsdCounters {
  packets = 0;
  bytes = 0;
  /** Of packets and bytes, what came through the Unix socket. */
  udsPackets = 0;
  udsBytes = 0;
  readErrors = 0;
  /** Metric messages read whole (a multi-value message is one packet and several samples), as the Agent's Metric Packets. */
  metricPackets = 0;
  metricSamples = 0;
  metricParseErrors = 0;
  events = 0;
  eventParseErrors = 0;
  serviceChecks = 0;
  serviceCheckParseErrors = 0;
  /** Datagrams longer than the 8192-byte buffer: the kernel cut them, their tail is lost. */
  truncatedPackets = 0;

  parseError(kind: ParseErrorKind): void {
    if (kind === 'metric') this.metricParseErrors++;
    else if (kind === 'event') this.eventParseErrors++;
    else this.serviceCheckParseErrors++;
  }

  snapshot(): Record<string, number> {
    return {
      packets: this.packets,
      bytes: this.bytes,
      udsPackets: this.udsPackets,
      udsBytes: this.udsBytes,
      readErrors: this.readErrors,
      truncatedPackets: this.truncatedPackets,
      metricPackets: this.metricPackets,
      metricSamples: this.metricSamples,
      metricParseErrors: this.metricParseErrors,
      events: this.events,
      eventParseErrors: this.eventParseErrors,
      serviceChecks: this.serviceChecks,
      serviceCheckParseErrors: this.serviceCheckParseErrors,
    };
  }
}
