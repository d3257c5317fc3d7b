/** One paragraph of a Debian control file (Release, Packages): field name → value. */
export type Stanza = ReadonlyMap<string, string>;

/**
 * Paragraphs of a deb822 document. Continuation lines (leading space or tab) extend the
 * previous field with a newline, so multi-line fields such as Release's SHA256 keep their rows.
 * Unparseable lines are skipped: an index is validated by its checksum, not by its syntax.
 */
export function parseStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let current = new Map<string, string>();
  let last: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current);
      current = new Map();
      last = undefined;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last !== undefined) current.set(last, `${current.get(last) ?? ''}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    current.set(last, line.slice(colon + 1).trim());
  }
  if (current.size > 0) stanzas.push(current);
  return stanzas;
}
