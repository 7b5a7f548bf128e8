import type { SignatureRef } from "../src/core/index.js";
import type { PublishedRecord, PublishedSnapshot } from "./publishedSnapshot.js";

export const RECIPES_BUCKET = "main";
export const RECIPES_COLLECTION = "normandy-recipes-capabilities";

/** The body of a Remote Settings `…/changeset` response for the recipes collection. */
export interface RecipesChangeset {
  metadata: {
    id: string;
    bucket: string;
    last_modified: number;
    signature: SignatureRef;
    /**
     * Newer Firefox versions read the collection signature from this list (with `mode`), older ones
     * from `signature`; serving both keeps either kind of client working.
     */
    signatures: (SignatureRef & { mode: "p384ecdsa" })[];
  };
  changes: PublishedRecord[];
  timestamp: number;
}

/**
 * The changeset a client gets for `snapshot`. Asked for the changes `since` a timestamp (Remote Settings'
 * `_since`), it lists none when `since` is the snapshot's timestamp or newer, and otherwise all records: a
 * superset of the changes since then, where a real Remote Settings server sends only the records changed since
 * (tombstones of deleted ones included). Enough for this project's client, which fetches the full changeset
 * again whenever the answer to `_since` is not empty. `bucket`: the published collection's, or the preview's.
 */
export function recipesChangeset(
  snapshot: PublishedSnapshot,
  since?: number,
  bucket: string = RECIPES_BUCKET,
): RecipesChangeset {
  const unchanged = since !== undefined && since >= snapshot.timestamp;
  return {
    metadata: {
      id: RECIPES_COLLECTION,
      bucket,
      last_modified: snapshot.timestamp,
      signature: snapshot.signature,
      signatures: [{ ...snapshot.signature, mode: "p384ecdsa" }],
    },
    changes: unchanged ? [] : snapshot.records,
    timestamp: snapshot.timestamp,
  };
}
