import type { RecipeRecord, SignatureRef } from "../core/index.js";
import type { Changeset } from "./RemoteSettingsClient.js";
import type { SignedTextMemo } from "./SignedTextMemo.js";
import type { FetchedChain, X5uFetcher } from "./X5uFetcher.js";

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
/** Each recipe's signature verdict: null when it verifies, else why not. */
export type RecipeVerdicts = ReadonlyMap<RecipeRecord, SignatureFailure | null>;

export class SignatureVerifier {
  /** Chains downloaded again in this run because a signature failed with a stale copy, by x5u. */
  private readonly refreshedChains = new Map<string, Promise<FetchedChain>>();

  constructor(
    private readonly trust: TrustAnchors,
    private readonly x5u: X5uFetcher,
    private readonly check: ContentSignatureCheck,
    private readonly texts: SignedTextMemo,
  ) {}

  async verifyCollection(changeset: Changeset): Promise<void> {
    await this.verify(
      "collection",
      this.texts.collectionText(changeset),
      changeset.signature,
      this.trust.collectionSigner,
    );
  }

  /**
   * Checks the signatures of all `records` at once and resolves, once every check has settled, to each
   * record's verdict (it never rejects). WebCrypto verifies on background threads, so a cold run keeps every
   * core busy instead of verifying one recipe after the other; a warm run then reads the verdicts without
   * awaiting anything per recipe.
   */
  async verifyRecipes(records: readonly RecipeRecord[]): Promise<RecipeVerdicts> {
    const verdicts = await Promise.all(
      records.map((record) =>
        this.checkRecipe(record).then(
          () => null,
          (error: SignatureFailure) => error,
        ),
      ),
    );
    return new Map(records.map((record, index) => [record, verdicts[index]!]));
  }

  private async checkRecipe(record: RecipeRecord): Promise<void> {
    return this.verify(
      `recipe ${record.recipe.id}`,
      this.texts.recipeText(record),
      record.signature,
      this.trust.recipeSigner,
    );
  }

  private async verify(what: string, data: string, ref: SignatureRef, expectedSubject: string): Promise<void> {
    try {
      const chain = await this.x5u.fetchChain(ref.x5u);
      try {
        await this.checkWith(chain.pem, data, ref, expectedSubject);
      } catch (error) {
        if (chain.ageMs < STALE_CHAIN_MS) throw error;
        // The cached chain may be stale (the server renewed its certificate at the same URL): try once
        // more with a fresh copy before calling the signature bad. Only for chains older than a minute, and
        // once per run, so a collection full of bad signatures cannot make the client download the chain
        // again and again (its recipes are checked concurrently, each failing with the same stale chain).
        await this.checkWith((await this.refreshedChain(ref.x5u)).pem, data, ref, expectedSubject);
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const why =
        typeof code === "string" ? `${code}: ${(error as Error).message}` : String((error as Error).message ?? error);
      throw new SignatureFailure(`${what} signature does not verify (${why})`);
    }
  }

  private refreshedChain(x5u: string): Promise<FetchedChain> {
    let chain = this.refreshedChains.get(x5u);
    if (!chain) {
      this.x5u.forget(x5u);
      chain = this.x5u.fetchChain(x5u);
      this.refreshedChains.set(x5u, chain);
    }
    return chain;
  }

  private checkWith(x5u: string, data: string, ref: SignatureRef, expectedSubject: string): Promise<void> {
    return this.check({ data, signature: ref.signature, x5u, expectedSubject, rootHash: this.trust.rootHash });
  }
}
