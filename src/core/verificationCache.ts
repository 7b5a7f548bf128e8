/**
 * Remembers content-signature verdicts so an unchanged recipe is not verified again on every run, and
 * certificate-chain verdicts so a new recipe costs one ECDSA check, not one per certificate of its chain.
 *
 * Recipe verdicts are keyed by everything they depend on except the time: the signature, the chain (by its
 * SHA-256), the expected subject and the pinned root, and they remember the data they were given, which must
 * be the same text on a hit. Chain verdicts are keyed by the chain's part of that key. The warm path hashes
 * nothing: chain hashes are remembered per chain text, and the data is compared, not hashed. A success remembers the period in which the whole chain is valid and is re-checked
 * against `now` on every hit. A failure is remembered and re-thrown with the same error, except a
 * certificate-(not-yet-)valid failure, which depends on the time and is forgotten. Concurrent calls for
 * the same key share one verification. The checks run in the same order as verifyContentSignature's.
 */
import { assertValidAt, verifyCertificateChain, type VerifiedChain } from "./certificateChain.js";
import { ContentSignatureError } from "./contentSignatureError.js";
import { decodeContentSignature, verifyDataSignature, type ContentSignatureOptions } from "./contentSignature.js";
import { hexEncode } from "./encoding.js";

/** Same contract as verifyContentSignature, answered from the cache when possible. */
export type CachedVerifier = (options: ContentSignatureOptions) => Promise<void>;

/**
 * Verdicts kept: well above the largest collection expected (Normandy never served more than a few hundred
 * recipes). It must exceed the number of recipes in a run: entries are dropped oldest first, so a run that
 * cycles through more recipes than the cache holds would miss on every one of them.
 */
const DEFAULT_MAX_ENTRIES = 10_000;
/** Distinct chains in use at once: one per signer and server, so a handful. */
const MAX_CHAINS = 16;
/**
 * Signed text the verdicts may keep, in characters: a collection's text is as large as its changeset (up to
 * 10 MiB), and a verdict per collection published during a long session would not fit in memory (the
 * hostile-recipe fuzzer ran out of it). The oldest verdicts go first; the newest is always kept.
 */
const MAX_SUBJECT_CHARS = 64 * 1024 * 1024;

export function createCachedVerifier(maxEntries = DEFAULT_MAX_ENTRIES): CachedVerifier {
  const verdicts = new VerdictMemo(maxEntries);
  const chains = new VerdictMemo(MAX_CHAINS);

  async function verifyWithCachedChain(options: ContentSignatureOptions, chainKey: string): Promise<VerifiedChain> {
    const signature = decodeContentSignature(options.signature);
    const chain = await chains.getOrVerify(chainKey, chainKey, () => verifyCertificateChain(options));
    assertValidAt(chain, options.now ?? new Date(), "the certificate chain");
    await verifyDataSignature(chain.leaf, signature, options.data);
    return chain;
  }

  const chainHashes = new Map<string, Promise<string>>();
  function chainHash(x5u: string): Promise<string> {
    let hash = chainHashes.get(x5u);
    if (!hash) {
      hash = sha256Hex(x5u);
      chainHashes.set(x5u, hash);
      if (chainHashes.size > MAX_CHAINS) chainHashes.delete(chainHashes.keys().next().value!);
    }
    return hash;
  }

  return async (options) => {
    const chainKey = JSON.stringify([await chainHash(options.x5u), options.expectedSubject, options.rootHash ?? null]);
    const key = JSON.stringify([options.signature, chainKey]);
    const chain = await verdicts.getOrVerify(key, options.data, () => verifyWithCachedChain(options, chainKey));
    assertValidAt(chain, options.now ?? new Date(), "the certificate chain");
  };
}

/**
 * A bounded map of verdicts (oldest dropped first) that forgets time-dependent failures. Each verdict is for
 * the `subject` it was computed on: a hit for the same key with another subject is a miss and replaces it.
 */
class VerdictMemo {
  private readonly verdicts = new Map<string, { subject: string; verdict: Promise<VerifiedChain> }>();
  private subjectChars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxSubjectChars = MAX_SUBJECT_CHARS,
  ) {}

  getOrVerify(key: string, subject: string, verify: () => Promise<VerifiedChain>): Promise<VerifiedChain> {
    const known = this.verdicts.get(key);
    if (known && known.subject === subject) return known.verdict;
    const verdict = verify();
    const entry = { subject, verdict };
    this.forget(key);
    this.verdicts.set(key, entry);
    this.subjectChars += subject.length;
    verdict.catch((error: unknown) => {
      if (isTimeDependent(error) && this.verdicts.get(key) === entry) this.forget(key);
    });
    // Maps iterate in insertion order: the first key is the oldest entry.
    while (
      this.verdicts.size > 1 &&
      (this.verdicts.size > this.maxEntries || this.subjectChars > this.maxSubjectChars)
    ) {
      this.forget(this.verdicts.keys().next().value!);
    }
    return verdict;
  }

  private forget(key: string): void {
    const entry = this.verdicts.get(key);
    if (!entry) return;
    this.verdicts.delete(key);
    this.subjectChars -= entry.subject.length;
  }
}

function isTimeDependent(error: unknown): boolean {
  return (
    error instanceof ContentSignatureError &&
    (error.code === "certificate-expired" || error.code === "certificate-not-yet-valid")
  );
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return hexEncode(new Uint8Array(digest));
}
