// Perl helpers (the DogStatsD relay, the builtin flavour's supervisor) ship as .pl files bundled as text
// and run by `perl -e "$PERL_LOADER"`, which reads the script from file descriptor 3: `ps` then shows a
// short command line without the script setting $0, which would overwrite the process's environment
// as /proc/<pid>/environ shows it. They use perl-base modules only: all a Heroku stack guarantees.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Writable } from 'node:stream';

export const PERL_LOADER = `open(my $fd, '<&=', 3) or die "fd 3: $!\\n"; my $code = do { local $/; <$fd> }; close $fd; eval $code; die $@ if $@;`;

export interface PerlScriptOptions extends Omit<SpawnOptions, 'stdio' | 'argv0'> {
  /** What `ps` shows as the command (argv[0]). */
  readonly argv0: string;
  /** Descriptors 0-2; descriptor 3 is the script's pipe. */
  readonly stdio: readonly ('pipe' | 'ignore' | 'inherit')[];
  /** Descriptors of this process handed to the script as its 4, 5…: inherited sockets (relay.pl). */
  readonly extraFds?: readonly number[];
  /** The perl to run; `perl` from PATH (/usr/bin/perl on every Heroku stack) by default. */
  readonly perl?: string;
}

/** Spawns `perl -e $PERL_LOADER -- ...args` and hands it `script` on file descriptor 3. */
export function spawnPerlScript(script: string, args: readonly string[], options: PerlScriptOptions): ChildProcess {
  const { perl = 'perl', stdio, argv0, extraFds = [], ...rest } = options;
  const child = spawn(perl, ['-e', PERL_LOADER, '--', ...args], { ...rest, argv0, stdio: [...stdio, 'pipe', ...extraFds] });
  const pipe = child.stdio[3] as Writable | null;
  pipe?.on('error', () => {}); // a perl that could not start is reported by the caller ('error', exit)
  pipe?.end(script);
  return child;
}
