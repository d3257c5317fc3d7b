// The instance's regular expressions are Python `re` patterns: the few Python-only spellings are
// translated so a pattern written for the official check means the same here.
import { CheckConfigError } from '../check.js';

/** Python inline flags that JavaScript has under the same letter. */
const SHARED_FLAGS = new Set(['i', 'm', 's']);

/** `pattern` as a JavaScript RegExp (named groups, `\A`, `\Z`, leading inline flags translated). */
export function pythonRegExp(pattern: string, setting: string, extraFlags = ''): RegExp {
  let source = pattern;
  const flags = new Set(extraFlags);
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline !== null) {
    if (inline[1]!.includes('x')) throw new CheckConfigError(`${setting}: the verbose flag (?x) is not supported; write the pattern without it`);
    for (const flag of inline[1]!) if (SHARED_FLAGS.has(flag)) flags.add(flag);
    source = source.slice(inline[0].length);
  }
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!;
      out += next === 'A' ? '^' : next === 'Z' ? '$' : `\\${next}`;
      i++;
    } else if (source.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (source.startsWith('(?P=', i)) {
      const end = source.indexOf(')', i);
      if (end < 0) break;
      out += `\\k<${source.slice(i + 4, end)}>`;
      i = end;
    } else {
      out += char;
    }
  }
  try {
    return new RegExp(out, [...flags].join(''));
  } catch (error) {
    throw new CheckConfigError(`${setting} is not a valid regular expression (${JSON.stringify(pattern)}): ${(error as Error).message}`);
  }
}

/** Python's `re.match`: a match starting at the first character, not necessarily spanning the text. */
export function matchesAtStart(pattern: RegExp, text: string): boolean {
  const sticky = new RegExp(pattern.source, pattern.flags.includes('y') ? pattern.flags : `${pattern.flags}y`);
  sticky.lastIndex = 0;
  return sticky.test(text);
}
