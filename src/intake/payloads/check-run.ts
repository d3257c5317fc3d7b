// `/api/v1/check_run`: `[{check, host_name, timestamp, status, message, tags}]`.
import type { CheckRecord } from '../records.js';
import { array, number, object, optionalNumber, optionalString, parseJson, string, stringList } from './json-fields.js';
import { PayloadError } from './payload-error.js';

export function decodeCheckRuns(body: Uint8Array): CheckRecord[] {
  return array(parseJson(body), 'payload').map((item, i) => {
    const path = `[${i}]`;
    const c = object(item, path);
    const status = number(c.status, `${path}.status`);
    if (![0, 1, 2, 3].includes(status)) throw new PayloadError(`${path}.status must be 0-3, not ${status}`);
    return {
      check: string(c.check, `${path}.check`),
      host: optionalString(c.host_name, `${path}.host_name`),
      timestamp: optionalNumber(c.timestamp, `${path}.timestamp`),
      status,
      message: optionalString(c.message, `${path}.message`),
      tags: stringList(c.tags, `${path}.tags`),
    };
  });
}
