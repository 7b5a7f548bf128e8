/**
 * Deterministic sampling, bit for bit like Firefox's `Sampling` module
 * (toolkit/components/utils/Sampling.sys.mjs), so a client lands in the same sample and branch whether
 * Normandy or this add-on decides.
 *
 * An input is hashed to a 12-hex-digit key: the first 48 bits of SHA-256 over `JSON.stringify(input)`
 * (UTF-8). A fraction in [0, 1] maps to a key of the same form, and keys compare as *strings*. Keeping the
 * string comparison (rather than numbers) matters for the odd cases Firefox also has, e.g. a NaN fraction
 * becomes the key "000000000NaN".
 *
 * Each decision is a pure function of the input's hash (`isStableSampled`, `isBucketSampled`, `ratioIndex`).
 * Hashes are kept and tracked (settledPromise.ts), so the filter transforms decide synchronously for an
 * input hashed before (`withInputHash`); the exported samplers are asynchronous, as Firefox's are.
 */
import { thenNowOrLater, trackSettlement } from "./settledPromise.js";

const HASH_HEX_DIGITS = 12; // 48 bits, few enough to be exact as a JS number
const HASH_MAX = 2 ** 48 - 1;

/** Maps a fraction in [0, 1] to a 12-hex-digit key; throws outside that range. */
export function fractionToKey(fraction: number): string {
  if (fraction < 0 || fraction > 1) {
    throw new RangeError(`frac must be between 0 and 1 inclusive (got ${fraction})`);
  }
  return Math.floor(fraction * HASH_MAX)
    .toString(16)
    .padStart(HASH_HEX_DIGITS, "0");
}

/**
 * Hashes kept by input text: a run hashes the same inputs as the last one (the user id with each study's
 * name or recipe id), and a WebCrypto digest per sampling filter and recipe adds up. Bounded well above the
 * inputs of any collection; the oldest goes first.
 */
const MAX_KEPT_HASHES = 5000;
const keptHashes = new Map<string, Promise<string>>();

/** The first 12 hex digits of SHA-256 over `JSON.stringify(data)`. */
export async function truncatedHash(data: unknown): Promise<string> {
  return keptHash(data);
}

/**
 * `decide(truncatedHash(input))`: at once when the input's hash is already known, else a promise of it.
 * Throws (rather than rejects) when `input` cannot be turned into JSON or `decide` throws on a known hash.
 */
export function withInputHash<T>(input: unknown, decide: (inputHash: string) => T): T | Promise<T> {
  return thenNowOrLater(keptHash(input), decide);
}

/** `data`'s hash, kept (see keptHashes) and tracked, so that once computed it can be read synchronously. */
function keptHash(data: unknown): Promise<string> {
  // JSON.stringify(undefined) is undefined, which TextEncoder encodes as "" (as Firefox does).
  const text = JSON.stringify(data) ?? "";
  let hash = keptHashes.get(text);
  if (!hash) {
    hash = trackSettlement(sha256Prefix(text));
    keptHashes.set(text, hash);
    hash.catch(() => keptHashes.delete(text));
    if (keptHashes.size > MAX_KEPT_HASHES) keptHashes.delete(keptHashes.keys().next().value!);
  }
  return hash;
}

async function sha256Prefix(text: string): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let hex = "";
  for (const byte of digest.subarray(0, HASH_HEX_DIGITS / 2)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** True for a share `rate` (0..1) of all inputs: those whose hash is below the rate's key. */
export async function stableSample(input: unknown, rate: number): Promise<boolean> {
  return isStableSampled(await truncatedHash(input), rate);
}

/** stableSample's decision for an input with this hash. */
export function isStableSampled(inputHash: string, rate: number): boolean {
  return inputHash < fractionToKey(rate);
}

/**
 * True if the input's bucket (of `total` equal buckets) is one of the `count` buckets from `start`;
 * the range wraps around, so start 70, count 50, total 100 means buckets 70–99 and 0–19.
 */
export async function bucketSample(input: unknown, start: number, count: number, total: number): Promise<boolean> {
  return isBucketSampled(await truncatedHash(input), start, count, total);
}

/** bucketSample's decision for an input with this hash. */
export function isBucketSampled(inputHash: string, start: number, count: number, total: number): boolean {
  const wrappedStart = start % total;
  const end = wrappedStart + count;
  if (end > total) {
    return isHashInBuckets(inputHash, 0, end % total, total) || isHashInBuckets(inputHash, wrappedStart, total, total);
  }
  return isHashInBuckets(inputHash, wrappedStart, end, total);
}

/**
 * The index of the bucket the input falls in when the hash space is split in proportion to `ratios`:
 * with [1, 2, 3, 4], 10% of inputs give 0 and 40% give 3. Rejects an empty list.
 */
export async function ratioSample(input: unknown, ratios: readonly number[]): Promise<number> {
  if (ratios.length < 1) {
    throw new RangeError(`ratios must be at least 1 element long (got length: ${ratios.length})`);
  }
  return ratioIndex(await truncatedHash(input), ratios);
}

/** ratioSample's decision for an input with this hash (`ratios` not empty). */
function ratioIndex(inputHash: string, ratios: readonly number[]): number {
  const ratioTotal = ratios.reduce((sum, ratio) => sum + ratio);
  let samplePoint = 0;
  for (let k = 0; k < ratios.length - 1; k++) {
    samplePoint += ratios[k]!;
    // `<=`, not `<`: the boundary key belongs to the lower bucket, as in Firefox.
    if (inputHash <= fractionToKey(samplePoint / ratioTotal)) return k;
  }
  return ratios.length - 1;
}

/** True if `inputHash` lies in buckets [minBucket, maxBucket) of `bucketCount`. */
function isHashInBuckets(inputHash: string, minBucket: number, maxBucket: number, bucketCount: number): boolean {
  // Both keys first, as Firefox does: an out-of-range bound throws even when the lower test fails.
  const minHash = fractionToKey(minBucket / bucketCount);
  const maxHash = fractionToKey(maxBucket / bucketCount);
  return minHash <= inputHash && inputHash < maxHash;
}
