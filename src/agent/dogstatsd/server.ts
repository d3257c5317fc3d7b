// DogStatsD listeners: UDP and an optional Unix datagram socket, both read by the Perl relay
// (relay.ts) and fed to the parser; UDP falls back to Node's dgram where perl cannot be run.
// In a builtin dyno both sockets are the supervisor's, inherited (inherited-sockets.ts): the relays
// read them by descriptor and they outlive this process.
import { createSocket, type Socket } from 'node:dgram';
import { resolve } from 'node:path';
import type { Component } from '../component.js';
import type { Logger } from '../../log.js';
import type { DogStatsdCounters } from './counters.js';
import type { DogStatsdSink } from './messages.js';
import { parseDatagram } from './parser.js';
import { inheritedSockets, type InheritedSockets } from './inherited-sockets.js';
import { DatagramRelay, type RelaySocket } from './relay.js';

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
  /** The perl that runs the relays (tests point it elsewhere to see the fallback). */
  readonly perl?: string;
  /** Sockets bound by the supervisor (inherited-sockets.ts); DD_BUILDPACK_INHERITED_SOCKETS by default. */
  readonly inherited?: InheritedSockets;
}

export class DogStatsdServer implements Component {
  readonly name = 'dogstatsd';
  private udpRelay: DatagramRelay | undefined;
  /** Node's own UDP socket, only when perl could not be run. */
  private udp: Socket | undefined;
  private uds: DatagramRelay | undefined;
  private socketPath = '';
  private boundPort = 0;
  private udpAddress = 'disabled';
  /** What the kernel granted (Linux reports twice the size asked, capped by rmem_max). */
  private receiveBuffer = 0;

  private readonly inherited: InheritedSockets;

  constructor(private readonly options: DogStatsdServerOptions) {
    this.inherited = options.inherited ?? inheritedSockets();
  }

  /** The UDP port actually bound (0 when UDP is off). */
  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { options } = this;
    // Absolute, so /proc/net/unix (what `agent-wrapper start` waits on) names it the same way.
    const socketPath = options.socketPath ? resolve(options.socketPath) : undefined;
    await Promise.all([
      options.port !== 0 || options.ephemeral === true ? this.startUdp() : undefined,
      socketPath !== undefined ? this.startUds(socketPath) : undefined,
    ]);
  }

  private receiveUds = (msg: Buffer): void => {
    this.options.counters.udsPackets++;
    this.options.counters.udsBytes += msg.length;
    this.receive(msg);
  };

  private receive = (msg: Buffer): void => {
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

  private relay(socket: RelaySocket, onDatagram: (msg: Buffer) => void): DatagramRelay {
    const { receiveBufferBytes, logger, perl } = this.options;
    const fd = this.inherited[socket.kind];
    return new DatagramRelay({
      socket,
      onDatagram,
      logger,
      ...(fd !== undefined ? { fd } : {}),
      ...(receiveBufferBytes ? { receiveBufferBytes } : {}),
      ...(perl !== undefined ? { perl } : {}),
    });
  }

  private async startUdp(): Promise<void> {
    const { port, logger } = this.options;
    const address = this.options.nonLocalTraffic ? '0.0.0.0' : '127.0.0.1';
    const relay = this.relay({ kind: 'udp', address, port }, this.receive);
    const problem = await relay.start();
    if (problem === undefined) {
      this.udpRelay = relay;
      this.listeningOnUdp(address, relay.port, relay.receiveBuffer);
      return;
    }
    if (problem.startsWith('bind: ')) throw new Error(`DD_DOGSTATSD_PORT=${port}: cannot listen on UDP ${address}:${port}: ${problem}`);
    logger.warn(`dogstatsd: no relay (${problem}); Node reads UDP itself, slower and with nothing read while the agent is busy`);
    await this.startNodeUdp(address);
  }

  private async startNodeUdp(address: string): Promise<void> {
    const socket = createSocket({ type: 'udp4', ...(this.options.receiveBufferBytes ? { recvBufferSize: this.options.receiveBufferBytes } : {}) });
    socket.on('message', this.receive);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (error) => {
      this.options.counters.readErrors++;
      this.options.logger.once(`udp-${error.message}`, 'warn', `dogstatsd: UDP read error: ${error.message}`);
    });
    this.udp = socket;
    this.listeningOnUdp(address, socket.address().port, socket.getRecvBufferSize());
  }

  private listeningOnUdp(address: string, port: number, receiveBuffer: number): void {
    this.boundPort = port;
    this.udpAddress = `${address}:${port}`;
    this.receiveBuffer = receiveBuffer;
    this.options.logger.info(`dogstatsd: listening on UDP ${this.udpAddress}`);
  }

  private async startUds(path: string): Promise<void> {
    this.socketPath = path;
    this.uds = this.relay({ kind: 'unix', path }, this.receiveUds);
    const problem = await this.uds.start();
    if (problem === undefined) this.options.logger.info(`dogstatsd: listening on Unix socket ${path}`);
    else this.options.logger.error(`dogstatsd: cannot listen on Unix socket DD_DOGSTATSD_SOCKET=${path}: ${problem}`);
  }

  /** Stops reading; what the sockets still held is delivered first. Parsed samples are in the aggregator. */
  async stop(): Promise<void> {
    const udp = this.udp;
    await Promise.all([
      this.udpRelay?.stop(),
      this.uds?.stop(),
      udp !== undefined ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined,
    ]);
  }

  status(): Record<string, unknown> {
    const { udpRelay, uds } = this;
    return {
      udp: udpRelay?.unavailable !== undefined ? `unavailable: ${udpRelay.unavailable}` : this.udpAddress,
      ...(this.receiveBuffer > 0 ? { udpReceiveBufferBytes: this.receiveBuffer } : {}),
      ...(udpRelay?.pid !== undefined ? { udpRelayPid: udpRelay.pid, udpRelayRestarts: udpRelay.restarts } : {}),
      unixSocket: uds === undefined ? 'disabled' : uds.unavailable === undefined ? this.socketPath : `unavailable: ${uds.unavailable}`,
      ...(uds?.pid !== undefined ? { unixSocketRelayPid: uds.pid, unixSocketRelayRestarts: uds.restarts } : {}),
      ...this.options.counters.snapshot(),
    };
  }
}
