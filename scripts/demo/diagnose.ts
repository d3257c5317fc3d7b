// When something was lost, the dyno log usually says why: hints read from it, printed under the summary.

/** Line numbers of the first line matching each pattern (-1 when absent). */
function firstLine(lines: readonly string[], pattern: RegExp): number {
  return lines.findIndex((line) => pattern.test(line));
}

export function diagnose(dynoLog: string): string[] {
  const lines = dynoLog.split('\n');
  const hints: string[] = [];
  // An error of the buildpack or the agent explains more than any guess below.
  for (const line of lines.filter((l) => /\| (ERROR|CRITICAL) \|/.test(l)).slice(0, 3)) hints.push(`The dyno log has an error: ${line.replace(/^.*?\| (ERROR|CRITICAL) \| /, '')}`);
  const appUp = firstLine(lines, /demo-app listening on|Listening at: http/);
  const statsdUp = firstLine(lines, /dogstatsd: listening/i);
  if (appUp >= 0 && statsdUp < 0) hints.push('DogStatsD never said it was listening: the agent did not start (see the dyno log).');
  else if (appUp >= 0 && statsdUp > appUp) {
    hints.push('The app was serving before DogStatsD listened: what it sent first (its start event, the first request) went to a closed UDP port.');
  }
  if (lines.some((line) => /agent was killed by SIGTERM|agent was killed by SIGKILL/.test(line))) {
    hints.push('The agent was killed by a signal during the restart instead of flushing: Heroku sends SIGTERM to every process, so the agent gets it twice (directly and from its supervisor) and must survive the second.');
  }
  if (lines.some((line) => /not delivered before the deadline/.test(line) && !/\b0 not delivered/.test(line))) {
    hints.push('The agent stopped with payloads it could not deliver before its deadline.');
  }
  return hints;
}
