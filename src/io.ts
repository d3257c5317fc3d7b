/** What a CLI `main` writes to; tests pass buffers, bin shims pass the process streams. */
export interface Io {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

/** Collects output in memory, for tests that drive a `main` directly. */
export function memoryIo(): Io & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    out: () => out,
    err: () => err,
  };
}

/** Runs a CLI main as a process entry point: its number becomes the exit code. */
export function runMain(main: (argv: string[], env: NodeJS.ProcessEnv, io: Io) => Promise<number>): void {
  main(process.argv.slice(2), process.env, processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
