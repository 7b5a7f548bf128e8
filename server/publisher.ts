import { canonicalJSON } from "../src/core/index.js";
import type { Recipe } from "../src/core/index.js";
import type { SigningPki } from "./pki.js";
import type { PublishedRecord, PublishedSnapshot } from "./publishedSnapshot.js";
import type { Clock, RecipeStore, StoredRecipe } from "./recipeStore.js";
import { signCollection } from "./collectionSignature.js";
import { chainUrl, RECIPE_SIGNER } from "./signers.js";
import type { SnapshotStore } from "./snapshotStore.js";

/**
 * Turns the enabled recipes into a signed Remote Settings collection. Clients are served the last
 * published snapshot, never live edits; every publish is kept in the snapshot history.
 */
export class Publisher {
  /** Publishes run one at a time, so timestamps and "previous snapshot" are never raced. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((snapshot: PublishedSnapshot) => void)[] = [];
  /** The served snapshot, kept in memory: every changeset request reads it, and only this class changes it. */
  private served: PublishedSnapshot | undefined;

  constructor(
    private readonly recipes: RecipeStore,
    private readonly snapshots: SnapshotStore,
    private readonly pki: SigningPki,
    private readonly serverUrl: string,
    private readonly now: Clock,
  ) {}

  /** The snapshot clients are served. Call `prepare()` once before. */
  current(): PublishedSnapshot {
    if (!this.served) throw new Error("nothing published yet: Publisher.prepare() was not called");
    return this.served;
  }

  /**
   * Makes sure there is a snapshot valid for this server URL: an empty signed collection on a first
   * start, or, when the server now runs at another URL (another port), the last published recipes
   * re-published so every x5u link points here. Live edits are not published by this.
   */
  prepare(): Promise<PublishedSnapshot> {
    return this.serialized(async () => {
      const latest = this.snapshots.latest();
      if (!latest) return this.publishRecipes([], undefined);
      if (latest.serverUrl !== this.serverUrl) {
        return this.publishRecipes(
          latest.records.map((record) => record.recipe),
          latest,
        );
      }
      this.served = latest;
      return latest;
    });
  }

  /** Signs every enabled recipe and the collection, and makes that the served snapshot. */
  publish(): Promise<PublishedSnapshot> {
    return this.serialized(async () => {
      const enabled = this.recipes.list().filter((recipe) => recipe.enabled);
      return this.publishRecipes(enabled.map(minimalRecipe), this.served);
    });
  }

  private async publishRecipes(recipes: Recipe[], previous: PublishedSnapshot | undefined): Promise<PublishedSnapshot> {
    const timestamp = Math.max(this.now().getTime(), (previous?.timestamp ?? 0) + 1);
    const previousById = new Map(previous?.records.map((record) => [record.id, record]));
    const records = await Promise.all(
      recipes.map((recipe) => this.recordFor(recipe, previousById.get(String(recipe.id)), timestamp)),
    );
    records.sort((a, b) => a.recipe.id - b.recipe.id);
    const signature = await signCollection(this.pki, this.serverUrl, records, timestamp);
    const snapshot: PublishedSnapshot = { timestamp, serverUrl: this.serverUrl, records, signature };
    this.snapshots.save(snapshot);
    this.served = snapshot;
    for (const listener of this.listeners) listener(snapshot);
    return snapshot;
  }

  /**
   * An unchanged recipe keeps its previous record (same signature and last_modified), as a Remote
   * Settings record does when it is not edited; anything else is signed afresh and stamped `timestamp`.
   */
  private async recordFor(
    recipe: Recipe,
    previous: PublishedRecord | undefined,
    timestamp: number,
  ): Promise<PublishedRecord> {
    const x5u = chainUrl(this.serverUrl, RECIPE_SIGNER);
    const signedText = canonicalJSON(recipe);
    if (previous && previous.signature.x5u === x5u && canonicalJSON(previous.recipe) === signedText) {
      return previous;
    }
    return {
      id: String(recipe.id),
      recipe,
      signature: {
        signature: await this.pki.sign(RECIPE_SIGNER, signedText),
        x5u,
        public_key: "",
        timestamp,
      },
      last_modified: timestamp,
    };
  }

  /** Calls `listener` after every publish, once the new snapshot is what clients are served. */
  onPublished(listener: (snapshot: PublishedSnapshot) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once no publish is running (used before closing the database). */
  async whenIdle(): Promise<void> {
    await this.queue;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }
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
