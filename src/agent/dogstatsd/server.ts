// DogStatsD listeners: UDP (dgram) and an optional Unix datagram socket, both feeding the parser.
import { createSocket, type Socket } from 'node:dgram';
import { lstatSync, rmSync } from 'node:fs';
import type { Component } from '../component.js';
import type { Logger } from '../log.js';
import type { DogStatsdCounters } from './counters.js';
import type { DogStatsdSink } from './messages.js';
import { parseDatagram } from './parser.js';
import { loadUnixDgram, type UnixDatagramSocket } from './unix-socket.js';

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
  private uds: UnixDatagramSocket | undefined;
  private udsError: string | undefined;
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
    if (options.socketPath !== undefined && options.socketPath !== '') this.startUds(options.socketPath);
  }

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

  private startUds(path: string): void {
    const module = loadUnixDgram();
    if (module instanceof Error) {
      this.udsError = module.message;
      this.options.logger.error(`dogstatsd: cannot listen on ${path}: ${module.message}`);
      return;
    }
    removeStaleSocket(path); // a socket file left by a previous run would make bind fail
    const socket = module.createSocket('unix_dgram', this.receive);
    socket.on('error', (error) => {
      this.udsError = error.message;
      this.options.counters.readErrors++;
      this.options.logger.once(`uds-${error.message}`, 'error', `dogstatsd: Unix socket ${path}: ${error.message}`);
    });
    socket.bind(path);
    if (this.udsError === undefined) {
      this.uds = socket;
      this.options.logger.info(`dogstatsd: listening on Unix socket ${path}`);
    }
  }

  /** Stops reading at once; what was parsed is already in the aggregator. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.udp !== undefined) await new Promise<void>((resolve) => this.udp!.close(() => resolve()));
    if (this.uds !== undefined) {
      try {
        this.uds.close();
      } catch {
        // already closed
      }
      removeStaleSocket(this.options.socketPath!);
    }
  }

  status(): Record<string, unknown> {
    return {
      udp: this.udpAddress,
      ...(this.receiveBuffer > 0 ? { udpReceiveBufferBytes: this.receiveBuffer } : {}),
      unixSocket: this.options.socketPath ? (this.uds !== undefined ? this.options.socketPath : `unavailable: ${this.udsError ?? 'not started'}`) : 'disabled',
      ...this.options.counters.snapshot(),
    };
  }
}

/** Removes `path` only when it is a socket: a mistyped DD_DOGSTATSD_SOCKET never deletes a file. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) rmSync(path, { force: true });
  } catch {
    // nothing there
  }
}
