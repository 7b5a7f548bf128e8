/** What a route returns; the HTTP server adds the headers every response carries (CORS, caching). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Text is sent as UTF-8; bytes (an XPI) as they are. */
  body: string | Uint8Array;
  /** Fault mode only: send this many bytes of the body, then reset the connection. */
  resetAfterBytes?: number;
  /** Fault mode only: send this many bytes of the body, then hold the connection open without sending more. */
  stallAfterBytes?: number;
  /** Fault mode only: close the connection without answering. */
  dropConnection?: boolean;
  /** Fault mode only: answer after this many milliseconds. */
  delayMs?: number;
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(value) };
}

export function htmlResponse(html: string): HttpResponse {
  return {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      // Scripts only from the server's own static files (never inline), which talk to its admin API; inline styles.
      "Content-Security-Policy":
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    },
    body: html,
  };
}

export function scriptResponse(script: string): HttpResponse {
  return { status: 200, headers: { "Content-Type": "text/javascript; charset=utf-8" }, body: script };
}

export function pemResponse(pem: string): HttpResponse {
  return { status: 200, headers: { "Content-Type": "application/x-pem-file" }, body: pem };
}

export function emptyResponse(status = 204, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: "" };
}

/**
 * A request the server refuses, reported to the client as JSON `{error, message, field?, position?}`
 * (`position`: the offset of a filter expression's syntax error).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly field?: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function notFound(message: string): HttpError {
  return new HttpError(404, "not_found", message);
}

export function errorResponse(error: HttpError, headers: Record<string, string> = {}): HttpResponse {
  const body: Record<string, string | number> = { error: error.error, message: error.message };
  if (error.field !== undefined) body["field"] = error.field;
  if (error.position !== undefined) body["position"] = error.position;
  return jsonResponse(body, error.status, headers);
}
