// The DogStatsD section (comp/dogstatsd/status/impl/status_templates/dogstatsd.tmpl): the
// server's counters under formatTitle'd names, sorted, as the template ranges over its map.
import { byKey, formatTitle, humanize, num, str, type Fields } from './status-format.js';

/** The built-in server's keys that feed the Agent's counters (or are shown below under another name). */
const MAPPED = new Set([
  'metricPackets', 'metricParseErrors', 'events', 'eventParseErrors', 'serviceChecks', 'serviceCheckParseErrors',
  'packets', 'bytes', 'udsPackets', 'udsBytes', 'readErrors', 'metricSamples',
  'udp', 'unixSocket', 'udpRelayPid', 'unixSocketRelayPid', 'unixSocketRelayRestarts',
]);

export function renderDogstatsd(d: Fields): string {
  const entries: [string, string][] = [];
  const add = (key: string, value: number | string | undefined): void => {
    // Pids are names, not amounts: no thousands separator.
    if (value !== undefined) entries.push([key, typeof value === 'number' && !key.endsWith('Pid') ? humanize(value) : String(value)]);
  };
  const packets = num(d, 'packets');
  const bytes = num(d, 'bytes');
  const udsPackets = num(d, 'udsPackets');
  const udsBytes = num(d, 'udsBytes');
  // The Agent counts one Metric Packet per metric message; the built-in server counts samples
  // (a multi-value message is several), shown in the Aggregator section. Only a server that
  // counts messages fills this line.
  add('MetricPackets', num(d, 'metricPackets'));
  add('MetricParseErrors', num(d, 'metricParseErrors'));
  add('EventPackets', num(d, 'events'));
  add('EventParseErrors', num(d, 'eventParseErrors'));
  add('ServiceCheckPackets', num(d, 'serviceChecks'));
  add('ServiceCheckParseErrors', num(d, 'serviceCheckParseErrors'));
  // packets and bytes count both sockets; the Unix socket's share is counted apart.
  add('UdpPackets', packets !== undefined ? packets - (udsPackets ?? 0) : undefined);
  add('UdpBytes', bytes !== undefined ? bytes - (udsBytes ?? 0) : undefined);
  add('UdpPacketReadingErrors', num(d, 'readErrors'));
  add('UdsPackets', udsPackets);
  add('UdsBytes', udsBytes);
  // Beyond the Agent: where it listens, and the relays that read the sockets.
  add('UdpListening', str(d, 'udp'));
  add('UdsListening', str(d, 'unixSocket'));
  add('UdpRelayPid', num(d, 'udpRelayPid'));
  add('UdsRelayPid', num(d, 'unixSocketRelayPid'));
  add('UdsRelayRestarts', num(d, 'unixSocketRelayRestarts'));
  // Every other counter the server reports (relay restarts, truncated packets, caps…), named alike.
  for (const [key, value] of Object.entries(d)) {
    if (MAPPED.has(key) || typeof value !== 'number') continue;
    add(key.charAt(0).toUpperCase() + key.slice(1), value);
  }
  const lines = [''];
  for (const [key, value] of byKey(entries)) lines.push(`  ${formatTitle(key)}: ${value}`);
  return `${lines.join('\n')}\n`;
}

