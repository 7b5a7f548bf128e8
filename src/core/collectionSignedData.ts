import { canonicalJSON } from "./canonicalJson.js";

/** A record as Remote Settings serves it: an id, a server timestamp, and the payload. */
export interface RemoteSettingsRecord {
  id: string;
  last_modified: number;
  deleted?: boolean;
  [field: string]: unknown;
}

/**
 * The exact text a Remote Settings collection signature covers: the canonical JSON of
 * `{data: <live records sorted by id>, last_modified: "<collection timestamp>"}`. Deleted tombstones are
 * not part of the signed data, and the timestamp is a *string* (kinto-signer's serializer does this).
 * The server signs this text and the client verifies it, so both import this one function.
 */
export function collectionSignedData(records: readonly RemoteSettingsRecord[], timestamp: number): string {
  const live = records.filter((record) => !record.deleted);
  const sorted = [...live].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return canonicalJSON({ data: sorted, last_modified: String(timestamp) });
}
