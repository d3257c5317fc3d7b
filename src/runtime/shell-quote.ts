// `prepare` output is eval'd by bash: every value goes inside single quotes, nothing else is printed.

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `value` as one bash word that expands to exactly `value` (quotes, `$()`, newlines included). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `export NAME='value'`; a name bash would not accept is refused rather than printed. */
export function exportLine(name: string, value: string): string {
  if (!NAME.test(name)) throw new Error(`not a shell variable name: ${JSON.stringify(name)}`);
  return `export ${name}=${shellQuote(value)}\n`;
}
