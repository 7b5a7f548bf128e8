/**
 * Remembers content-signature verdicts so an unchanged recipe is not verified again on every run, and
 * certificate-chain verdicts so a new recipe costs one ECDSA check, not one per certificate of its chain.
 *
 * Recipe verdicts are keyed by everything they depend on except the time: SHA-256 of the data, the
 * signature, SHA-256 of the chain text, the expected subject and the pinned root. Chain verdicts are keyed
 * by the last three. A success remembers the period in which the whole chain is valid and is re-checked
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

const DEFAULT_MAX_ENTRIES = 1000;
/** Distinct chains in use at once: one per signer and server, so a handful. */
const MAX_CHAINS = 16;

export function createCachedVerifier(maxEntries = DEFAULT_MAX_ENTRIES): CachedVerifier {
  const verdicts = new VerdictMemo(maxEntries);
  const chains = new VerdictMemo(MAX_CHAINS);

  async function verifyWithCachedChain(options: ContentSignatureOptions, chainKey: string): Promise<VerifiedChain> {
    const signature = decodeContentSignature(options.signature);
    const chain = await chains.getOrVerify(chainKey, () => verifyCertificateChain(options));
    assertValidAt(chain, options.now ?? new Date(), "the certificate chain");
    await verifyDataSignature(chain.leaf, signature, options.data);
    return chain;
  }

  return async (options) => {
    const [dataHash, chainHash] = await Promise.all([sha256Hex(options.data), sha256Hex(options.x5u)]);
    const chainKey = JSON.stringify([chainHash, options.expectedSubject, options.rootHash ?? null]);
    const key = JSON.stringify([dataHash, options.signature, chainKey]);
    const chain = await verdicts.getOrVerify(key, () => verifyWithCachedChain(options, chainKey));
    assertValidAt(chain, options.now ?? new Date(), "the certificate chain");
  };
}

/** A bounded map of verdicts (oldest dropped first) that forgets time-dependent failures. */
class VerdictMemo {
  private readonly verdicts = new Map<string, Promise<VerifiedChain>>();

  constructor(private readonly maxEntries: number) {}

  getOrVerify(key: string, verify: () => Promise<VerifiedChain>): Promise<VerifiedChain> {
    const known = this.verdicts.get(key);
    if (known) return known;
    const verdict = verify();
    this.verdicts.set(key, verdict);
    verdict.catch((error: unknown) => {
      if (isTimeDependent(error) && this.verdicts.get(key) === verdict) this.verdicts.delete(key);
    });
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (this.verdicts.size > this.maxEntries) this.verdicts.delete(this.verdicts.keys().next().value!);
    return verdict;
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
