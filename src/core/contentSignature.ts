/**
 * Autograph content signatures: ECDSA P-384 / SHA-384 over `"Content-Signature:\x00" + data` (UTF-8),
 * carried as base64url of the raw `r || s` (96 bytes), optionally prefixed `p384ecdsa=`.
 *
 * The signature's encoding is checked first (no crypto needed), then the certificate chain (see
 * certificateChain.ts for its order), then the signature over the data with the leaf's key.
 */
import { verifyCertificateChain, type ChainVerificationOptions, type VerifiedChain } from "./certificateChain.js";
import { ContentSignatureError } from "./contentSignatureError.js";
import { base64UrlDecode, EncodingError } from "./encoding.js";
import { verifySignature } from "./signatureVerification.js";
import type { Certificate } from "./x509.js";

/** Prepended to the data before signing, so a content signature cannot be replayed as another kind. */
export const CONTENT_SIGNATURE_PREFIX = "Content-Signature:\x00";

const SIGNATURE_PREFIX = "p384ecdsa=";
const P384_SIGNATURE_BYTES = 96;

export interface ContentSignatureOptions extends ChainVerificationOptions {
  /** The exact signed text, e.g. `canonicalJSON(recipe)`. */
  data: string;
  /** base64url (padding optional) of raw `r || s`, with or without the `p384ecdsa=` prefix. */
  signature: string;
}

/**
 * Resolves when `signature` is a valid content signature of `data` by the chain's leaf; otherwise
 * rejects with a ContentSignatureError. The resolved chain says for how long the verdict holds.
 */
export async function verifyContentSignature(options: ContentSignatureOptions): Promise<VerifiedChain> {
  const signature = decodeContentSignature(options.signature);
  const chain = await verifyCertificateChain(options);
  await verifyDataSignature(chain.leaf, signature, options.data);
  return chain;
}

/** The last step of verifyContentSignature: `signature` (decoded) over `data` with an already checked leaf. */
export async function verifyDataSignature(
  leaf: Certificate,
  signature: Uint8Array<ArrayBuffer>,
  data: string,
): Promise<void> {
  const { publicKey } = leaf;
  const isP384 = publicKey.type.kind === "ec" && publicKey.type.curve === "P-384";
  const signed = new TextEncoder().encode(CONTENT_SIGNATURE_PREFIX + data);
  if (!isP384 || !(await verifySignature(publicKey, { scheme: "ecdsa", hash: "SHA-384" }, signature, signed))) {
    throw new ContentSignatureError(
      "signature-mismatch",
      isP384 ? "the signature does not match the data" : "the leaf key is not an EC P-384 key",
    );
  }
}

/** Checks the signature's encoding and size (no crypto) and returns its raw `r || s` bytes. */
export function decodeContentSignature(text: string): Uint8Array<ArrayBuffer> {
  const encoded = text.startsWith(SIGNATURE_PREFIX) ? text.slice(SIGNATURE_PREFIX.length) : text;
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = base64UrlDecode(encoded);
  } catch (error) {
    if (error instanceof EncodingError)
      throw new ContentSignatureError("bad-signature-encoding", "the signature is not base64url");
    throw error;
  }
  if (signature.length !== P384_SIGNATURE_BYTES) {
    throw new ContentSignatureError(
      "wrong-signature-size",
      `the signature has ${signature.length} bytes, a P-384 signature has ${P384_SIGNATURE_BYTES}`,
    );
  }
  return signature;
}
