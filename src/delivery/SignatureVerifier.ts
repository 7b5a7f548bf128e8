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
      await this.check({ data, signature: ref.signature, x5u: chain, expectedSubject, rootHash: this.trust.rootHash });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const why = typeof code === "string" ? `${code}: ${(error as Error).message}` : String((error as Error).message ?? error);
      throw new SignatureFailure(`${what} signature does not verify (${why})`);
    }
  }
}
