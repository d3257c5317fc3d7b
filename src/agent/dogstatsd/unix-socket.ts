// Unix datagram sockets: Node 20 has none built in, so the agent uses the `unix-dgram` native
// addon (the one hot-shots uses) when it can be found, and reports UDS as unavailable otherwise.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface UnixDatagramSocket {
  on(event: 'message', listener: (buf: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'listening', listener: () => void): unknown;
  bind(path: string): void;
  close(): void;
}

interface UnixDgramModule {
  createSocket(type: 'unix_dgram', listener?: (buf: Buffer) => void): UnixDatagramSocket;
}

/** unix-dgram from the node_modules beside the bundle, the working directory, or the default lookup. */
export function loadUnixDgram(): UnixDgramModule | Error {
  const here = typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js');
  const require = createRequire(here);
  const name = 'unix-dgram'; // a variable, so the bundler leaves this native module out
  const searchFrom = [dirname(here), join(dirname(here), '..'), process.cwd()];
  try {
    return require(require.resolve(name, { paths: searchFrom })) as UnixDgramModule;
  } catch (error) {
    return new Error(`unix-dgram (native addon for Unix datagram sockets) is not available: ${(error as Error).message.split('\n')[0]}`);
  }
}
