import { retryAfterMs } from "../core/index.js";

/** How long the intake uploader waits before sending a batch again after a failure. */
export interface RetryPolicy {
  /** Wait after the first failure; doubled after each further one. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 2_000, maxDelayMs: 30 * 60_000 };

/**
 * The wait before retry number `attempt` (1 for the first retry): the server's `Retry-After` (seconds or
 * an HTTP date) when it sent a usable one, otherwise exponential backoff.
 */
export function retryDelayMs(attempt: number, retryAfter: string | null, policy: RetryPolicy, now: number): number {
  const requested = retryAfterMs(retryAfter, now);
  if (requested !== null) return requested;
  return Math.min(policy.initialDelayMs * 2 ** Math.max(0, attempt - 1), policy.maxDelayMs);
}
