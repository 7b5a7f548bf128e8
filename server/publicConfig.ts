import type { PublicUrls } from "./config.js";
import type { SigningPki } from "./pki.js";
import { COLLECTION_SIGNER, RECIPE_SIGNER } from "./signers.js";

/** What a client (the add-on, QA) must be configured with to trust and reach this server. */
export interface PublicConfig extends PublicUrls {
  /** SHA-256 of the root certificate's DER, colon-separated hex: the pin for content signatures. */
  rootHash: string;
  recipeSigner: string;
  collectionSigner: string;
}

export function publicConfig(urls: PublicUrls, pki: Pick<SigningPki, "rootHash">): PublicConfig {
  return { ...urls, rootHash: pki.rootHash, recipeSigner: RECIPE_SIGNER, collectionSigner: COLLECTION_SIGNER };
}
