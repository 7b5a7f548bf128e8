import type { RemoteSettingsRecord } from "../core/index.js";
import type { SignatureRef } from "../core/index.js";
import { DeliveryError } from "./DeliveryError.js";
import { fetchJsonWithText, type FetchLimits, DEFAULT_FETCH_LIMITS } from "./fetchText.js";

/** The collection Normandy reads since Firefox 70 (recipes with capabilities). */
export const RECIPE_COLLECTION = { bucket: "main", collection: "normandy-recipes-capabilities" } as const;

/** A collection changeset: every live record, the collection timestamp, and the collection signature. */
export interface Changeset {
  timestamp: number;
  signature: SignatureRef;
  records: RemoteSettingsRecord[];
  /** The response body it was parsed from: the same text parses into the same records (see SignedTextMemo). */
  body: string;
}

/**
 * Speaks the Remote Settings changeset protocol (`GET …/changeset?_expected=<ts>`), the same one Firefox's
 * Remote Settings client uses, so the add-on can point at a real Remote Settings server as well as at the
 * local recipe server. It only fetches and checks the shape; verifying signatures is the caller's job.
 */
export class RemoteSettingsClient {
  constructor(
    private readonly serverUrl: string,
    private readonly limits: FetchLimits = DEFAULT_FETCH_LIMITS,
  ) {}

  changesetUrl(expected: number): string {
    const base = this.serverUrl.replace(/\/+$/, "");
    const { bucket, collection } = RECIPE_COLLECTION;
    return `${base}/buckets/${bucket}/collections/${collection}/changeset?_expected=${expected}`;
  }

  /** `expected` busts caches between publishes; any number works, the last known timestamp is best. */
  async fetchChangeset(expected: number): Promise<Changeset> {
    const url = this.changesetUrl(expected);
    const { json, text } = await fetchJsonWithText(url, this.limits);
    return { ...parseChangeset(url, json), body: text };
  }
}

function parseChangeset(url: string, body: unknown): Omit<Changeset, "body"> {
  const fail = (why: string): never => {
    throw new DeliveryError("server", `${url}: not a changeset: ${why}`);
  };
  if (!isObject(body)) return fail("the body is not an object");
  const { timestamp, changes, metadata } = body;
  if (typeof timestamp !== "number") return fail("`timestamp` is not a number");
  if (!Array.isArray(changes)) return fail("`changes` is not an array");
  const signature = isObject(metadata) ? metadata.signature : undefined;
  if (!isSignatureRef(signature)) return fail("`metadata.signature` lacks `signature` and `x5u` strings");
  changes.forEach((record: unknown, index) => {
    if (!isObject(record) || typeof record.id !== "string" || typeof record.last_modified !== "number") {
      fail(`changes[${index}] lacks a string \`id\` and a numeric \`last_modified\``);
    }
  });
  return { timestamp, signature, records: changes as RemoteSettingsRecord[] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSignatureRef(value: unknown): value is SignatureRef {
  return isObject(value) && typeof value.signature === "string" && typeof value.x5u === "string";
}
