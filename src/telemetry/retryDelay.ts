/** How long the intake uploader waits before sending a batch again after a failure. */
export interface RetryPolicy {
  /** Wait after the first failure; doubled after each further one. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 2_000, maxDelayMs: 30 * 60_000 };

/** A server's Retry-After is obeyed, up to this (a day), so a typo on the server cannot silence a client for good. */
const RETRY_AFTER_LIMIT_MS = 24 * 60 * 60_000;

/**
 * The wait before retry number `attempt` (1 for the first retry): the server's `Retry-After` (seconds or
 * an HTTP date) when it sent a usable one, otherwise exponential backoff.
 */
export function retryDelayMs(attempt: number, retryAfter: string | null, policy: RetryPolicy, now: number): number {
  const requested = retryAfterMs(retryAfter, now);
  if (requested !== null) return Math.min(requested, RETRY_AFTER_LIMIT_MS);
  return Math.min(policy.initialDelayMs * 2 ** Math.max(0, attempt - 1), policy.maxDelayMs);
}

function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
