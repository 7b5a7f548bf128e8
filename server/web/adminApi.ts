/** The server pages' client for the admin JSON API (same origin). */
import type { PublishedRecord } from "../publishedSnapshot.js";

/** What the admin API answers when it refuses a request. */
export interface ApiErrorBody {
  error: string;
  message: string;
  /** The offending field, a path for nested ones: `arguments.branches[0].slug`. */
  field?: string;
  /** The offset of a filter expression's syntax error. */
  position?: number;
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
    this.name = "AdminApiError";
  }
}

/**
 * Sends a request to `/admin/api/<path>`: `body` as JSON, or a file as it is. Resolves with the JSON answer
 * (undefined for 204), rejects with AdminApiError.
 */
export async function adminApi<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/admin/api/${path}`, {
    method,
    ...(body instanceof Blob
      ? { headers: { "Content-Type": body.type || "application/octet-stream" }, body }
      : body === undefined
        ? {}
        : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text === "" ? undefined : JSON.parse(text);
  if (!response.ok) {
    const error = parsed as Partial<ApiErrorBody> | undefined;
    throw new AdminApiError(response.status, {
      ...error,
      error: error?.error ?? "http_error",
      message: error?.message ?? `HTTP ${response.status} ${response.statusText}`,
    });
  }
  return parsed as T;
}

/** What `POST /admin/api/publish` answers. */
export interface PublishResult {
  timestamp: number;
  published: number[];
}

/** What `POST /admin/api/recipes/<id>/preview` answers: the preview collection's timestamp, the record as served. */
export interface PreviewResult {
  timestamp: number;
  record: PublishedRecord;
}

/** A one-line account of a failure for a status message: the field it is about, then why. */
export function describeError(error: unknown): string {
  if (!(error instanceof AdminApiError)) return error instanceof Error ? error.message : String(error);
  const { field } = error.body;
  return field && !error.message.startsWith(field) ? `${field}: ${error.message}` : error.message;
}
