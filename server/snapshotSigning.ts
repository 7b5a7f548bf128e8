import { canonicalJSON } from "../src/core/index.js";
import type { Recipe } from "../src/core/index.js";
import { signCollection } from "./collectionSignature.js";
import type { SignerName, SigningPki } from "./pki.js";
import type { PublishedRecord, PublishedSnapshot } from "./publishedSnapshot.js";
import type { StoredRecipe } from "./recipeStore.js";
import { chainUrl, type CollectionSigners } from "./signers.js";

/**
 * Signs `recipes` as a collection the way Normandy and Remote Settings do: each recipe by `signers.recipe`, the
 * collection by `signers.collection`, x5u links on `serverUrl`. The timestamp is `now`, or one more than the
 * previous snapshot's when the clock has not moved past it: strictly increasing. Both the published collection
 * and the preview collection are signed by this (each with its own signers), so a client checks a preview exactly
 * like a published recipe.
 */
export async function signSnapshot(
  pki: SigningPki,
  serverUrl: string,
  recipes: readonly Recipe[],
  previous: PublishedSnapshot | undefined,
  now: number,
  signers: CollectionSigners,
): Promise<PublishedSnapshot> {
  const timestamp = Math.max(now, (previous?.timestamp ?? 0) + 1);
  const previousById = new Map(previous?.records.map((record) => [record.id, record]));
  const records = await Promise.all(
    recipes.map((recipe) =>
      signedRecord(pki, serverUrl, signers.recipe, recipe, previousById.get(String(recipe.id)), timestamp),
    ),
  );
  records.sort((a, b) => a.recipe.id - b.recipe.id);
  const signature = await signCollection(pki, serverUrl, records, timestamp, signers.collection);
  return { timestamp, serverUrl, records, signature };
}

/**
 * An unchanged recipe keeps its previous record (same signature and last_modified), as a Remote
 * Settings record does when it is not edited; anything else is signed afresh and stamped `timestamp`.
 */
async function signedRecord(
  pki: SigningPki,
  serverUrl: string,
  signer: SignerName,
  recipe: Recipe,
  previous: PublishedRecord | undefined,
  timestamp: number,
): Promise<PublishedRecord> {
  const x5u = chainUrl(serverUrl, signer);
  const signedText = canonicalJSON(recipe);
  if (previous && previous.signature.x5u === x5u && canonicalJSON(previous.recipe) === signedText) {
    return previous;
  }
  return {
    id: String(recipe.id),
    recipe,
    signature: { signature: await pki.sign(signer, signedText), x5u, public_key: "", timestamp },
    last_modified: timestamp,
  };
}

/** Normandy's MinimalRecipe: what is signed and delivered. Capabilities always include `action.<name>`. */
export function minimalRecipe(recipe: StoredRecipe): Recipe {
  const capabilities = [...new Set([...recipe.capabilities, `action.${recipe.action}`])].sort();
  return {
    id: recipe.id,
    name: recipe.name,
    revision_id: String(recipe.revision_id),
    action: recipe.action,
    arguments: recipe.arguments,
    filter_expression: recipe.filter_expression,
    capabilities,
  };
}
