// Free ports for the demo: the default when it is free, else one the kernel picks.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function tcpFree(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** `preferred` when free (TCP, and UDP when asked), else a random free port; 0 means random. */
export async function freePort(preferred: number, udp = false): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await tcpFree(attempt === 0 ? preferred : 0);
    if (port !== undefined && (!udp || (await udpFree(port)))) return port;
  }
  throw new Error('no free port found on 127.0.0.1');
}
