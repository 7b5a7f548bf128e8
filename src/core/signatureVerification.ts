/** WebCrypto signature checks with keys taken from certificates. */
import { childrenOf, DerError, DerTag, readDer, readUnsignedInteger } from "./der.js";
import { FIELD_BYTES, type Certificate, type PublicKeyInfo, type SignatureAlgorithm } from "./x509.js";

/**
 * Verifies `signature` over `data` with a certificate's public key. ECDSA signatures are raw `r || s`
 * (WebCrypto's form). A key that does not fit the scheme simply fails to verify.
 */
export async function verifySignature(
  publicKey: PublicKeyInfo,
  algorithm: SignatureAlgorithm,
  signature: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const subtle = globalThis.crypto.subtle;
  const { type } = publicKey;
  if (algorithm.scheme === "ecdsa" && type.kind === "ec") {
    const key = await importOnce(publicKey, { name: "ECDSA", namedCurve: type.curve });
    return subtle.verify({ name: "ECDSA", hash: algorithm.hash }, key, signature, data);
  }
  if (algorithm.scheme === "rsa-pkcs1" && type.kind === "rsa") {
    const params = { name: "RSASSA-PKCS1-v1_5", hash: algorithm.hash };
    return subtle.verify(params, await importOnce(publicKey, params), signature, data);
  }
  return false;
}

/**
 * Imported WebCrypto keys, per parsed key and import parameters: a chain kept in a cache verifies every
 * recipe with the same leaf, and importing its key each time would cost about as much as the check itself.
 */
const importedKeys = new WeakMap<PublicKeyInfo, Map<string, Promise<CryptoKey>>>();

function importOnce(publicKey: PublicKeyInfo, params: EcKeyImportParams | RsaHashedImportParams): Promise<CryptoKey> {
  let byParams = importedKeys.get(publicKey);
  if (!byParams) importedKeys.set(publicKey, (byParams = new Map()));
  const id = JSON.stringify(params);
  let key = byParams.get(id);
  if (!key) {
    key = globalThis.crypto.subtle.importKey("spki", publicKey.spki, params, false, ["verify"]);
    byParams.set(id, key);
  }
  return key;
}

/** Whether `certificate` was signed by the holder of `issuerKey`. */
export async function isSignedBy(certificate: Certificate, issuerKey: PublicKeyInfo): Promise<boolean> {
  const { signatureAlgorithm, signature, tbs } = certificate;
  if (signatureAlgorithm.scheme === "rsa-pkcs1") return verifySignature(issuerKey, signatureAlgorithm, signature, tbs);
  if (issuerKey.type.kind !== "ec") return false;
  const raw = ecdsaDerToRaw(signature, FIELD_BYTES[issuerKey.type.curve]);
  return raw !== undefined && verifySignature(issuerKey, signatureAlgorithm, raw, tbs);
}

/** X.509 encodes ECDSA signatures as DER `SEQUENCE { r INTEGER, s INTEGER }`; WebCrypto wants `r || s`. */
function ecdsaDerToRaw(der: Uint8Array<ArrayBuffer>, fieldBytes: number): Uint8Array<ArrayBuffer> | undefined {
  try {
    const integers = childrenOf(readDer(der), DerTag.SEQUENCE);
    if (integers.length !== 2) return undefined;
    const raw = new Uint8Array(2 * fieldBytes);
    for (const [index, integer] of integers.entries()) {
      const magnitude = readUnsignedInteger(integer);
      if (magnitude.length > fieldBytes) return undefined;
      raw.set(magnitude, (index + 1) * fieldBytes - magnitude.length);
    }
    return raw;
  } catch (error) {
    if (error instanceof DerError) return undefined; // malformed DER: the signature cannot verify
    throw error;
  }
}
