// A small app instrumented by the real dd-trace: an HTTP server with a fake SQL call and an error
// route, which calls itself, lets the tracer flush to DD_TRACE_AGENT_URL, and exits.
'use strict';
const tracer = require('dd-trace').init({ flushInterval: 50, plugins: true });
const http = require('node:http');

function fakeQuery(id) {
  // What a database integration records: a child span of type sql whose resource is the statement.
  const statement = `SELECT id, name FROM users WHERE id = ${id} AND email = 'bob@example.com'`;
  return tracer.trace('pg.query', { resource: statement, type: 'sql', tags: { 'sql.query': statement, 'db.type': 'postgres', card: '4111 1111 1111 1111' } }, () => {
    const until = Date.now() + 5;
    while (Date.now() < until); // the "query" takes a few milliseconds
    return { id, name: 'bob' };
  });
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/users/')) {
    const user = fakeQuery(Number(req.url.split('/')[2].split('?')[0]));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(user));
  } else {
    res.writeHead(500);
    res.end('boom');
  }
});

function get(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  await get(port, '/users/42?token=hunter2');
  await get(port, '/boom');
  server.close();
  // Long enough for a few flush intervals of the tracer; the test waits for the intake anyway.
  setTimeout(() => process.exit(0), 1500);
});
