/** Whether a context carries every filter tag; `host:<h>` also matches the context's host. */
export function matchesTags(host: string, tags: readonly string[], filter: readonly string[]): boolean {
  return filter.every((tag) => tags.includes(tag) || tag === `host:${host}`);
}

/** The filter tags of a query string: `tag=a:b&tag=c:d` or `tags=a:b,c:d`. */
export function tagFilter(params: URLSearchParams): string[] {
  return [...params.getAll('tag'), ...params.getAll('tags').flatMap((t) => t.split(','))].map((t) => t.trim()).filter((t) => t !== '');
}
