// `/intake/`: `{"events":{"<source>":[{msg_title, msg_text, timestamp, …}]}, "internalHostname"}`.
// The official agent also posts host metadata there (no `events`): accepted, nothing to store.
import type { EventRecord } from '../records.js';
import { array, object, optionalNumber, optionalString, parseJson, stringList } from './json-fields.js';

export function decodeEvents(body: Uint8Array): EventRecord[] {
  const payload = object(parseJson(body), 'payload');
  if (payload.events === undefined || payload.events === null) return [];
  const defaultHost = optionalString(payload.internalHostname, 'internalHostname');
  const records: EventRecord[] = [];
  for (const [source, list] of Object.entries(object(payload.events, 'events'))) {
    array(list, `events.${source}`).forEach((item, i) => {
      const path = `events.${source}[${i}]`;
      const e = object(item, path);
      records.push({
        title: optionalString(e.msg_title, `${path}.msg_title`),
        text: optionalString(e.msg_text, `${path}.msg_text`),
        timestamp: optionalNumber(e.timestamp, `${path}.timestamp`),
        priority: optionalString(e.priority, `${path}.priority`, 'normal'),
        host: optionalString(e.host, `${path}.host`, defaultHost),
        tags: stringList(e.tags, `${path}.tags`),
        alertType: optionalString(e.alert_type, `${path}.alert_type`, 'info'),
        aggregationKey: optionalString(e.aggregation_key, `${path}.aggregation_key`),
        sourceTypeName: optionalString(e.source_type_name, `${path}.source_type_name`, source === 'api' ? '' : source),
      });
    });
  }
  return records;
}
