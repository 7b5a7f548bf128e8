import type { IncomingMessage, ServerResponse } from "node:http";
import { emptyResponse, errorResponse, HttpError, type HttpResponse } from "./httpResponse.js";
import { RecipeValidationError } from "./recipeValidation.js";
import { matchRoute, type Route } from "./router.js";

/** Admin bodies are small recipe documents; anything bigger is a mistake or abuse. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Headers on every response. CORS is open because the add-on fetches from a moz-extension:// origin
 * (with `credentials: "omit"`); the server never sets cookies, so no response carries credentials.
 */
const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Origin": "*",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
};

const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "600",
};

/** The routes and the server's own origin; known only once the server listens. */
export interface Routing {
  routes: readonly Route[];
  /** `http://host:port`: pages served from here may change recipes. */
  serverOrigin: string;
  /** GET paths answered with a long-lived event stream instead of a JSON response. */
  eventStreams: readonly EventStreamRoute[];
}

export interface EventStreamRoute {
  path: string;
  open(response: ServerResponse): void;
}

/**
 * A node:http request listener that dispatches to `routes` and turns every failure into a JSON error.
 * Requests that arrive before `routing` resolves wait for it.
 */
export function createRequestListener(
  routing: Promise<Routing>,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void openEventStream(request, response, routing).then((opened) => {
      if (!opened) respond(request, response, routing);
    });
  };
}

async function openEventStream(
  request: IncomingMessage,
  response: ServerResponse,
  routing: Promise<Routing>,
): Promise<boolean> {
  if (request.method !== "GET") return false;
  const { eventStreams, serverOrigin } = await routing.catch(() => ({
    eventStreams: [],
    serverOrigin: "http://invalid",
  }));
  const { pathname } = new URL(request.url ?? "/", serverOrigin);
  const stream = eventStreams.find((candidate) => candidate.path === pathname);
  stream?.open(response);
  return stream !== undefined;
}

function respond(request: IncomingMessage, response: ServerResponse, routing: Promise<Routing>): void {
  handle(request, routing)
    .catch((error: unknown) => responseForError(error))
    .then((result) => sendWhenDue(response, request.method === "HEAD", result))
    .catch((error: unknown) => {
      console.error("recipe-server: failed to send a response", error);
      response.destroy();
    });
}

async function handle(request: IncomingMessage, routing: Promise<Routing>): Promise<HttpResponse> {
  const { routes, serverOrigin } = await routing;
  const method = request.method ?? "GET";
  const url = new URL(request.url ?? "/", serverOrigin);
  if (method === "OPTIONS") return emptyResponse(204, PREFLIGHT_HEADERS);
  if (isStateChanging(method)) assertTrustedOrigin(request.headers.origin, serverOrigin);

  const match = matchRoute(routes, method === "HEAD" ? "GET" : method, url.pathname);
  if (match.kind === "not-found") throw new HttpError(404, "not_found", `no resource at ${url.pathname}`);
  if (match.kind === "wrong-method") {
    return errorResponse(new HttpError(405, "method_not_allowed", `${method} is not supported here`), {
      Allow: match.allowed.join(", "),
    });
  }
  if (!match.route.takesBody && hasBody(request)) {
    // Not read: the connection is closed after the answer rather than made to carry the unread rest.
    return errorResponse(
      new HttpError(400, "unexpected_body", `${method} ${url.pathname} takes no request body; send it without one`),
      {
        Connection: "close",
      },
    );
  }
  return match.route.handle({
    params: match.params,
    query: url.searchParams,
    contentType: request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase(),
    readJson: () => readJsonBody(request),
    readBytes: (maxBytes) => readBody(request, maxBytes),
  });
}

/** Whether the request announces a body: a non-zero Content-Length, or a chunked one. */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers["content-length"];
  return (length !== undefined && Number(length) !== 0) || request.headers["transfer-encoding"] !== undefined;
}

function isStateChanging(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method);
}

/**
 * Open CORS must not let an arbitrary web page the QA engineer visits publish recipes to their browser
 * (a body-less cross-origin POST needs no preflight). Browsers always send Origin on such requests;
 * tools like curl and tests send none and are allowed.
 */
function assertTrustedOrigin(origin: string | undefined, serverOrigin: string): void {
  if (origin === undefined || origin === serverOrigin || origin.startsWith("moz-extension://")) return;
  throw new HttpError(403, "forbidden_origin", `requests from ${origin} may not change recipes`);
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      throw new HttpError(413, "body_too_large", `this request body is limited to ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  return parseJsonBody((await readBody(request, MAX_BODY_BYTES)).toString("utf8"));
}

/** Parses a request body as JSON; an empty or malformed body is the client's error (400). */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") throw new HttpError(400, "invalid_json", "the request needs a JSON body");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, "invalid_json", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function responseForError(error: unknown): HttpResponse {
  if (error instanceof HttpError) return errorResponse(error);
  if (error instanceof RecipeValidationError) {
    return errorResponse(new HttpError(400, "validation_error", error.message, error.field, error.position));
  }
  console.error("recipe-server: internal error", error);
  return errorResponse(new HttpError(500, "internal_error", "the server failed to handle this request"));
}

/** Sends `result`, after its fault-mode delay if it has one; a dropped connection gets no answer at all. */
async function sendWhenDue(response: ServerResponse, headOnly: boolean, result: HttpResponse): Promise<void> {
  if (result.dropConnection) {
    response.socket?.destroy();
    return;
  }
  if (result.delayMs !== undefined) {
    // Unref'd: a pending slow answer never keeps a closing server alive.
    await new Promise((resolve) => setTimeout(resolve, result.delayMs).unref());
    if (response.destroyed) return; // the client gave up, or the server closed
  }
  send(response, headOnly, result);
}

function send(response: ServerResponse, headOnly: boolean, result: HttpResponse): void {
  const body = typeof result.body === "string" ? Buffer.from(result.body, "utf8") : Buffer.from(result.body);
  response.writeHead(result.status, {
    ...COMMON_HEADERS,
    ...result.headers,
    ...(result.status === 204 ? {} : { "Content-Length": String(body.length) }),
  });
  if (result.resetAfterBytes !== undefined && !headOnly) {
    response.write(body.subarray(0, result.resetAfterBytes), () => response.destroy());
    return;
  }
  if (result.stallAfterBytes !== undefined && !headOnly) {
    // Never ended: the client waits until it gives up, or the server closes every connection on close().
    response.write(body.subarray(0, result.stallAfterBytes));
    return;
  }
  response.end(headOnly || result.status === 204 ? undefined : body);
}
