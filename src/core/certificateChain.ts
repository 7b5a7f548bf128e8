/**
 * Checks an Autograph certificate chain (the x5u PEM text) the way Firefox checks it
 * (ContentSignatureVerifier.cpp: mozilla::pkix `BuildCertChain` in an `AppTrustDomain`, then
 * `CheckCertHostname`): the first certificate is the signer's (the leaf), every other one is a pool of
 * candidate issuers, in any order, unrelated ones allowed. A path is built from the leaf up to the trusted
 * root, trying each candidate whose subject is the issuer name in turn, backtracking when one fails.
 *
 * Trust: the root is the pool certificate whose SHA-256 is the pinned `rootHash`: our way to trust a root that
 * Firefox does not compile in. Stricter than Firefox, which has its roots built in: the root must be in the
 * x5u text (Autograph's x5u always ends with it). Without a pin (tests and tools; the add-on refuses to run
 * without one), a self-issued certificate whose own key verifies its signature ends a path.
 *
 * Order of checks (mozilla::pkix's), and the error each gives:
 *  1. the leaf parses (pool certificates that do not are left out of the pool)    → broken-chain
 *  2. the leaf's own properties (chainPolicy.ts); like mozilla::pkix, reported only once a path is found
 *  3. for each candidate issuer: its name constraints over the certificates below it, its own properties
 *     as an issuer, its own issuer (the same steps, recursively) unless it is the root, then the signature
 *     of the certificate below it. The first candidate that passes wins; when all fail, their common error,
 *     else broken-chain. No candidate at all: wrong-root for a self-issued certificate (a root, but not the
 *     pinned one), else broken-chain.
 *  4. the leaf names the signer (subjectAltName dNSName)                          → wrong-subject
 */
import { checkCertificate, checkNameConstraints, checkSignerName, describe } from "./chainPolicy.js";
import { ContentSignatureError } from "./contentSignatureError.js";
import { DerError } from "./der.js";
import { base64Decode, bytesEqual, EncodingError, hexEncode } from "./encoding.js";
import { isSignedBy } from "./signatureVerification.js";
import { parseCertificate, pemCertificateBlocks, X509Error, type Certificate } from "./x509.js";

export interface ChainVerificationOptions {
  /** The certificate chain as PEM text, leaf first (what the x5u URL serves). */
  x5u: string;
  /** The signer the leaf must name, e.g. `normandy.content-signature.mozilla.org`. */
  expectedSubject: string;
  /** SHA-256 of the root's DER: colon-separated hex pairs (`AA:BB:…`) or plain hex, any case. */
  rootHash?: string;
  /** Verification time; defaults to the current time. */
  now?: Date;
}

export interface VerifiedChain {
  readonly leaf: Certificate;
  /** The span in which every certificate of the path is valid: the verdict holds only inside it. */
  readonly validFrom: Date;
  readonly validUntil: Date;
}

/** pkixbuild.cpp `MAX_SUBCA_COUNT`: intermediates allowed between the leaf and the root. */
const MAX_INTERMEDIATES = 6;
/**
 * Candidate issuers tried in one verification. mozilla::pkix allows 200,000 steps; a pool that needs more
 * than this (many certificates sharing one name) is refused, so a hostile x5u cannot make us search for long.
 */
const MAX_ISSUER_ATTEMPTS = 1000;

export async function verifyCertificateChain(options: ChainVerificationOptions): Promise<VerifiedChain> {
  const { leaf, pool } = parseChain(options.x5u);
  const now = options.now ?? new Date();
  const leafProblem = problemOf(() => checkCertificate(leaf, { kind: "leaf" }, now));
  const issuers = await new PathBuilder(pool, now, rootTest(options.rootHash, pool)).issuersAbove([leaf]);
  if (leafProblem) throw leafProblem;
  checkSignerName(leaf, options.expectedSubject);
  const path = [leaf, ...issuers];
  return {
    leaf,
    validFrom: new Date(Math.max(...path.map((certificate) => certificate.notBefore.getTime()))),
    validUntil: new Date(Math.min(...path.map((certificate) => certificate.notAfter.getTime()))),
  };
}

/** Throws certificate-not-yet-valid / certificate-expired when `now` lies outside the period. */
export function assertValidAt(period: { validFrom: Date; validUntil: Date }, now: Date, what: string): void {
  if (now < period.validFrom)
    fail("certificate-not-yet-valid", `${what} is not valid before ${period.validFrom.toISOString()}`);
  if (now > period.validUntil) fail("certificate-expired", `${what} expired at ${period.validUntil.toISOString()}`);
}

class PathBuilder {
  private attempts = 0;

  constructor(
    private readonly pool: readonly Certificate[],
    private readonly now: Date,
    private readonly isRoot: (certificate: Certificate) => Promise<boolean>,
  ) {}

  /** The issuers above the last certificate of `below` (the path so far, leaf first), up to the root. */
  async issuersAbove(below: readonly Certificate[]): Promise<Certificate[]> {
    const child = below[below.length - 1]!;
    const failures: ContentSignatureError[] = [];
    for (const candidate of this.pool) {
      if (!bytesEqual(candidate.subject.der, child.issuer.der) || onPath(candidate, below)) continue;
      try {
        return [candidate, ...(await this.tryIssuer(candidate, below))];
      } catch (error) {
        if (!(error instanceof ContentSignatureError)) throw error;
        failures.push(error);
      }
    }
    if (failures.length === 0) {
      if (bytesEqual(child.subject.der, child.issuer.der))
        fail("wrong-root", `root ${describe(child)} is not the trusted root`);
      fail("broken-chain", `the chain holds no issuer of ${describe(child)}`);
    }
    const [first] = failures as [ContentSignatureError];
    if (failures.every((failure) => failure.code === first.code)) throw first;
    fail(
      "broken-chain",
      `no issuer of ${describe(child)} leads to the trusted root: ${failures.map((failure) => failure.message).join("; ")}`,
    );
  }

  /** The issuers above `candidate` when it can sign the last certificate of `below`; throws otherwise. */
  private async tryIssuer(candidate: Certificate, below: readonly Certificate[]): Promise<Certificate[]> {
    if (++this.attempts > MAX_ISSUER_ATTEMPTS) fail("broken-chain", "the chain has too many candidate issuers");
    checkNameConstraints(candidate, below);
    const subCACount = below.length - 1;
    const isAnchor = await this.isRoot(candidate);
    checkCertificate(candidate, { kind: "issuer", subCACount, isAnchor }, this.now);
    // Checked last, as mozilla::pkix does, but started now: the path above is verified meanwhile.
    const child = below[below.length - 1]!;
    const signed = isSignedBy(child, candidate.publicKey);
    signed.catch(() => {}); // awaited below, unless the path above fails first
    let above: Certificate[] = [];
    if (!isAnchor) {
      if (subCACount >= MAX_INTERMEDIATES)
        fail("broken-chain", `more than ${MAX_INTERMEDIATES} intermediates below the root`);
      above = await this.issuersAbove([...below, candidate]);
    }
    if (!(await signed)) {
      fail("broken-chain", `signature of ${describe(child)} does not verify with the key of ${describe(candidate)}`);
    }
    return above;
  }
}

/** mozilla::pkix's loop check (RFC 4158 §5.2): the same subject and key may not appear twice in a path. */
function onPath(candidate: Certificate, path: readonly Certificate[]): boolean {
  return path.some(
    (certificate) =>
      bytesEqual(certificate.subject.der, candidate.subject.der) &&
      bytesEqual(certificate.publicKey.spki, candidate.publicKey.spki),
  );
}

/** Whether a pool certificate is the trusted root; the pool's hashes are all computed at once, up front. */
function rootTest(
  rootHash: string | undefined,
  pool: readonly Certificate[],
): (certificate: Certificate) => Promise<boolean> {
  if (rootHash === undefined) {
    return async (certificate) =>
      bytesEqual(certificate.subject.der, certificate.issuer.der) && isSignedBy(certificate, certificate.publicKey);
  }
  const pinned = rootHash.replace(/:/g, "").toLowerCase();
  const hashes = new Map(
    pool.map((certificate) => [certificate, globalThis.crypto.subtle.digest("SHA-256", certificate.der)]),
  );
  return async (certificate) => hexEncode(new Uint8Array(await hashes.get(certificate)!)) === pinned;
}

/** The leaf (which must parse) and the pool of the other certificates that parse. */
function parseChain(pem: string): { leaf: Certificate; pool: Certificate[] } {
  const [leafBlock, ...poolBlocks] = pemCertificateBlocks(pem);
  if (leafBlock === undefined) fail("broken-chain", "no certificate in the chain");
  let leaf: Certificate;
  try {
    leaf = parseBlock(leafBlock);
  } catch (error) {
    if (!isParseError(error)) throw error;
    fail("broken-chain", `the signing certificate does not parse: ${error.message}`);
  }
  // Like Firefox's trust domain, which skips candidates it cannot read.
  const pool = poolBlocks.flatMap((block) => {
    try {
      return [parseBlock(block)];
    } catch (error) {
      if (isParseError(error)) return [];
      throw error;
    }
  });
  return { leaf, pool };
}

function parseBlock(block: string): Certificate {
  return parseCertificate(base64Decode(block));
}

function isParseError(error: unknown): error is Error {
  return error instanceof DerError || error instanceof X509Error || error instanceof EncodingError;
}

function problemOf(check: () => void): ContentSignatureError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof ContentSignatureError) return error;
    throw error;
  }
}

function fail(code: ContentSignatureError["code"], message: string): never {
  throw new ContentSignatureError(code, message);
}
