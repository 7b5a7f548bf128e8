import type { IntakeBatch } from "../core/index.js";

/** What became of one POST of a batch. */
export type IntakePostOutcome =
  | { kind: "accepted" }
  /** Worth sending again later: network failure, timeout, 408, 429 or 5xx. */
  | { kind: "retry"; why: string; retryAfter: string | null }
  /** The intake refused the batch itself (another 4xx): sending it again would fail again. */
  | { kind: "refused"; why: string };

export type IntakePost = (url: string, batch: IntakeBatch) => Promise<IntakePostOutcome>;

const TIMEOUT_MS = 30_000;

/**
 * POSTs a batch as JSON to exactly `url`: no credentials (cookies, HTTP auth), no referrer, no cache, and
 * no redirects followed, so the configured origin is the only one ever contacted.
 */
export const postIntakeBatch: IntakePost = async (url, batch) => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(batch),
      credentials: "omit",
      cache: "no-store",
      redirect: "error",
      referrerPolicy: "no-referrer",
      signal: controller.signal,
    });
  } catch (error) {
    const why =
      error instanceof Error && error.name === "AbortError" ? `no answer within ${TIMEOUT_MS} ms` : String(error);
    return { kind: "retry", why: `${url}: ${why}`, retryAfter: null };
  } finally {
    clearTimeout(timer);
  }
  if (response.ok) return { kind: "accepted" };
  const why = `${url}: HTTP ${response.status} ${await response.text().catch(() => "")}`.trim();
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    return { kind: "retry", why, retryAfter: response.headers.get("Retry-After") };
  }
  return { kind: "refused", why };
};
