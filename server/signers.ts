import type { SignerName } from "./pki.js";

/** Signs each recipe; the add-on checks this subject on every run. */
export const RECIPE_SIGNER: SignerName = "normandy.content-signature.mozilla.org";
/** Signs the whole collection, as Remote Settings does; checked by Remote Settings clients on sync. */
export const COLLECTION_SIGNER: SignerName = "remote-settings.content-signature.mozilla.org";

export const SIGNERS: readonly SignerName[] = [RECIPE_SIGNER, COLLECTION_SIGNER];

/** Path of a signer's PEM chain (leaf first) on this server. */
export function chainPath(signer: SignerName): string {
  return `/chains/${signer}.pem`;
}

/** The absolute x5u URL of a signer's chain; content-signature clients fetch it as is. */
export function chainUrl(serverUrl: string, signer: SignerName): string {
  return `${serverUrl}${chainPath(signer)}`;
}
