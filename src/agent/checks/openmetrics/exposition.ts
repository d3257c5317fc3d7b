// The Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text, read line by line as the
// body streams in: families from `# TYPE` / `# HELP` / `# UNIT`, samples with their labels. A
// malformed line is counted and skipped, never thrown, and no line longer than the cap is held.

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

const METRIC_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);

export interface MetricFamily {
  /** As exposed; a counter's without its `_total`, as both official parsers name it. */
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

export interface Sample {
  /** As exposed; a counter sample written without `_total` gets it, as prometheus_client does. */
  readonly name: string;
  /** In exposition order, names unique. */
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
  /** As written (ms in Prometheus text, seconds in OpenMetrics); undefined when absent. */
  readonly timestamp: number | undefined;
}

export type SampleSink = (family: MetricFamily, sample: Sample) => void;

export interface MalformedLine {
  readonly line: number;
  readonly reason: string;
}

export interface ExpositionParserOptions {
  /** Longer lines are counted malformed and dropped while they stream in. */
  readonly maxLineLength?: number;
  /** Lines matching it are dropped unparsed (`raw_line_filters`). */
  readonly skipLine?: RegExp;
}

export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/** The sample names a family of each type holds, as suffixes of its name ('' is the name itself). */
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created', ''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['', '_sum', '_count', '_created'],
  info: ['_info', ''],
  stateset: [''],
  unknown: [''],
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOATS: Readonly<Record<string, number>> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-inf': -Infinity,
  '-infinity': -Infinity,
};

/** A float as both formats write it (Go's ParseFloat / Python's float): decimal, NaN, ±Inf; else undefined. */
export function parseFloatValue(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const special = SPECIAL_FLOATS[text.toLowerCase()];
  return special;
}

class MalformedError {
  constructor(readonly reason: string) {}
}

interface ParsedSample {
  readonly name: string;
  readonly labels: [string, string][];
  readonly value: number;
  readonly timestamp: number | undefined;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** A quoted string at `text[at] === '"'`: its unescaped value and the index after the closing quote. */
function readQuoted(text: string, at: number): [string, number] {
  let value = '';
  let i = at + 1;
  let runStart = i;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return [value + text.slice(runStart, i), i + 1];
    if (c === '\\') {
      value += text.slice(runStart, i);
      const next = text[i + 1];
      if (next === undefined) break;
      // Only these three are escapes; any other backslash is kept as written, as prometheus_client keeps it.
      value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : '\\' + next;
      i += 2;
      runStart = i;
      continue;
    }
    i++;
  }
  throw new MalformedError('unterminated quoted string');
}

function skipSpaces(text: string, at: number): number {
  while (isSpace(text[at])) at++;
  return at;
}

/** One sample line (already trimmed): `name{labels} value [timestamp] [# exemplar]`. */
function parseSampleLine(line: string): ParsedSample {
  let name: string | undefined;
  let i = 0;
  const named = METRIC_NAME.exec(line);
  if (named !== null) {
    name = named[0];
    i = name.length;
  } else if (line[0] !== '{') {
    throw new MalformedError('not a metric name');
  }
  const labels: [string, string][] = [];
  if (line[i] === '{') {
    i++;
    const seen = new Set<string>();
    for (;;) {
      i = skipSpaces(line, i);
      if (line[i] === '}') {
        i++;
        break;
      }
      let labelName: string;
      if (line[i] === '"') {
        [labelName, i] = readQuoted(line, i);
        i = skipSpaces(line, i);
        // A quoted string alone first in the braces is the metric name (UTF-8 names of newer exporters).
        if (name === undefined && labels.length === 0 && (line[i] === ',' || line[i] === '}')) {
          name = labelName;
          if (line[i] === ',') i++;
          continue;
        }
      } else {
        const match = LABEL_NAME.exec(line.slice(i, i + 1024));
        if (match === null) throw new MalformedError('bad label name');
        labelName = match[0];
        i = skipSpaces(line, i + labelName.length);
      }
      if (line[i] !== '=') throw new MalformedError(`no "=" after label ${labelName}`);
      i = skipSpaces(line, i + 1);
      if (line[i] !== '"') throw new MalformedError(`label ${labelName} has no quoted value`);
      let value: string;
      [value, i] = readQuoted(line, i);
      if (seen.has(labelName)) throw new MalformedError(`label ${labelName} repeated`);
      seen.add(labelName);
      labels.push([labelName, value]);
      i = skipSpaces(line, i);
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new MalformedError('labels not closed by "}"');
    }
  }
  if (name === undefined || name === '') throw new MalformedError('no metric name');
  if (!isSpace(line[i])) throw new MalformedError('no space before the value');
  const rest = line.slice(i).trim();
  // An OpenMetrics exemplar (` # {trace_id="…"} 1.0`) is not kept.
  const hash = rest.indexOf('#');
  const fields = (hash === -1 ? rest : rest.slice(0, hash)).trim().split(/[ \t]+/);
  if (fields.length > 2 || fields[0] === '') throw new MalformedError('expected a value and at most a timestamp');
  const value = parseFloatValue(fields[0]!);
  if (value === undefined) throw new MalformedError('the value is not a number');
  let timestamp: number | undefined;
  if (fields.length === 2) {
    timestamp = parseFloatValue(fields[1]!);
    if (timestamp === undefined || !Number.isFinite(timestamp)) throw new MalformedError('the timestamp is not a number');
  }
  return { name, labels, value, timestamp };
}

/** `\\` and `\n` (and OpenMetrics' `\"`) of a HELP text. */
function unescapeHelp(text: string): string {
  return text.replace(/\\(["n\\])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** The metric name of a metadata line: bare, or quoted for UTF-8 names. */
function readMetadataName(text: string): [string, string] | undefined {
  if (text.startsWith('"')) {
    try {
      const [name, end] = readQuoted(text, 0);
      return [name, text.slice(end).replace(/^[ \t]+/, '')];
    } catch {
      return undefined;
    }
  }
  const match = /^(\S+)(?:[ \t]+([\s\S]*))?$/.exec(text);
  return match === null ? undefined : [match[1]!, match[2] ?? ''];
}

/**
 * Parses a body fed in chunks. Samples go to the sink as soon as their line is complete; only the
 * unfinished line is kept.
 */
export class ExpositionParser {
  /** Lines seen so far. */
  lines = 0;
  samples = 0;
  malformed = 0;
  firstMalformed: MalformedLine | undefined;
  /** `# EOF` was read (OpenMetrics): the rest of the body is not parsed. */
  ended = false;

  private readonly maxLineLength: number;
  private readonly skipLine: RegExp | undefined;
  private pending = '';
  private skippingLongLine = false;
  private family: MetricFamily | undefined;
  /** The name of the current `# HELP`/`# TYPE` block as written (a counter's with `_total`). */
  private declared = '';
  private allowed = new Map<string, string>();

  constructor(
    readonly format: ExpositionFormat,
    private readonly sink: SampleSink,
    options: ExpositionParserOptions = {},
  ) {
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.skipLine = options.skipLine;
  }

  /** Feeds text; stops parsing once `# EOF` was read. */
  write(chunk: string): void {
    let start = 0;
    while (!this.ended) {
      const newline = chunk.indexOf('\n', start);
      if (newline === -1) {
        this.keep(chunk.slice(start));
        return;
      }
      const piece = chunk.slice(start, newline);
      start = newline + 1;
      if (this.skippingLongLine) {
        this.skippingLongLine = false;
        this.lines++;
      } else if (this.pending.length + piece.length > this.maxLineLength) {
        this.lines++;
        this.malformedLine(this.lines, `longer than ${this.maxLineLength} characters`);
      } else {
        const line = this.pending + piece;
        this.lines++;
        this.line(line);
      }
      this.pending = '';
    }
  }

  /** The body is complete: parses its last line if it had no newline. */
  end(): void {
    if (!this.ended && !this.skippingLongLine && this.pending !== '') {
      this.lines++;
      this.line(this.pending);
    }
    this.pending = '';
    this.skippingLongLine = false;
  }

  private keep(rest: string): void {
    if (this.skippingLongLine || rest === '') return;
    if (this.pending.length + rest.length > this.maxLineLength) {
      this.malformedLine(this.lines + 1, `longer than ${this.maxLineLength} characters`);
      this.pending = '';
      this.skippingLongLine = true;
      return;
    }
    this.pending += rest;
  }

  private malformedLine(line: number, reason: string): void {
    this.malformed++;
    this.firstMalformed ??= { line, reason };
  }

  private line(raw: string): void {
    if (this.skipLine?.test(raw)) return;
    const line = raw.trim();
    if (line === '') return;
    try {
      if (line.startsWith('#')) this.comment(line);
      else this.sample(parseSampleLine(line));
    } catch (error) {
      if (!(error instanceof MalformedError)) throw error;
      this.malformedLine(this.lines, error.reason);
    }
  }

  private comment(line: string): void {
    const match = /^#[ \t]+(HELP|TYPE|UNIT|EOF)(?:[ \t]+([\s\S]*))?$/.exec(line);
    if (match === null) return; // any other comment
    const [, keyword, rest = ''] = match;
    if (keyword === 'EOF') {
      if (this.format === 'openmetrics') this.ended = true;
      return;
    }
    const parts = readMetadataName(rest);
    if (parts === undefined) throw new MalformedError(`# ${keyword} without a metric name`);
    const [name, text] = parts;
    const same = name === this.declared && this.family !== undefined;
    const help = same ? this.family!.help : '';
    const unit = same ? this.family!.unit : '';
    switch (keyword) {
      case 'HELP':
        this.begin(name, same ? this.family!.type : 'unknown', unescapeHelp(text), unit);
        return;
      case 'UNIT':
        this.begin(name, same ? this.family!.type : 'unknown', help, text.trim());
        return;
      case 'TYPE': {
        const written = text.trim().toLowerCase();
        const type = written === 'untyped' ? 'unknown' : written;
        if (!METRIC_TYPES.has(type)) throw new MalformedError(`unknown metric type "${text.trim()}"`);
        this.begin(name, type as MetricType, help, unit);
        return;
      }
    }
  }

  /** A new family (or the current one, re-described): samples already sent keep the family they had. */
  private begin(declared: string, type: MetricType, help: string, unit: string): void {
    const base = type === 'counter' && declared.endsWith('_total') ? declared.slice(0, -'_total'.length) : declared;
    this.declared = declared;
    this.family = { name: base, type, help, unit };
    this.allowed = new Map();
    for (const suffix of SUFFIXES[type]) {
      // A counter sample written without `_total` is named with it, as prometheus_client does.
      this.allowed.set(base + suffix, type === 'counter' && suffix === '' ? base + '_total' : base + suffix);
    }
  }

  private sample(parsed: ParsedSample): void {
    let name = this.family === undefined ? undefined : this.allowed.get(parsed.name);
    if (name === undefined) {
      // A sample outside the current family is a family of its own, untyped.
      if (this.format === 'prometheus') {
        this.family = undefined;
        this.declared = '';
        this.allowed = new Map();
        this.samples++;
        this.sink({ name: parsed.name, type: 'unknown', help: '', unit: '' }, parsed);
        return;
      }
      this.begin(parsed.name, 'unknown', '', '');
      name = parsed.name;
    }
    this.samples++;
    this.sink(this.family!, name === parsed.name ? parsed : { ...parsed, name });
  }
}

export interface ParsedExposition {
  readonly families: { family: MetricFamily; samples: Sample[] }[];
  readonly malformed: number;
  readonly firstMalformed: MalformedLine | undefined;
  readonly lines: number;
}

/** A whole body at once (tests, small payloads): samples grouped by the family that held them. */
export function parseExposition(text: string, format: ExpositionFormat, options: ExpositionParserOptions = {}): ParsedExposition {
  const families: { family: MetricFamily; samples: Sample[] }[] = [];
  const parser = new ExpositionParser(
    format,
    (family, sample) => {
      const last = families.at(-1);
      if (last !== undefined && last.family === family) last.samples.push(sample);
      else families.push({ family, samples: [sample] });
    },
    options,
  );
  parser.write(text);
  parser.end();
  return { families, malformed: parser.malformed, firstMalformed: parser.firstMalformed, lines: parser.lines };
}

/**
 * A number as Python's `str(float)` writes it, which the official check uses for the `upper_bound`
 * and `quantile` tags: `1.0`, `0.25`, `1e-05`, `inf`; and `0` for zero, as it canonicalizes.
 */
export function pythonFloatString(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return '0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}
