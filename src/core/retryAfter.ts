/** A server's Retry-After is obeyed up to this (a day), so a typo on the server cannot silence a client for good. */
export const RETRY_AFTER_LIMIT_MS = 24 * 60 * 60_000;

/**
 * How long an HTTP `Retry-After` header (delay seconds or an HTTP date) asks to wait, in ms, capped at
 * RETRY_AFTER_LIMIT_MS; null when there is no usable header.
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_LIMIT_MS);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.min(Math.max(0, date - now), RETRY_AFTER_LIMIT_MS);
}
