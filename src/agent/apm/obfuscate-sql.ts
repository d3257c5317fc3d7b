// SQL obfuscation as the trace-agent does it: literals become `?`, comments go, lists collapse to `( ? )`.

export const NON_PARSABLE_SQL = 'Non-parsable SQL query';

const KEYWORD_LITERALS = new Set(['NULL', 'TRUE', 'FALSE']);
const OPERATOR_CHARS = '<>=!|&^~+-*/%';

function isIdentStart(c: string): boolean {
  return /[A-Za-z_\u0080-\uffff]/.test(c);
}

function isIdentPart(c: string): boolean {
  return /[A-Za-z0-9_$.\u0080-\uffff]/.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Tokens of `query` with every literal and bind parameter already `?`; undefined when it cannot be read. */
function tokenize(query: string): string[] | undefined {
  const tokens: string[] = [];
  const n = query.length;
  let i = 0;
  // A sign belongs to a number only where a value can start, not after an operand (`a-1`).
  const valueCanStart = (): boolean => {
    const last = tokens[tokens.length - 1];
    return last === undefined || last === '(' || last === ',' || OPERATOR_CHARS.includes(last[0]!) || /^[A-Za-z]+$/.test(last);
  };
  while (i < n) {
    const c = query[i]!;
    const next = query[i + 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && next === '-') {
      while (i < n && query[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = query.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (c === "'") {
      i++;
      for (;;) {
        if (i >= n) return undefined;
        if (query[i] === '\\') i += 2;
        else if (query[i] === "'" && query[i + 1] === "'") i += 2;
        else if (query[i] === "'") break;
        else i++;
      }
      i++;
      tokens.push('?');
    } else if (c === '"' || c === '`') {
      const end = query.indexOf(c, i + 1);
      if (end < 0) return undefined;
      tokens.push(query.slice(i, end + 1));
      i = end + 1;
    } else if (isDigit(c) || (c === '.' && isDigit(next)) || ((c === '-' || c === '+') && (isDigit(next) || next === '.') && valueCanStart())) {
      i++;
      while (i < n && /[0-9A-Fa-fxX.eE]/.test(query[i]!)) {
        if ((query[i] === 'e' || query[i] === 'E') && (query[i + 1] === '-' || query[i + 1] === '+')) i++;
        i++;
      }
      tokens.push('?');
    } else if (c === '$' && isDigit(next)) {
      i++;
      while (isDigit(query[i])) i++;
      tokens.push('?');
    } else if (c === '?') {
      i++;
      tokens.push('?');
    } else if ((c === ':' || c === '@') && next !== undefined && isIdentStart(next)) {
      i++;
      while (i < n && isIdentPart(query[i]!)) i++;
      tokens.push('?');
    } else if (c === '%' && (next === 's' || next === 'd' || next === '(')) {
      const end = next === '(' ? query.indexOf(')', i) + 2 : i + 2;
      if (end < 2) return undefined;
      i = end;
      tokens.push('?');
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentPart(query[i]!)) i++;
      const word = query.slice(start, i);
      tokens.push(KEYWORD_LITERALS.has(word.toUpperCase()) ? '?' : word);
    } else if (OPERATOR_CHARS.includes(c) || c === ':') {
      const start = i;
      while (i < n && (OPERATOR_CHARS.includes(query[i]!) || query[i] === ':')) i++;
      tokens.push(query.slice(start, i));
    } else {
      tokens.push(c);
      i++;
    }
  }
  return tokens;
}

/** `( ?, ?, ? )` → `( ? )`, and a run of such groups `( ? ), ( ? )` → one `( ? )`. */
function collapseGroups(tokens: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i] === '(') {
      let j = i + 1;
      let onlyValues = tokens[j] === '?';
      while (j < tokens.length && tokens[j] !== ')') {
        if (tokens[j] !== '?' && tokens[j] !== ',') onlyValues = false;
        j++;
      }
      if (onlyValues && j < tokens.length) {
        const previousIsGroup = out.length >= 4 && out[out.length - 1] === ',' && out[out.length - 2] === ')' && out[out.length - 3] === '?' && out[out.length - 4] === '(';
        if (previousIsGroup) out.pop();
        else out.push('(', '?', ')');
        i = j + 1;
        continue;
      }
    }
    out.push(tokens[i]!);
    i++;
  }
  return out;
}

/** Joins tokens with single spaces; `,` `;` hug the left, casts `::` and qualified names `a.b` hug both sides. */
function join(tokens: string[]): string {
  let out = '';
  let glue = true;
  for (const token of tokens) {
    const hugs = token === '::' || token === '.';
    if (glue || hugs || token === ',' || token === ';') out += token;
    else out += ` ${token}`;
    glue = hugs;
  }
  return out;
}

/** The obfuscated form of a SQL statement, or NON_PARSABLE_SQL when it cannot be tokenised. */
export function obfuscateSql(query: string): string {
  const tokens = tokenize(query);
  if (tokens === undefined) return NON_PARSABLE_SQL;
  return join(collapseGroups(tokens));
}
