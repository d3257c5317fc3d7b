#!/usr/bin/env node
// Paced DogStatsD sender for bench/dogstatsd.mjs, run as its own process so it never competes
// with the receiver's event loop. Usage: dogstatsd-sender.mjs <port | socket path> <datagrams/s> <seconds> <single|packed> [contexts]
// A path sends over a Unix datagram socket (unix-dgram, as hot-shots does), non-blocking like
// the stock clients: a datagram refused while the socket's queue is full is dropped and counted.
// Prints {"datagrams":N,"samples":N,"seconds":S,"dropped":N} on stdout.
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';

const [port, rate, seconds, kind, contexts = '100'] = process.argv.slice(2);
const perSecond = Number(rate);
const duration = Number(seconds) * 1000;
const contextCount = Number(contexts);

/** One datagram: a single counter, or ~1400 bytes of mixed types packed one per line. */
function payload(i) {
  if (kind === 'single') return { buf: Buffer.from(`bench.requests:1|c|#route:r${i % contextCount},env:bench`), samples: 1 };
  const lines = [];
  let size = 0;
  let n = 0;
  const types = ['c', 'g', 'ms', 'h', 'd'];
  while (size < 1360) {
    const line = `bench.packed.m${(i + n) % contextCount}:${(n * 7) % 500}|${types[n % types.length]}|#route:r${n % 10},env:bench`;
    lines.push(line);
    size += line.length + 1;
    n++;
  }
  return { buf: Buffer.from(lines.join('\n')), samples: n };
}

const templates = Array.from({ length: 64 }, (_, i) => payload(i));
const report = { datagrams: 0, samples: 0, errors: 0, dropped: 0 };

/** Sends the templates at `perSecond` for `duration` through `transport`, then prints the report. */
function pace(transport) {
  const start = performance.now();
  const last = Math.floor((duration * perSecond) / 1000);
  const tick = () => {
    const elapsed = performance.now() - start;
    const due = Math.min(Math.floor((elapsed * perSecond) / 1000), last);
    while (report.datagrams < due && transport.canSend()) {
      const t = templates[report.datagrams % templates.length];
      transport.send(t.buf);
      report.samples += t.samples;
      report.datagrams++;
    }
    if (elapsed < duration || report.datagrams < due) return void setImmediate(tick);
    const finish = () => {
      if (!transport.idle()) return void setImmediate(finish);
      process.stdout.write(JSON.stringify({ ...report, seconds: (performance.now() - start) / 1000 }));
      transport.close();
    };
    finish();
  };
  tick();
}

if (port.startsWith('/')) {
  const socket = createRequire(import.meta.url)('unix-dgram').createSocket('unix_dgram');
  socket.on('error', (error) => {
    console.error(error.message);
    process.exit(1);
  });
  socket.on('congestion', () => {}); // counted from send's callback, which unix-dgram calls at once
  socket.connect(port);
  pace({
    canSend: () => true,
    send: (buf) => socket.send(buf, (error) => error !== undefined && report.dropped++),
    idle: () => true,
    close: () => socket.close(),
  });
} else {
  const socket = createSocket('udp4');
  let inFlight = 0;
  socket.connect(Number(port), '127.0.0.1', () =>
    pace({
      canSend: () => inFlight < 2048,
      send: (buf) => {
        inFlight++;
        socket.send(buf, (error) => {
          inFlight--;
          if (error) report.errors++;
        });
      },
      idle: () => inFlight === 0,
      close: () => socket.close(),
    }),
  );
}
