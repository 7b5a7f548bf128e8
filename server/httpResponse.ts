/** What a route returns; the HTTP server adds the headers every response carries (CORS, caching). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Fault mode only: send this many bytes of the body, then reset the connection. */
  resetAfterBytes?: number;
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(value) };
}

export function htmlResponse(html: string): HttpResponse {
  return {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      // The page has no scripts; inline styles only.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    },
    body: html,
  };
}

export function pemResponse(pem: string): HttpResponse {
  return { status: 200, headers: { "Content-Type": "application/x-pem-file" }, body: pem };
}

export function emptyResponse(status = 204, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: "" };
}

/** A request the server refuses, reported to the client as JSON `{error, message, field?}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function notFound(message: string): HttpError {
  return new HttpError(404, "not_found", message);
}

export function errorResponse(error: HttpError, headers: Record<string, string> = {}): HttpResponse {
  const body: Record<string, string> = { error: error.error, message: error.message };
  if (error.field !== undefined) body["field"] = error.field;
  return jsonResponse(body, error.status, headers);
}
