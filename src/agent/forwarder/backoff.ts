// Jittered exponential backoff: base × 2^(attempt-1), capped, drawn in [delay/2, delay].

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 64_000 };

export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const delay = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return delay / 2 + random() * (delay / 2);
}
