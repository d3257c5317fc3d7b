// Events (`_e{title_len,text_len}:title|text|…`) and service checks (`_sc|name|status|…`).
// Rare next to metrics, so they may work on strings.
import type { DogStatsdEvent, DogStatsdServiceCheck } from './messages.js';
import { parseUnsigned } from './numbers.js';

const PRIORITIES = new Set(['normal', 'low']);
const ALERT_TYPES = new Set(['error', 'warning', 'info', 'success']);

export function parseEvent(buf: Buffer, start: number, end: number): DogStatsdEvent | undefined {
  const comma = buf.indexOf(44, start + 3);
  const brace = buf.indexOf(125, start + 3);
  if (comma === -1 || brace === -1 || comma > brace || brace + 1 >= end || buf[brace + 1] !== 58) return undefined;
  const titleLength = parseUnsigned(buf, start + 3, comma);
  const textLength = parseUnsigned(buf, comma + 1, brace);
  if (titleLength <= 0 || textLength < 0) return undefined;
  const titleStart = brace + 2;
  const textStart = titleStart + titleLength + 1;
  const textEnd = textStart + textLength;
  if (textEnd > end || buf[textStart - 1] !== 124) return undefined;
  if (textEnd < end && buf[textEnd] !== 124) return undefined;
  const event = {
    title: buf.toString('utf8', titleStart, titleStart + titleLength),
    text: buf.toString('utf8', textStart, textEnd).replaceAll('\\n', '\n'),
    timestamp: 0,
    host: undefined as string | undefined,
    aggregationKey: undefined as string | undefined,
    priority: 'normal' as DogStatsdEvent['priority'],
    sourceType: undefined as string | undefined,
    alertType: 'info' as DogStatsdEvent['alertType'],
    tags: '',
  };
  const fields = textEnd < end ? buf.toString('utf8', textEnd + 1, end).split('|') : [];
  for (const field of fields) {
    const value = field.slice(2);
    if (field.startsWith('d:')) {
      if (!/^\d+$/.test(value)) return undefined;
      event.timestamp = Number(value);
    } else if (field.startsWith('h:')) event.host = value;
    else if (field.startsWith('k:')) event.aggregationKey = value;
    else if (field.startsWith('p:')) {
      if (!PRIORITIES.has(value)) return undefined;
      event.priority = value as DogStatsdEvent['priority'];
    } else if (field.startsWith('s:')) event.sourceType = value;
    else if (field.startsWith('t:')) {
      if (!ALERT_TYPES.has(value)) return undefined;
      event.alertType = value as DogStatsdEvent['alertType'];
    } else if (field.startsWith('#')) event.tags = field.slice(1);
  }
  return event;
}

export function parseServiceCheck(buf: Buffer, start: number, end: number): DogStatsdServiceCheck | undefined {
  // As the official parser: every field, `m:` included, ends at the next `|`; a later field of
  // the same kind wins; a bad `d:` is ignored, not fatal (0, the current time, unless an earlier `d:` was good).
  const [name, status, ...fields] = buf.toString('utf8', start + 4, end).split('|');
  if (name === undefined || name === '' || status === undefined || !/^[0-3]$/.test(status)) return undefined;
  const check = {
    name,
    status: Number(status) as DogStatsdServiceCheck['status'],
    timestamp: 0,
    host: undefined as string | undefined,
    message: '',
    tags: '',
  };
  for (const field of fields) {
    if (field.startsWith('d:')) {
      if (/^\d{1,15}$/.test(field.slice(2))) check.timestamp = Number(field.slice(2));
    } else if (field.startsWith('h:')) check.host = field.slice(2);
    else if (field.startsWith('m:')) check.message = field.slice(2).replaceAll('\\n', '\n');
    else if (field.startsWith('#')) check.tags = field.slice(1);
  }
  return check;
}
