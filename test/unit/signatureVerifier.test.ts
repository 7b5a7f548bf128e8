/**
 * Recipe signatures checked all at once: every check settles before `verifyRecipes` resolves, each recipe's
 * verdict is its own, and a chain gone stale is downloaded again once per run, not once per failing recipe.
 */
import { describe, expect, it } from "vitest";
import type { RecipeRecord } from "../../src/core/index.js";
import {
  SignatureFailure,
  SignatureVerifier,
  type ContentSignatureCheck,
} from "../../src/delivery/SignatureVerifier.js";
import { SignedTextMemo } from "../../src/delivery/SignedTextMemo.js";
import type { FetchedChain, X5uFetcher } from "../../src/delivery/X5uFetcher.js";

const TRUST = { recipeSigner: "recipes", collectionSigner: "collection", rootHash: "AA" };
const X5U = "http://127.0.0.1/chain.pem";

const records = (count: number): RecipeRecord[] =>
  Array.from({ length: count }, (_, index) => ({
    id: String(index),
    last_modified: 1,
    recipe: {
      id: index,
      name: `recipe ${index}`,
      action: "console-log",
      arguments: {},
      filter_expression: "true",
      revision_id: "1",
    },
    signature: { signature: index % 10 === 3 ? "bad" : "good", x5u: X5U },
  }));

/** A chain cache holding `cached` until forgotten, after which it has downloaded `fresh`; counts the downloads. */
function chainCache(cached: FetchedChain, fresh: string) {
  let current: FetchedChain = cached;
  let downloads = 0;
  const fetcher = {
    fetchChain: async () => current,
    forget: () => {
      downloads++;
      current = { pem: fresh, ageMs: 0 };
    },
  } as unknown as X5uFetcher;
  return { fetcher, downloads: () => downloads };
}

/** Passes a "good" signature with the chain `validPem`, fails everything else. */
const checkWith =
  (validPem: string): ContentSignatureCheck =>
  async ({ x5u, signature }) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (x5u !== validPem || signature !== "good") throw new Error("does not verify");
  };

describe("SignatureVerifier.verifyRecipes", () => {
  it("settles every check, then answers each recipe with its own verdict", async () => {
    const { fetcher } = chainCache({ pem: "chain", ageMs: 0 }, "chain");
    const verifier = new SignatureVerifier(TRUST, fetcher, checkWith("chain"), new SignedTextMemo());
    const all = records(30);
    const verdicts = [...(await verifier.verifyRecipes(all)).values()];
    expect(verdicts.filter((verdict) => verdict === null)).toHaveLength(27);
    expect(verdicts.filter((verdict) => verdict instanceof SignatureFailure)).toHaveLength(3);
  });

  it("downloads a stale chain again once for the whole run, however many checks fail with it", async () => {
    const { fetcher, downloads } = chainCache({ pem: "old chain", ageMs: 5 * 60_000 }, "renewed chain");
    const verifier = new SignatureVerifier(TRUST, fetcher, checkWith("renewed chain"), new SignedTextMemo());
    const all = records(50);
    const verdicts = await verifier.verifyRecipes(all);
    expect(downloads()).toBe(1);
    expect(verdicts.get(all[0]!)).toBeNull();
    expect(verdicts.get(all[3]!)).toBeInstanceOf(SignatureFailure);
  });
});
