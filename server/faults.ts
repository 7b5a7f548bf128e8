/**
 * Fault mode: QA (and the tests) can make the server misbehave, to watch how clients react: on the recipes
 * changeset, the endpoint clients poll, or on one uploaded add-on's XPI download. One fault is active at a
 * time; admin endpoints and the page are never affected, so a fault can always be cleared. (A refused
 * connection is the one failure a listening server cannot play: point the client at a closed port.)
 */
import { HttpError } from "./httpResponse.js";

export type ServerFault =
  /** Serve one recipe changed after it was signed; the collection is re-signed over the changed data, as
   * Remote Settings would sign whatever the recipe server pushed. Only that recipe's own signature fails. */
  | { kind: "tamper-recipe"; recipeId: number }
  /** Serve an older published snapshot (validly signed, but stale): a replay. */
  | { kind: "replay"; timestamp: number }
  /** Answer with this HTTP status (and `Retry-After` when given) instead of the changeset. */
  | { kind: "http-status"; status: number; retryAfterSeconds?: number }
  /** Send the headers and half the body, then reset the connection. */
  | { kind: "reset-mid-body" }
  /** Serve the first half of the JSON body with a matching Content-Length: malformed JSON. */
  | { kind: "truncated-body" }
  /** Close the connection as soon as the request arrives, without answering. */
  | { kind: "drop-connection" }
  /** Answer only after this many milliseconds (past the client's time limit, to watch it give up). */
  | { kind: "slow-response"; delayMs: number }
  /** Serve a complete body that is not valid JSON (one colon replaced), with a matching Content-Length. */
  | { kind: "malformed-json" }
  /** Serve the changeset padded with white space to this many bytes (default: past the client's 10 MiB limit). */
  | { kind: "oversized-body"; bytes: number }
  /** Serve the changeset as `text/html`. */
  | { kind: "wrong-content-type" }
  /** Point the collection signature's x5u at another signer's chain (valid, but not for this signature). */
  | { kind: "wrong-x5u" }
  /** Point the collection signature's x5u at the same path on another origin. */
  | { kind: "foreign-x5u"; origin: string }
  /** Serve this extension's XPI with one byte changed: its hash no longer matches the metadata. */
  | { kind: "corrupt-xpi"; extensionId: number }
  /** Send half of this extension's XPI, then nothing more, holding the connection open: a download that never ends. */
  | { kind: "stall-xpi"; extensionId: number };

export const FAULT_KINDS = [
  "tamper-recipe",
  "replay",
  "http-status",
  "reset-mid-body",
  "truncated-body",
  "drop-connection",
  "slow-response",
  "malformed-json",
  "oversized-body",
  "wrong-content-type",
  "wrong-x5u",
  "foreign-x5u",
  "corrupt-xpi",
  "stall-xpi",
] as const;

/** Past the client's default 10 MiB size limit (DEFAULT_FETCH_LIMITS). */
export const DEFAULT_OVERSIZED_BYTES = 11 * 1024 * 1024;

export class FaultInjector {
  private fault: ServerFault | null = null;

  get active(): ServerFault | null {
    return this.fault;
  }

  set(fault: ServerFault): void {
    this.fault = fault;
  }

  clear(): void {
    this.fault = null;
  }
}

/** Validates a fault sent to the admin API; errors name the field. */
export function parseFault(input: unknown): ServerFault {
  const fail = (field: string, message: string): never => {
    throw new HttpError(400, "validation_error", message, field);
  };
  if (typeof input !== "object" || input === null) return fail("", "a fault is a JSON object");
  const body = input as Record<string, unknown>;
  const integer = (field: string): number => {
    const value = body[field];
    return Number.isInteger(value) ? (value as number) : fail(field, `\`${field}\` must be an integer`);
  };
  switch (body.kind) {
    case "tamper-recipe":
      return { kind: "tamper-recipe", recipeId: integer("recipeId") };
    case "replay":
      return { kind: "replay", timestamp: integer("timestamp") };
    case "http-status": {
      const status = integer("status");
      if (status < 400 || status > 599) fail("status", "`status` must be an HTTP error status (400–599)");
      return body.retryAfterSeconds === undefined
        ? { kind: "http-status", status }
        : { kind: "http-status", status, retryAfterSeconds: integer("retryAfterSeconds") };
    }
    case "reset-mid-body":
    case "truncated-body":
    case "drop-connection":
    case "malformed-json":
    case "wrong-content-type":
    case "wrong-x5u":
      return { kind: body.kind };
    case "slow-response": {
      const delayMs = integer("delayMs");
      if (delayMs < 0 || delayMs > 600_000) fail("delayMs", "`delayMs` must be between 0 and 600000");
      return { kind: "slow-response", delayMs };
    }
    case "oversized-body": {
      if (body.bytes === undefined) return { kind: "oversized-body", bytes: DEFAULT_OVERSIZED_BYTES };
      const bytes = integer("bytes");
      if (bytes < 1 || bytes > 100 * 1024 * 1024) fail("bytes", "`bytes` must be between 1 and 104857600");
      return { kind: "oversized-body", bytes };
    }
    case "foreign-x5u": {
      let origin: string;
      try {
        origin = new URL(String(body.origin)).origin;
      } catch {
        return fail("origin", "`origin` must be an absolute http(s) URL");
      }
      if (origin === "null") fail("origin", "`origin` must be an absolute http(s) URL");
      return { kind: "foreign-x5u", origin };
    }
    case "corrupt-xpi":
    case "stall-xpi":
      return { kind: body.kind, extensionId: integer("extensionId") };
    default:
      return fail("kind", `\`kind\` must be one of ${FAULT_KINDS.join(", ")}`);
  }
}
