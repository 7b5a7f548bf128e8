import { DeliveryError } from "../delivery/DeliveryError.js";
import { fetchJson, type FetchLimits } from "../delivery/fetchText.js";

/** What the server's classify-client endpoint says about this client. */
export interface Classification {
  /** ISO 3166 alpha-2 country of the request, as the server geolocated it. */
  country: string | null;
  /** The server's clock when it answered. */
  requestTime: Date;
}

/**
 * Short enough that, when the server does not answer, the fallback to Firefox's home region still fits in
 * the attribute's own time limit (ClientContext's 5 s); the answer is tiny.
 */
export const CLASSIFY_LIMITS: FetchLimits = { timeoutMs: 3_000, maxBytes: 16 * 1024 };

/** `GET <apiUrl>classify_client/` → `{country, request_time}` (Normandy's `NormandyApi.classifyClient`). */
export async function fetchClassification(
  apiUrl: string,
  limits: FetchLimits = CLASSIFY_LIMITS,
): Promise<Classification> {
  const url = `${apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`}classify_client/`;
  const body = (await fetchJson(url, limits)) as { country?: unknown; request_time?: unknown } | null;
  const country = body?.country;
  const requestTime = typeof body?.request_time === "string" ? new Date(body.request_time) : null;
  if ((typeof country !== "string" && country !== null) || !requestTime || Number.isNaN(requestTime.getTime())) {
    throw new DeliveryError("server", `${url}: expected {country, request_time}, got ${JSON.stringify(body)}`);
  }
  return { country, requestTime };
}
