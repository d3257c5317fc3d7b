// DogStatsD listeners: UDP (dgram) and an optional Unix datagram socket (through the Perl
// relay), both feeding the parser.
import { createSocket, type Socket } from 'node:dgram';
import { resolve } from 'node:path';
import type { Component } from '../component.js';
import type { Logger } from '../log.js';
import type { DogStatsdCounters } from './counters.js';
import type { DogStatsdSink } from './messages.js';
import { parseDatagram } from './parser.js';
import { UnixSocketRelay } from './uds-relay.js';

/** The official agent reads datagrams into 8192-byte buffers; longer ones are cut. */
export const DOGSTATSD_BUFFER_SIZE = 8192;

export interface DogStatsdServerOptions {
  /** 0 disables UDP (as DD_DOGSTATSD_PORT=0 does); tests use `listenPort: 0` for an ephemeral one. */
  readonly port: number;
  readonly nonLocalTraffic: boolean;
  readonly socketPath?: string;
  readonly receiveBufferBytes?: number;
  readonly sink: DogStatsdSink;
  readonly counters: DogStatsdCounters;
  readonly logger: Logger;
  /** Bind an ephemeral UDP port even though `port` is 0 (tests). */
  readonly ephemeral?: boolean;
}

export class DogStatsdServer implements Component {
  readonly name = 'dogstatsd';
  private udp: Socket | undefined;
  private uds: UnixSocketRelay | undefined;
  private socketPath = '';
  private boundPort = 0;
  private udpAddress = 'disabled';
  /** What the kernel granted (Linux reports twice the size asked, capped by rmem_max). */
  private receiveBuffer = 0;
  private stopped = false;

  constructor(private readonly options: DogStatsdServerOptions) {}

  /** The UDP port actually bound (0 when UDP is off). */
  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { options } = this;
    if (options.port !== 0 || options.ephemeral === true) await this.startUdp();
    // Absolute, so /proc/net/unix (what `agent-wrapper start` waits on) names it the same way.
    if (options.socketPath !== undefined && options.socketPath !== '') await this.startUds(resolve(options.socketPath));
  }

  private receiveUds = (msg: Buffer): void => {
    this.options.counters.udsPackets++;
    this.options.counters.udsBytes += msg.length;
    this.receive(msg);
  };

  private receive = (msg: Buffer): void => {
    if (this.stopped) return;
    const counters = this.options.counters;
    counters.packets++;
    counters.bytes += msg.length;
    let length = msg.length;
    if (length > DOGSTATSD_BUFFER_SIZE) {
      // Keep the whole messages that fit, as a cut datagram's last message is garbage.
      counters.truncatedPackets++;
      length = msg.lastIndexOf(10, DOGSTATSD_BUFFER_SIZE - 1);
      if (length <= 0) return;
    }
    parseDatagram(msg, length, this.options.sink, counters);
  };

  private async startUdp(): Promise<void> {
    const socket = createSocket({ type: 'udp4', ...(this.options.receiveBufferBytes ? { recvBufferSize: this.options.receiveBufferBytes } : {}) });
    socket.on('message', this.receive);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.nonLocalTraffic ? '0.0.0.0' : '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (error) => {
      this.options.counters.readErrors++;
      this.options.logger.once(`udp-${error.message}`, 'warn', `dogstatsd: UDP read error: ${error.message}`);
    });
    this.boundPort = socket.address().port;
    this.udpAddress = `${socket.address().address}:${this.boundPort}`;
    this.receiveBuffer = socket.getRecvBufferSize();
    this.udp = socket;
    this.options.logger.info(`dogstatsd: listening on UDP ${this.udpAddress}`);
  }

  private async startUds(path: string): Promise<void> {
    this.socketPath = path;
    const { receiveBufferBytes, logger } = this.options;
    this.uds = new UnixSocketRelay({ path, onDatagram: this.receiveUds, logger, ...(receiveBufferBytes ? { receiveBufferBytes } : {}) });
    const problem = await this.uds.start();
    if (problem === undefined) logger.info(`dogstatsd: listening on Unix socket ${path}`);
    else logger.error(`dogstatsd: cannot listen on Unix socket DD_DOGSTATSD_SOCKET=${path}: ${problem}`);
  }

  /** Stops reading; what the Unix socket still held is delivered first. Parsed samples are in the aggregator. */
  async stop(): Promise<void> {
    if (this.udp !== undefined) await new Promise<void>((resolve) => this.udp!.close(() => resolve()));
    if (this.uds !== undefined) await this.uds.stop();
    this.stopped = true;
  }

  status(): Record<string, unknown> {
    return {
      udp: this.udpAddress,
      ...(this.receiveBuffer > 0 ? { udpReceiveBufferBytes: this.receiveBuffer } : {}),
      unixSocket: this.uds === undefined ? 'disabled' : this.uds.unavailable === undefined ? this.socketPath : `unavailable: ${this.uds.unavailable}`,
      ...(this.uds?.pid !== undefined ? { unixSocketRelayPid: this.uds.pid, unixSocketRelayRestarts: this.uds.restarts } : {}),
      ...this.options.counters.snapshot(),
    };
  }
}
