// The few flags the agent CLI takes: `-c/--cfgpath <file>`, `--json`, and test knobs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SLUG } from '../../constants.js';

export interface AgentArgs {
  readonly command: string | undefined;
  readonly positional: string[];
  readonly configPath: string | undefined;
  readonly json: boolean;
  readonly flags: Map<string, string>;
}

export function parseArgs(argv: string[]): AgentArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  let configPath: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-c' || arg === '--cfgpath') configPath = argv[++i];
    else if (arg.startsWith('--cfgpath=')) configPath = arg.slice('--cfgpath='.length);
    else if (arg === '--json' || arg === '-j') json = true;
    else if (arg.startsWith('--') && arg.includes('=')) flags.set(arg.slice(2, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1));
    else if (arg.startsWith('--') && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) flags.set(arg.slice(2), argv[++i]!);
    else if (arg.startsWith('--')) flags.set(arg.slice(2), 'true');
    else positional.push(arg);
  }
  return { command: positional.shift(), positional, configPath, json, flags };
}

/** `-c` when given, else the slug's datadog.yaml when there is one (a dyno), else none. */
export function defaultConfigPath(args: AgentArgs, env: NodeJS.ProcessEnv): string | undefined {
  if (args.configPath !== undefined) return args.configPath;
  const home = env.HOME ?? '/app';
  const inSlug = join(home, SLUG.confDir, 'datadog.yaml');
  return existsSync(inSlug) ? inSlug : undefined;
}
