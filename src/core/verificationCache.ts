/**
 * Remembers content-signature verdicts so an unchanged recipe is not verified again on every run.
 *
 * Entries are keyed by everything the verdict depends on except the time: SHA-256 of the data, the
 * signature, SHA-256 of the chain text, the expected subject and the pinned root. A success remembers
 * the period in which the whole chain is valid and is re-checked against `now` on every hit. A failure
 * is remembered and re-thrown with the same error, except a certificate-(not-yet-)valid failure, which
 * depends on the time and is forgotten. Concurrent calls for the same key share one verification.
 */
import { assertValidAt, type VerifiedChain } from "./certificateChain.js";
import { ContentSignatureError } from "./contentSignatureError.js";
import { verifyContentSignature, type ContentSignatureOptions } from "./contentSignature.js";
import { hexEncode } from "./encoding.js";

/** Same contract as verifyContentSignature, answered from the cache when possible. */
export type CachedVerifier = (options: ContentSignatureOptions) => Promise<void>;

const DEFAULT_MAX_ENTRIES = 1000;

export function createCachedVerifier(maxEntries = DEFAULT_MAX_ENTRIES): CachedVerifier {
  const verdicts = new Map<string, Promise<VerifiedChain>>();

  return async (options) => {
    const key = await cacheKey(options);
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = verifyContentSignature(options);
      remember(key, verdict);
    }
    const chain = await verdict;
    assertValidAt(chain, options.now ?? new Date(), "the certificate chain");
  };

  function remember(key: string, verdict: Promise<VerifiedChain>): void {
    verdicts.set(key, verdict);
    verdict.catch((error: unknown) => {
      if (isTimeDependent(error)) verdicts.delete(key);
    });
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (verdicts.size > maxEntries) verdicts.delete(verdicts.keys().next().value!);
  }
}

function isTimeDependent(error: unknown): boolean {
  return (
    error instanceof ContentSignatureError &&
    (error.code === "certificate-expired" || error.code === "certificate-not-yet-valid")
  );
}

async function cacheKey(options: ContentSignatureOptions): Promise<string> {
  const [dataHash, chainHash] = await Promise.all([sha256Hex(options.data), sha256Hex(options.x5u)]);
  return JSON.stringify([dataHash, options.signature, chainHash, options.expectedSubject, options.rootHash ?? null]);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return hexEncode(new Uint8Array(digest));
}
