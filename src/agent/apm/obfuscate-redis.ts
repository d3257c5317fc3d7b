// Redis and Memcached commands: keys stay, values and credentials become `?` (trace-agent rules, abridged).

/** Commands whose arguments after the key are values. */
const VALUE_AFTER_KEY = new Set([
  'APPEND', 'GETSET', 'LPUSHX', 'RPUSHX', 'SET', 'SETNX', 'SISMEMBER', 'ZRANK', 'ZREVRANK', 'ZSCORE', 'LPUSH',
  'RPUSH', 'SADD', 'SREM', 'SMISMEMBER', 'PUBLISH', 'LINSERT', 'LREM', 'LPOS',
]);
/** Commands whose every argument is secret. */
const ALL_SECRET = new Set(['AUTH', 'HELLO', 'MIGRATE']);
/** Key, then a number, then a value. */
const VALUE_AFTER_TWO = new Set(['SETEX', 'PSETEX', 'LSET', 'SETRANGE', 'GETEX']);
/** Key, then field/value pairs: values hidden. */
const FIELD_VALUE_PAIRS = new Set(['HSET', 'HMSET', 'HSETNX', 'MSET', 'MSETNX']);

function obfuscateCommand(line: string): string {
  const args = line.trim().split(/\s+/);
  if (args[0] === undefined || args[0] === '') return line.trim();
  const command = args[0].toUpperCase();
  const rest = args.slice(1);
  if (rest.length === 0) return args[0];
  let kept: string[];
  if (ALL_SECRET.has(command)) kept = ['?'];
  else if (VALUE_AFTER_KEY.has(command)) kept = [rest[0]!, ...(rest.length > 1 ? ['?'] : [])];
  else if (VALUE_AFTER_TWO.has(command)) kept = [...rest.slice(0, 2), ...(rest.length > 2 ? ['?'] : [])];
  else if (FIELD_VALUE_PAIRS.has(command)) {
    // MSET has no leading key: its pairs start at once.
    const pairs = command.startsWith('MSET') ? rest : rest.slice(1);
    kept = command.startsWith('MSET') ? [] : [rest[0]!];
    pairs.forEach((arg, i) => kept.push(i % 2 === 0 ? arg : '?'));
  } else kept = rest;
  return [args[0], ...kept].join(' ');
}

/** `redis.raw_command`: one command a line (pipelines). */
export function obfuscateRedis(raw: string): string {
  return raw.split('\n').map(obfuscateCommand).join('\n');
}

/** `memcached.command`: only the command word stays. */
export function obfuscateMemcached(raw: string): string {
  return raw.trim().split(/\s+/)[0] ?? '';
}
