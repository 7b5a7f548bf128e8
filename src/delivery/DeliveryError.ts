/**
 * Why talking to the recipe server failed, in the terms of the runner's uptake statuses:
 * `network` (unreachable, reset, timed out) → `network_error`; `server` (an HTTP error status,
 * a body that is not the expected JSON, or too large) → `server_error`.
 */
export type DeliveryFailure = "network" | "server";

export class DeliveryError extends Error {
  constructor(
    readonly failure: DeliveryFailure,
    message: string,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}
