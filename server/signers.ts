import { PREVIEW_COLLECTION_SIGNER, PREVIEW_RECIPE_SIGNER } from "../src/core/index.js";
import type { SignerName } from "./pki.js";

/** Signs each recipe; the add-on checks this subject on every run. */
export const RECIPE_SIGNER: SignerName = "normandy.content-signature.mozilla.org";
/** Signs the whole collection, as Remote Settings does; checked by Remote Settings clients on sync. */
export const COLLECTION_SIGNER: SignerName = "remote-settings.content-signature.mozilla.org";

/** Who signs a collection's recipes and the collection itself. */
export interface CollectionSigners {
  recipe: SignerName;
  collection: SignerName;
}
/** The published collection's: the subjects the add-on's prefs name. */
export const PUBLISHED_SIGNERS: CollectionSigners = { recipe: RECIPE_SIGNER, collection: COLLECTION_SIGNER };
/** The preview collection's: other certificates under the same root, so a preview never passes for a publish. */
export const PREVIEW_SIGNERS: CollectionSigners = {
  recipe: PREVIEW_RECIPE_SIGNER,
  collection: PREVIEW_COLLECTION_SIGNER,
};

export const SIGNERS: readonly SignerName[] = [
  RECIPE_SIGNER,
  COLLECTION_SIGNER,
  PREVIEW_RECIPE_SIGNER,
  PREVIEW_COLLECTION_SIGNER,
];

/** Path of a signer's PEM chain (leaf first) on this server. */
export function chainPath(signer: SignerName): string {
  return `/chains/${signer}.pem`;
}

/** The absolute x5u URL of a signer's chain; content-signature clients fetch it as is. */
export function chainUrl(serverUrl: string, signer: SignerName): string {
  return `${serverUrl}${chainPath(signer)}`;
}
