// `http.url`: query values and user info can hold tokens and passwords.

/** Drops the query string (keeping the `?`, as the trace-agent does) and any `user:password@`. */
export function obfuscateUrl(url: string): string {
  let out = url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@]*@/, '$1');
  const query = out.indexOf('?');
  if (query >= 0) out = out.slice(0, query + 1);
  return out;
}
