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
if (port.startsWith('/')) sendUnix(port);
else sendUdp();

function sendUnix(path) {
  const socket = createRequire(import.meta.url)('unix-dgram').createSocket('unix_dgram');
  socket.on('error', (error) => {
    console.error(error.message);
    process.exit(1);
  });
  socket.on('congestion', () => {}); // counted below from send's return
  socket.connect(path);
  let sent = 0;
  let samples = 0;
  let dropped = 0;
  const start = performance.now();
  const tick = () => {
    const elapsed = performance.now() - start;
    const due = Math.min(Math.floor((elapsed * perSecond) / 1000), Math.floor((duration * perSecond) / 1000));
    while (sent < due) {
      const t = templates[sent % templates.length];
      let congested = false;
      socket.send(t.buf, (error) => (congested = error !== undefined));
      if (congested) dropped++;
      samples += t.samples;
      sent++;
    }
    if (elapsed < duration) setImmediate(tick);
    else {
      process.stdout.write(JSON.stringify({ datagrams: sent, samples, errors: 0, dropped, seconds: (performance.now() - start) / 1000 }));
      socket.close();
    }
  };
  tick();
}

function sendUdp() {
  const socket = createSocket('udp4');
  socket.connect(Number(port), '127.0.0.1', () => {
    let sent = 0;
    let samples = 0;
    let inFlight = 0;
    let errors = 0;
    const start = performance.now();
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed * perSecond) / 1000), Math.floor((duration * perSecond) / 1000));
      while (sent < due && inFlight < 2048) {
        const t = templates[sent % templates.length];
        inFlight++;
        socket.send(t.buf, (error) => {
          inFlight--;
          if (error) errors++;
        });
        samples += t.samples;
        sent++;
      }
      if (elapsed < duration || sent < due) setImmediate(tick);
      else {
        const wait = () => (inFlight > 0 ? setImmediate(wait) : (process.stdout.write(JSON.stringify({ datagrams: sent, samples, errors, seconds: (performance.now() - start) / 1000 })), socket.close()));
        wait();
      }
    };
    tick();
  });
}
