'use strict';
// A web app as a Heroku user writes one: dd-trace first, hot-shots for custom metrics, the
// agent of its dyno on 127.0.0.1 (DogStatsD 8125, traces 8126 unless the dyno says otherwise).
const tracer = require('dd-trace').init({ flushInterval: 500 });
const http = require('node:http');
const StatsD = require('hot-shots');

const statsd = new StatsD({
  host: '127.0.0.1',
  port: Number(process.env.DD_DOGSTATSD_PORT) || 8125,
  globalTags: { route_group: 'web' },
  errorHandler: (error) => console.error(`statsd: ${error.message}`),
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pretend work in a child span: a query that takes `ms`. */
function query(sql, ms) {
  return tracer.trace('demo.query', { resource: sql, type: 'sql', service: 'demo-app-db' }, () => sleep(ms));
}

const routes = {
  '/': async () => {
    await query('SELECT * FROM products WHERE featured = ?', 2 + Math.random() * 6);
    return { status: 200, body: { hello: 'world' } };
  },
  '/slow': async () => {
    await query('SELECT * FROM orders ORDER BY created_at DESC LIMIT ?', 20 + Math.random() * 40);
    await tracer.trace('demo.render', { resource: 'orders.html' }, () => sleep(5 + Math.random() * 10));
    return { status: 200, body: { orders: [] } };
  },
  '/error': async () => {
    await query('UPDATE carts SET total = ? WHERE id = ?', 3);
    const span = tracer.scope().active();
    if (span) span.setTag('error', new Error('cart total out of range'));
    statsd.increment('demo.errors', 1, { route: '/error' });
    return { status: 500, body: { error: 'cart total out of range' } };
  },
};

let inflight = 0;
const server = http.createServer(async (req, res) => {
  const started = process.hrtime.bigint();
  const route = req.url.split('?')[0];
  const handler = routes[route];
  // Plain node:http has no routes: name the request span's resource after ours, as a framework would.
  tracer.scope().active()?.setTag('resource.name', `${req.method} ${route}`);
  inflight++;
  statsd.gauge('demo.inflight', inflight);
  const { status, body } = handler ? await handler() : { status: 404, body: { error: 'not found' } };
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(text);
  inflight--;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const tags = { route, status: String(status) };
  statsd.increment('demo.requests', 1, tags);
  statsd.timing('demo.response_time', ms, tags);
  statsd.distribution('demo.response_bytes', text.length + Math.round(Math.random() * 400), tags);
});

server.listen(Number(process.env.PORT) || 5000, () => {
  console.log(`demo-app listening on ${process.env.PORT || 5000}`);
  statsd.event('demo-app started', `release ${process.env.HEROKU_RELEASE_VERSION || 'local'} on ${process.env.DYNO || 'a laptop'}`, { alert_type: 'info' });
});

// A health check the app reports itself, every 5 s.
const health = setInterval(() => statsd.check('demo.app.can_serve', statsd.CHECKS.OK, { message: `${inflight} in flight` }), 5000);
statsd.check('demo.app.can_serve', statsd.CHECKS.OK);

// Heroku sends SIGTERM on restart: finish in-flight requests, let the tracer and statsd flush.
process.on('SIGTERM', () => {
  clearInterval(health);
  server.close();
  setTimeout(() => statsd.close(() => process.exit(0)), 1000);
});
