/**
 * Why talking to the recipe server failed, in the terms of the runner's uptake statuses:
 * `network` (unreachable, reset, dropped, timed out) → `network_error`; `server` (an HTTP error status,
 * a body that is not the expected JSON or not served as JSON, or too large) → `server_error`. A signature
 * that does not verify, whatever the reason (an x5u elsewhere included), is a SignatureFailure → `sign_error`.
 */
export type DeliveryFailure = "network" | "server";

export class DeliveryError extends Error {
  constructor(
    readonly failure: DeliveryFailure,
    message: string,
    /** How long the server asked clients to wait (a 429 or 503 with `Retry-After`), in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}
