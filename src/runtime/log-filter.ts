// Child log lines, prefixed with the process name and filtered by DD_LOG_LEVEL. Agent lines carry their
// level (`… | CORE | WARN | …`); a line without one (stack trace, continuation) follows the line before.
import { LOG_LEVELS, type LogLevel } from '../log.js';

/** `<date> UTC | <COMPONENT> | <LEVEL> |`: the level is the field after the component (which may be TRACE). */
const LEVEL_FIELD = /\|\s*[A-Z][A-Z_-]*\s*\|\s*(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL)\s*\|/;

export class ChildLog {
  private readonly threshold: number;
  private pending = '';
  private keepingLast = true;

  constructor(
    private readonly name: string,
    level: LogLevel,
    private readonly write: (text: string) => void,
  ) {
    this.threshold = LOG_LEVELS.indexOf(level);
  }

  /** Feeds a chunk of the child's output; complete lines go out at once. */
  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** The last, unterminated line (the child exited). */
  end(): void {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
  }

  private line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    const level = LEVEL_FIELD.exec(line)?.[1]?.toLowerCase();
    if (level !== undefined) {
      const at = LOG_LEVELS.indexOf((level === 'warning' ? 'warn' : level) as LogLevel);
      this.keepingLast = at >= this.threshold;
    }
    if (this.threshold >= LOG_LEVELS.indexOf('off') || !this.keepingLast || line === '') return;
    this.write(`[${this.name}] ${line}\n`);
  }
}
