// What the dyno benchmarks share: a builtin-flavour slug compiled by the real bin/compile (the
// app's Node reused), an intake that accepts everything, and small process helpers.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `{ work, app }`: a temp folder and the compiled slug in it (HOME of the dyno). */
export function compileBuiltinSlug(prefix) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const app = join(work, 'app');
  mkdirSync(join(app, '.heroku/node/bin'), { recursive: true });
  symlinkSync(process.execPath, join(app, '.heroku/node/bin/node'));
  mkdirSync(join(work, 'env'));
  writeFileSync(join(work, 'env/DD_AGENT_FLAVOR'), 'builtin');
  execFileSync(join(root, 'bin/compile'), [app, join(work, 'cache'), join(work, 'env')], { stdio: 'ignore' });
  return { work, app };
}

/** An intake on 127.0.0.1 answering 202 to everything: `{ server, url }`. */
export async function startSink() {
  const server = createServer((req, res) => req.resume().on('end', () => res.writeHead(202).end('{}')));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

export const freePort = () => new Promise((r) => { const s = netServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => r(port)); }); });
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Running, and not a zombie. */
export const alive = (pid) => { try { process.kill(pid, 0); return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
