/**
 * Checks an Autograph certificate chain (x5u PEM text, leaf first) the way content signatures need it.
 *
 * Order of checks, cheapest first; with several defects, the first failing check names the error:
 *  1. the text parses into at least one certificate                           → broken-chain
 *  2. each certificate's issuer name is the next one's subject, and the last
 *     certificate is self-issued (the root is part of the chain)              → broken-chain
 *  3. every issuer is a CA (basicConstraints cA) with keyCertSign key usage   → cannot-sign
 *  4. every certificate is valid at `now`, leaf first                          → certificate-not-yet-valid / -expired
 *  5. the root's SHA-256 equals the pinned `rootHash`, when one is given       → wrong-root
 *  6. the leaf's subject CN equals `expectedSubject`                           → wrong-subject
 *  7. the leaf's extendedKeyUsage contains codeSigning                         → wrong-key-usage
 *  8. each certificate's signature verifies with the next one's key, the root
 *     with its own                                                             → broken-chain
 */
import { ContentSignatureError } from "./contentSignatureError.js";
import { DerError } from "./der.js";
import { bytesEqual, EncodingError, hexEncode } from "./encoding.js";
import { Oid } from "./oids.js";
import { isSignedBy } from "./signatureVerification.js";
import { parsePemChain, X509Error, type Certificate } from "./x509.js";

export interface ChainVerificationOptions {
  /** The certificate chain as PEM text, leaf first (what the x5u URL serves). */
  x5u: string;
  /** The CN the leaf must carry, e.g. `normandy.content-signature.mozilla.org`. */
  expectedSubject: string;
  /** SHA-256 of the root's DER: colon-separated hex pairs (`AA:BB:…`) or plain hex, any case. */
  rootHash?: string;
  /** Verification time; defaults to the current time. */
  now?: Date;
}

export interface VerifiedChain {
  readonly leaf: Certificate;
  /** The span in which every certificate of the chain is valid: the verdict holds only inside it. */
  readonly validFrom: Date;
  readonly validUntil: Date;
}

export async function verifyCertificateChain(options: ChainVerificationOptions): Promise<VerifiedChain> {
  const chain = parseChain(options.x5u);
  const leaf = chain[0]!;
  const root = chain[chain.length - 1]!;
  const issuers = chain.slice(1);

  chain.forEach((certificate, index) => {
    const issuer = chain[index + 1] ?? root;
    if (!bytesEqual(certificate.issuer.der, issuer.subject.der)) {
      fail("broken-chain", `certificate ${index} (${describe(certificate)}) is not issued by ${describe(issuer)}`);
    }
  });
  for (const issuer of issuers) {
    if (!issuer.isCA || !issuer.keyUsage?.has("keyCertSign")) {
      fail("cannot-sign", `${describe(issuer)} is not a CA allowed to sign certificates`);
    }
  }
  const now = options.now ?? new Date();
  for (const certificate of chain) {
    assertValidAt({ validFrom: certificate.notBefore, validUntil: certificate.notAfter }, now, describe(certificate));
  }
  if (options.rootHash !== undefined) await assertRootHash(root, options.rootHash);
  if (leaf.subject.commonName !== options.expectedSubject) {
    fail("wrong-subject", `leaf subject is ${describe(leaf)}, expected ${options.expectedSubject}`);
  }
  if (!leaf.extendedKeyUsage?.includes(Oid.codeSigning)) {
    fail("wrong-key-usage", `leaf ${describe(leaf)} is not allowed for code signing`);
  }
  const signedByNext = await Promise.all(
    chain.map((certificate, index) => isSignedBy(certificate, (chain[index + 1] ?? root).publicKey)),
  );
  const forged = signedByNext.indexOf(false);
  if (forged !== -1) fail("broken-chain", `signature of ${describe(chain[forged]!)} does not verify`);

  return {
    leaf,
    validFrom: new Date(Math.max(...chain.map((certificate) => certificate.notBefore.getTime()))),
    validUntil: new Date(Math.min(...chain.map((certificate) => certificate.notAfter.getTime()))),
  };
}

/** Throws certificate-not-yet-valid / certificate-expired when `now` lies outside the period. */
export function assertValidAt(period: { validFrom: Date; validUntil: Date }, now: Date, what: string): void {
  if (now < period.validFrom) fail("certificate-not-yet-valid", `${what} is not valid before ${period.validFrom.toISOString()}`);
  if (now > period.validUntil) fail("certificate-expired", `${what} expired at ${period.validUntil.toISOString()}`);
}

function parseChain(pem: string): Certificate[] {
  let chain: Certificate[];
  try {
    chain = parsePemChain(pem);
  } catch (error) {
    if (error instanceof DerError || error instanceof X509Error || error instanceof EncodingError) {
      fail("broken-chain", `certificate chain does not parse: ${error.message}`);
    }
    throw error;
  }
  if (chain.length === 0) fail("broken-chain", "no certificate in the chain");
  return chain;
}

async function assertRootHash(root: Certificate, pinned: string): Promise<void> {
  const actual = hexEncode(new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", root.der)));
  if (actual !== pinned.replace(/:/g, "").toLowerCase()) {
    fail("wrong-root", `root ${describe(root)} has SHA-256 ${actual}, expected ${pinned}`);
  }
}

function describe(certificate: Certificate): string {
  return `CN=${certificate.subject.commonName ?? "(none)"}`;
}

function fail(code: ContentSignatureError["code"], message: string): never {
  throw new ContentSignatureError(code, message);
}
