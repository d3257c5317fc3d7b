import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_INTAKE_PORT } from '../constants.js';
import type { Io } from '../io.js';
import { startIntake } from './server.js';
import { Store } from './store.js';

const USAGE = `Usage: agent-wrapper intake [--port ${DEFAULT_INTAKE_PORT}] [--host 127.0.0.1] [--data DIR] [--api-key KEY] [--ui DIR]
A local Datadog-compatible intake: point DD_DD_URL and DD_APM_DD_URL at it, open its URL to see what arrived.
  --port     port to listen on (0 = any free port)
  --host     address to bind
  --data     folder of the append-only data files, reloaded at start (default: <tmp>/datadog-intake)
  --api-key  accept only this key (default: any non-empty DD-API-KEY)
  --ui       folder of the page (default: intake-ui beside this script)
`;

/** `agent-wrapper intake [--port N] [--data DIR]`: runs until SIGTERM or SIGINT. */
export async function main(argv: string[], _env: NodeJS.ProcessEnv, io: Io, stop?: AbortSignal): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: String(DEFAULT_INTAKE_PORT) },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string', default: join(tmpdir(), 'datadog-intake') },
        'api-key': { type: 'string' },
        ui: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr.write(`--port must be a port number (0-65535), not ${JSON.stringify(values.port)}\n`);
    return 2;
  }
  const dataDir = resolve(values.data);
  const store = new Store(dataDir);
  const uiDir = values.ui ?? join(dirname(process.argv[1] ?? '.'), 'intake-ui');
  const intake = await startIntake({
    store,
    port,
    host: values.host,
    uiDir,
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
    log: (line) => io.stderr.write(`intake: ${line}\n`),
  });
  io.stdout.write(`Intake listening on ${intake.url} (data in ${dataDir}${store.payloads.length > 0 ? `, ${store.payloads.length} payloads reloaded` : ''})\n`);
  await new Promise<void>((done) => {
    const finish = () => done();
    process.once('SIGTERM', finish);
    process.once('SIGINT', finish);
    stop?.addEventListener('abort', finish);
  });
  await intake.close();
  io.stdout.write('Intake stopped\n');
  return 0;
}
