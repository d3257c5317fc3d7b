import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';
import { defaultConfigPath, parseArgs } from './commands/args.js';
import { checkCommand } from './commands/check.js';
import { configCommand } from './commands/config.js';
import { runCommand } from './commands/run.js';
import { healthCommand, statusCommand } from './commands/status.js';

const USAGE = 'usage: agent <run|status|check|version|health|config> [-c <datadog.yaml>] [--json]\n';

/** `agent <command>`: the built-in agent, CLI shaped like the official one. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const parsed = parseArgs(argv);
  const args = { ...parsed, configPath: defaultConfigPath(parsed, env) };
  switch (args.command) {
    case 'version':
      io.stdout.write(`Agent ${BUILDPACK_VERSION} (built-in)\n`);
      return 0;
    case 'run':
    case 'start':
      return runCommand(args, env, io);
    case 'status':
      return statusCommand(args, env, io);
    case 'health':
      return healthCommand(args, env, io);
    case 'config':
      return configCommand(args, env, io);
    case 'check':
      return checkCommand(args, env, io);
    default:
      if (argv.includes('--version')) {
        io.stdout.write(`Agent ${BUILDPACK_VERSION} (built-in)\n`);
        return 0;
      }
      io.stderr.write(USAGE);
      return 2;
  }
}
