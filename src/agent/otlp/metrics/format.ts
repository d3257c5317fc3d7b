// Numbers in tags as the mapping prints them (formatFloat: the OpenMetrics check's canonical numbers,
// Go's %g shortest form with `.0` added to whole numbers): lower_bound:, upper_bound:, quantile:.

export function formatFloat(f: number): string {
  if (f === Infinity) return 'inf';
  if (f === -Infinity) return '-inf';
  if (Number.isNaN(f)) return 'nan';
  if (f === 0) return '0';
  const s = goShortestG(f);
  return f === Math.floor(f) ? `${s}.0` : s;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64): exponent form below 1e-4 and from 1e6 (two exponent digits at least). */
function goShortestG(f: number): string {
  const [mantissa, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // Shortest round-trip digits in fixed notation: what String gives in this exponent range.
  return String(f);
}

export function boundTags(lower: number, upper: number): [string, string] {
  return [`lower_bound:${formatFloat(lower)}`, `upper_bound:${formatFloat(upper)}`];
}

export function quantileTag(quantile: number): string {
  return `quantile:${formatFloat(quantile)}`;
}
