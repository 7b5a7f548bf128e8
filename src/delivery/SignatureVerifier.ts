import { canonicalJSON, collectionSignedData, type RecipeRecord, type SignatureRef } from "../core/index.js";
import type { Changeset } from "./RemoteSettingsClient.js";
import type { X5uFetcher } from "./X5uFetcher.js";

/** The shape of `verifyContentSignature` from core; injected so tests can count or fake verifications. */
export type ContentSignatureCheck = (options: {
  data: string;
  signature: string;
  x5u: string;
  expectedSubject: string;
  rootHash?: string;
}) => Promise<void>;

export interface TrustAnchors {
  recipeSigner: string;
  collectionSigner: string;
  rootHash: string;
}

const STALE_CHAIN_MS = 60_000;

/** A signature did not verify; `message` says which signature and why. */
export class SignatureFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignatureFailure";
  }
}

/**
 * Normandy's two signature layers: the Remote Settings collection signature (the changeset as a whole)
 * and each recipe's own Autograph signature over `canonicalJSON(recipe)`.
 */
export class SignatureVerifier {
  constructor(
    private readonly trust: TrustAnchors,
    private readonly x5u: X5uFetcher,
    private readonly check: ContentSignatureCheck,
  ) {}

  async verifyCollection(changeset: Changeset): Promise<void> {
    const data = collectionSignedData(changeset.records, changeset.timestamp);
    await this.verify("collection", data, changeset.signature, this.trust.collectionSigner);
  }

  async verifyRecipe(record: RecipeRecord): Promise<void> {
    await this.verify(`recipe ${record.recipe.id}`, canonicalJSON(record.recipe), record.signature, this.trust.recipeSigner);
  }

  private async verify(what: string, data: string, ref: SignatureRef, expectedSubject: string): Promise<void> {
    try {
      const chain = await this.x5u.fetchChain(ref.x5u);
      try {
        await this.checkWith(chain.pem, data, ref, expectedSubject);
      } catch (error) {
        if (chain.ageMs < STALE_CHAIN_MS) throw error;
        // The cached chain may be stale (the server renewed its certificate at the same URL): try once
        // more with a fresh copy before calling the signature bad. Only for chains older than a minute, so
        // a collection full of bad signatures cannot make the client download the chain again and again.
        this.x5u.forget(ref.x5u);
        await this.checkWith((await this.x5u.fetchChain(ref.x5u)).pem, data, ref, expectedSubject);
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const why = typeof code === "string" ? `${code}: ${(error as Error).message}` : String((error as Error).message ?? error);
      throw new SignatureFailure(`${what} signature does not verify (${why})`);
    }
  }

  private checkWith(x5u: string, data: string, ref: SignatureRef, expectedSubject: string): Promise<void> {
    return this.check({ data, signature: ref.signature, x5u, expectedSubject, rootHash: this.trust.rootHash });
  }
}
