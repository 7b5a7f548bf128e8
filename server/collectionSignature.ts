import { collectionSignedData } from "../src/core/index.js";
import type { SignatureRef } from "../src/core/index.js";
import type { SigningPki } from "./pki.js";
import type { PublishedRecord } from "./publishedSnapshot.js";
import type { SignerName } from "./pki.js";
import { chainUrl } from "./signers.js";

/**
 * The Remote Settings collection signature, as kinto-signer makes it and Firefox's RemoteSettingsClient checks
 * it: over canonical JSON of {data: <records sorted by id, each exactly as served, including last_modified>,
 * last_modified: "<collection timestamp as a string>"}; see collectionSignedData.
 */
export async function signCollection(
  pki: SigningPki,
  serverUrl: string,
  records: readonly PublishedRecord[],
  timestamp: number,
  signer: SignerName,
): Promise<SignatureRef> {
  return {
    signature: await pki.sign(signer, collectionSignedData(records, timestamp)),
    x5u: chainUrl(serverUrl, signer),
  };
}
