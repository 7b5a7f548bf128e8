import type { RemoteSettingsRecord } from "../core/index.js";
import type { SignatureRef } from "../core/index.js";
import { DeliveryError } from "./DeliveryError.js";
import { fetchJsonWithText, type FetchLimits, DEFAULT_FETCH_LIMITS } from "./fetchText.js";

/** The collection Normandy reads since Firefox 70 (recipes with capabilities). */
export const RECIPE_COLLECTION: RemoteSettingsCollection = {
  bucket: "main",
  collection: "normandy-recipes-capabilities",
};
/**
 * Where a server puts drafts it signed on QA's request (Remote Settings keeps a collection's preview in the
 * `main-preview` bucket): signed like published recipes, under the same root, but never read by a run. Only the
 * QA console's "Run here" reads it, one recipe at a time.
 */
export const PREVIEW_COLLECTION: RemoteSettingsCollection = {
  bucket: "main-preview",
  collection: "normandy-recipes-capabilities",
};

export interface RemoteSettingsCollection {
  bucket: string;
  collection: string;
}

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
    private readonly collection: RemoteSettingsCollection = RECIPE_COLLECTION,
  ) {}

  /** The changeset's URL; with `since`, the URL asking only for the records changed since that timestamp. */
  changesetUrl(expected: number, since?: number): string {
    const base = this.serverUrl.replace(/\/+$/, "");
    const { bucket, collection } = this.collection;
    const url = `${base}/buckets/${bucket}/collections/${collection}/changeset?_expected=${expected}`;
    return since === undefined ? url : `${url}&_since=${since}`;
  }

  /**
   * `expected` busts caches between publishes; any number works, the last known timestamp is best.
   * `previous`: the last changeset fetched from this server that verified, if any. Given one, the client first
   * asks for the changes since its timestamp (query parameters only: a CORS simple request, no preflight), and
   * when the collection is unchanged returns `previous` itself (the same object, so what is kept per changeset
   * or record, as in SignedTextMemo, is reused). On any change it fetches the full changeset again rather than
   * merge the diff: simpler, and changes are rare next to unchanged runs.
   *
   * An unchanged answer only makes the client reuse a changeset it verified before, whose signature is the one
   * the server has just served again (the caller verifies whatever this returns, a reused copy included). So a
   * hostile server gains nothing by it that it could not get by replaying that old changeset, which the caller's
   * replay and signature checks handle.
   */
  async fetchChangeset(expected: number, previous: Changeset | null = null): Promise<Changeset> {
    if (previous) {
      const changesSince = await this.fetchFrom(this.changesetUrl(expected, previous.timestamp));
      if (isUnchanged(previous, changesSince)) return previous;
    }
    return this.fetchFrom(this.changesetUrl(expected));
  }

  /** A full changeset or a `_since` answer: both are checked alike. */
  private async fetchFrom(url: string): Promise<Changeset> {
    const { json, text } = await fetchJsonWithText(url, this.limits);
    return { ...parseChangeset(url, json), body: text };
  }
}

/**
 * Whether `changesSince`, the answer to a request for the changes since `previous`, says `previous` is still the
 * collection: no changes, the same timestamp and the same signature and x5u. A server that signs the same
 * records again (say with a renewed certificate) serves another signature, and the client takes the new one.
 */
function isUnchanged(previous: Changeset, changesSince: Changeset): boolean {
  return (
    changesSince.records.length === 0 &&
    changesSince.timestamp === previous.timestamp &&
    changesSince.signature.signature === previous.signature.signature &&
    changesSince.signature.x5u === previous.signature.x5u
  );
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
