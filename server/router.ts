import { HttpError, type HttpResponse } from "./httpResponse.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What a route handler sees of a request. */
export interface RouteRequest {
  /** The path pattern's capture groups, decoded. */
  params: string[];
  query: URLSearchParams;
  /** The request's media type, lower case and without parameters (`application/json`), if it sent one. */
  contentType: string | undefined;
  /** The parsed JSON body; throws an HttpError (400/413) when it is not JSON or too large. */
  readJson(): Promise<unknown>;
  /** The raw body; throws an HttpError (413) when it is larger than `maxBytes`. */
  readBytes(maxBytes: number): Promise<Buffer>;
}

export interface Route {
  method: HttpMethod;
  /** Anchored pattern over the URL path; capture groups become `params`. */
  path: RegExp;
  /** The route reads a request body. Every other route refuses a request that carries one, rather than ignore it. */
  takesBody?: true;
  handle(request: RouteRequest): HttpResponse | Promise<HttpResponse>;
}

export type RouteMatch =
  | { kind: "found"; route: Route; params: string[] }
  | { kind: "wrong-method"; allowed: HttpMethod[] }
  | { kind: "not-found" };

export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    const match = route.path.exec(pathname);
    if (!match) continue;
    if (route.method === method) {
      return { kind: "found", route, params: match.slice(1).map((param) => decodePathParam(param ?? "")) };
    }
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "not-found" };
}

function decodePathParam(param: string): string {
  try {
    return decodeURIComponent(param);
  } catch {
    throw new HttpError(400, "bad_request", "the URL path has a malformed %-escape");
  }
}
