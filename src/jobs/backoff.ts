export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Attempts before a job is dead. */
  maxAttempts: number;
}

// About two hours of retries before a job is dead: longer than most outages.
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 10 * 60_000, maxAttempts: 20 };

/**
 * Exponential backoff with "full jitter" (random between half and all of
 * the exponential step) so replicas that failed together do not retry
 * together. A service's own Retry-After wins when it asks for longer.
 */
export function retryDelayMs(
  policy: BackoffPolicy,
  attempt: number,
  retryAfterMs: number | null,
  random = Math.random,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  if (retryAfterMs === null) return Math.round(jittered);
  // A little spread on top of Retry-After, or every waiting job wakes at once.
  return Math.round(retryAfterMs + random() * Math.min(1_000, retryAfterMs / 4 + 50));
}
