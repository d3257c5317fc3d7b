// Etsy statsd backend for bench/dogstatsd.mjs: the daemon flushes every 10 s as it would in
// production, and this keeps the count of metrics received across those flushes.
let total = 0;

exports.init = function init(_startup, _config, events) {
  events.on('flush', (_timestamp, metrics) => {
    total += metrics.counters['statsd.metrics_received'] || 0;
  });
  events.on('status', (write) => write(null, 'benchcount', 'metrics_received_total', total));
  return true;
};
