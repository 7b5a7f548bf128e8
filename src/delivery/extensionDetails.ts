import type { ExtensionDetails } from "../core/index.js";
import { DeliveryError } from "./DeliveryError.js";
import { fetchJson, type FetchLimits } from "./fetchText.js";

/** The metadata is a few hundred bytes. */
export const EXTENSION_DETAILS_LIMITS: FetchLimits = { timeoutMs: 10_000, maxBytes: 64 * 1024 };

/** Fetches and checks the metadata; a missing, malformed or incomplete answer is a DeliveryError. */
export async function fetchExtensionDetails(
  apiUrl: string,
  extensionApiId: number,
  limits = EXTENSION_DETAILS_LIMITS,
): Promise<ExtensionDetails> {
  const url = `${apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`}extension/${extensionApiId}/`;
  const body = await fetchJson(url, limits);
  const problem = detailsProblem(body);
  if (problem !== null) throw new DeliveryError("server", `${url}: ${problem}`);
  return body as ExtensionDetails;
}

function detailsProblem(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return "expected an object";
  const details = body as Record<string, unknown>;
  if (typeof details.id !== "number") return "`id` must be a number";
  for (const field of ["name", "xpi", "extension_id", "version", "hash", "hash_algorithm"]) {
    if (typeof details[field] !== "string" || details[field] === "") return `\`${field}\` must be a non-empty string`;
  }
  if (!/^https?:\/\//.test(details.xpi as string)) return "`xpi` must be an http(s) URL";
  if (!/^[0-9a-fA-F]+$/.test(details.hash as string)) return "`hash` must be hexadecimal";
  if (details.size !== undefined && !(Number.isInteger(details.size) && (details.size as number) > 0))
    return "`size` must be a positive integer";
  return null;
}
