import { parsePemChain } from "../core/index.js";
import { DeliveryError } from "./DeliveryError.js";
import { fetchText, type FetchLimits, DEFAULT_FETCH_LIMITS } from "./fetchText.js";

/** A chain as `fetchChain` returns it: its PEM text, and how long ago it was downloaded. */
export interface FetchedChain {
  pem: string;
  ageMs: number;
}

interface CacheEntry {
  pem: Promise<string>;
  fetchedAt: number;
  /** ms since the epoch when the first certificate of the chain expires; the entry is dropped then. */
  expiresAt: number;
}

/**
 * Fetches certificate chains (x5u URLs) and keeps each until the first of its certificates expires, so an
 * unchanged collection costs no chain download. Chains are only ever fetched from the configured server's
 * origin: an x5u elsewhere is refused before any request is made, so a tampered record cannot make the
 * client contact a host nobody configured.
 */
export class X5uFetcher {
  private readonly chains = new Map<string, CacheEntry>();
  private readonly allowedOrigin: string;

  constructor(
    readonly serverUrl: string,
    readonly limits: FetchLimits = DEFAULT_FETCH_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.allowedOrigin = new URL(serverUrl).origin;
  }

  async fetchChain(x5u: string): Promise<FetchedChain> {
    const entry = this.chains.get(x5u);
    if (entry && this.now() < entry.expiresAt) return { pem: await entry.pem, ageMs: this.now() - entry.fetchedAt };
    // Only a URL about to be fetched needs checking: every cached one was (parsing a URL per recipe costs a
    // warm run of 1,000 recipes about 15 ms in Firefox).
    this.assertAllowed(x5u);
    const pem = fetchText(x5u, this.limits);
    const fresh: CacheEntry = { pem, fetchedAt: this.now(), expiresAt: Infinity };
    this.chains.set(x5u, fresh);
    try {
      const text = await pem;
      fresh.expiresAt = earliestExpiry(text);
      return { pem: text, ageMs: 0 };
    } catch (error) {
      // A failed fetch is not remembered: the next run tries again.
      this.chains.delete(x5u);
      throw error;
    }
  }

  /** Forgets a chain, e.g. after a signature failed with it (the server may have rotated its certificate). */
  forget(x5u: string): void {
    this.chains.delete(x5u);
  }

  private assertAllowed(x5u: string): void {
    let origin: string;
    try {
      origin = new URL(x5u).origin;
    } catch {
      throw new DeliveryError("server", `x5u ${JSON.stringify(x5u)} is not an absolute URL`);
    }
    if (origin !== this.allowedOrigin) {
      throw new DeliveryError("server", `x5u ${x5u} is not on the configured server's origin ${this.allowedOrigin}`);
    }
  }
}

/** A chain without a parseable certificate is kept for no time at all: verification will reject it anyway. */
function earliestExpiry(pem: string): number {
  try {
    const expiries = parsePemChain(pem).map((certificate) => certificate.notAfter.getTime());
    return expiries.length > 0 ? Math.min(...expiries) : 0;
  } catch {
    return 0;
  }
}
