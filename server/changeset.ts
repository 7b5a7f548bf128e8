import type { SignatureRef } from "../src/core/recipe.js";
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

/** The changeset a client gets for `snapshot`: always the full list of records (no `_since` diffing). */
export function recipesChangeset(snapshot: PublishedSnapshot): RecipesChangeset {
  return {
    metadata: {
      id: RECIPES_COLLECTION,
      bucket: RECIPES_BUCKET,
      last_modified: snapshot.timestamp,
      signature: snapshot.signature,
      signatures: [{ ...snapshot.signature, mode: "p384ecdsa" }],
    },
    changes: snapshot.records,
    timestamp: snapshot.timestamp,
  };
}
