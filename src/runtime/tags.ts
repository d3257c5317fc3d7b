// Dyno tags merged with DD_TAGS, exported comma-separated: the agent (which also gets a space form) and
// every tracer parse commas, while space-separated DD_TAGS broke tracers (official buildpack #187).
import { tagList } from '../config/parsers.js';

export interface DynoTagInput {
  readonly dyno: string | undefined;
  readonly appName: string | undefined;
  readonly buildpackVersion: string;
}

/** `web.1` → `web`; `run.1234` → `run`. */
export function dynoType(dyno: string | undefined): string {
  return (dyno ?? '').split('.')[0] ?? '';
}

/** `dyno:`, `dynotype:`, `buildpackversion:`, then `appname:` when the app name is known. */
export function dynoTags(input: DynoTagInput): string[] {
  const tags: string[] = [];
  if (input.dyno) tags.push(`dyno:${input.dyno}`, `dynotype:${dynoType(input.dyno)}`);
  tags.push(`buildpackversion:${input.buildpackVersion}`);
  if (input.appName) tags.push(`appname:${input.appName}`);
  return tags;
}

/** Dyno tags first, then the user's (DD_TAGS split on commas and/or spaces), each tag once. */
export function mergeTags(dyno: readonly string[], userTags: readonly string[]): string[] {
  return [...new Set([...dyno, ...userTags])];
}

/** The form exported to the app and read by tracers: `a,b:c`. */
export function tagsForEnv(tags: readonly string[]): string {
  return tags.join(',');
}

/** The form the official agent documents for DD_TAGS: space-separated. */
export function tagsForAgent(value: string): string {
  return tagList(value, 'DD_TAGS').join(' ');
}
