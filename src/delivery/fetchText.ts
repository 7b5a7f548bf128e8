import { retryAfterMs } from "../core/index.js";
import { DeliveryError } from "./DeliveryError.js";

export interface FetchLimits {
  /** Whole request, headers and body, must finish within this time. */
  timeoutMs: number;
  /** Bodies larger than this are refused without reading the rest. */
  maxBytes: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 30_000, maxBytes: 10 * 1024 * 1024 };

/** Statuses with which a server asks clients to come back later; their `Retry-After` is honoured. */
const BACKOFF_STATUSES = new Set([429, 503]);

/**
 * GETs `url` and returns its body as text. Never sends credentials (cookies, HTTP auth) and never
 * uses the HTTP cache: what is verified must be what the server serves now.
 */
export async function fetchText(url: string, limits: FetchLimits = DEFAULT_FETCH_LIMITS): Promise<string> {
  return (await fetchBody(url, limits)).text;
}

/**
 * GETs `url` and parses its body as JSON. The server must say it is JSON (`application/json` or a
 * `+json` type): a body of another type is an error page or a misconfigured server, not data.
 */
export async function fetchJson(url: string, limits: FetchLimits = DEFAULT_FETCH_LIMITS): Promise<unknown> {
  return (await fetchJsonWithText(url, limits)).json;
}

/** `fetchJson`, also returning the body's text the JSON was parsed from. */
export async function fetchJsonWithText(
  url: string,
  limits: FetchLimits = DEFAULT_FETCH_LIMITS,
): Promise<{ json: unknown; text: string }> {
  const { text, contentType } = await fetchBody(url, limits);
  if (!isJsonMediaType(contentType)) {
    throw new DeliveryError(
      "server",
      `${url}: expected JSON, the server sent ${contentType === null ? "no Content-Type" : `Content-Type ${contentType}`}`,
    );
  }
  try {
    return { json: JSON.parse(text), text };
  } catch (error) {
    throw new DeliveryError("server", `${url}: malformed JSON (${(error as Error).message})`);
  }
}

function isJsonMediaType(contentType: string | null): boolean {
  const essence = contentType?.split(";")[0]!.trim().toLowerCase() ?? "";
  return essence === "application/json" || /^application\/[\w.+-]+\+json$/.test(essence);
}

async function fetchBody(url: string, limits: FetchLimits): Promise<{ text: string; contentType: string | null }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetch(url, { credentials: "omit", cache: "no-store", signal: controller.signal });
    } catch (error) {
      throw new DeliveryError("network", `${url}: ${describeFetchError(error, limits)}`);
    }
    if (!response.ok) {
      const retryAfter = BACKOFF_STATUSES.has(response.status)
        ? retryAfterMs(response.headers.get("Retry-After"), Date.now())
        : null;
      throw new DeliveryError("server", `${url}: HTTP ${response.status} ${response.statusText}`, retryAfter);
    }
    return { text: await readLimited(url, response, limits), contentType: response.headers.get("content-type") };
  } finally {
    clearTimeout(timer);
  }
}

function describeFetchError(error: unknown, limits: FetchLimits): string {
  if (error instanceof Error && error.name === "AbortError") return `no answer within ${limits.timeoutMs} ms`;
  return error instanceof Error ? error.message : String(error);
}

async function readLimited(url: string, response: Response, limits: FetchLimits): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > limits.maxBytes) {
    throw new DeliveryError("server", `${url}: body of ${declared} bytes exceeds the ${limits.maxBytes}-byte limit`);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        await reader.cancel();
        throw new DeliveryError("server", `${url}: body exceeds the ${limits.maxBytes}-byte limit`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    // The connection broke while the body was streaming in.
    throw new DeliveryError("network", `${url}: ${describeFetchError(error, limits)}`);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
