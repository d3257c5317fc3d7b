import type { Io } from '../io.js';

/** Heroku build output: `-----> ` steps, 7-space details, ` !     ` errors on stderr. */
export class BuildOutput {
  readonly #io: Io;
  constructor(io: Io) {
    this.#io = io;
  }

  step(text: string): void {
    this.#io.stdout.write(`-----> ${text}\n`);
  }

  detail(text: string): void {
    this.#io.stdout.write(`       ${text}\n`);
  }

  /** A detail line written in pieces (download progress): `partial` then `finish`. */
  partial(text: string): void {
    this.#io.stdout.write(text);
  }

  warn(text: string): void {
    this.#io.stdout.write(` !     WARNING: ${text}\n`);
  }

  error(lines: readonly string[]): void {
    for (const line of lines) this.#io.stderr.write(` !     ${line}\n`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
