import { DeliveryError } from "./DeliveryError.js";
import { fetchText, type FetchLimits, DEFAULT_FETCH_LIMITS } from "./fetchText.js";

/**
 * Fetches certificate chains (x5u URLs). Chains are only ever fetched from the configured server's
 * origin: an x5u elsewhere is refused before any request is made, so a tampered record cannot make the
 * client contact a host nobody configured. Fetched chains are kept for the life of the fetcher.
 */
export class X5uFetcher {
  private readonly chains = new Map<string, Promise<string>>();
  private readonly allowedOrigin: string;

  constructor(
    readonly serverUrl: string,
    private readonly limits: FetchLimits = DEFAULT_FETCH_LIMITS,
  ) {
    this.allowedOrigin = new URL(serverUrl).origin;
  }

  fetchChain(x5u: string): Promise<string> {
    let origin: string;
    try {
      origin = new URL(x5u).origin;
    } catch {
      return Promise.reject(new DeliveryError("server", `x5u ${JSON.stringify(x5u)} is not an absolute URL`));
    }
    if (origin !== this.allowedOrigin) {
      return Promise.reject(
        new DeliveryError("server", `x5u ${x5u} is not on the configured server's origin ${this.allowedOrigin}`),
      );
    }
    let chain = this.chains.get(x5u);
    if (!chain) {
      chain = fetchText(x5u, this.limits);
      // A failed fetch is not remembered: the next run tries again.
      chain.catch(() => this.chains.delete(x5u));
      this.chains.set(x5u, chain);
    }
    return chain;
  }
}
