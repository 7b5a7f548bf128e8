import type { CollectionSigners } from "./signers.js";
import type { RecipeRecord, SignatureRef } from "../src/core/index.js";

/** A recipe's own signature as Normandy publishes it next to the recipe. */
export interface RecipeSignature extends SignatureRef {
  /** ms since epoch of the publish that produced this signature. */
  timestamp: number;
  /** Always "": clients take the key from the x5u chain. */
  public_key: string;
}

/** A record of the `normandy-recipes-capabilities` collection as this server serves it. */
export interface PublishedRecord extends RecipeRecord {
  signature: RecipeSignature;
}

/** One signed state of the collection: what clients are served until the next publish. */
export interface PublishedSnapshot {
  /** The collection timestamp (ms); strictly increasing across snapshots. */
  timestamp: number;
  /** The server URL the x5u links inside were built for. */
  serverUrl: string;
  /** Exactly as served and signed, in recipe id order (the signed data sorts them itself). */
  records: PublishedRecord[];
  /** Collection signature over `collectionSignedData(records, timestamp)`. */
  signature: SignatureRef;
}

/** A collection this server serves: its bucket, the snapshot served now, and the older ones it kept (for replay). */
export interface SignedCollection {
  bucket: string;
  /** Who signs it: a fault that re-signs the collection signs with these. */
  signers: CollectionSigners;
  current(): PublishedSnapshot;
  at(timestamp: number): PublishedSnapshot | undefined;
}
