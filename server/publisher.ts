import type { Recipe } from "../src/core/index.js";
import type { SigningPki } from "./pki.js";
import type { PublishedSnapshot } from "./publishedSnapshot.js";
import type { Clock, RecipeStore } from "./recipeStore.js";
import { SerialQueue } from "../src/core/index.js";
import { minimalRecipe, signSnapshot } from "./snapshotSigning.js";
import { PUBLISHED_SIGNERS } from "./signers.js";
import type { SnapshotStore } from "./snapshotStore.js";

/**
 * Turns the enabled recipes into a signed Remote Settings collection. Clients are served the last
 * published snapshot, never live edits; every publish is kept in the snapshot history.
 */
export class Publisher {
  /** Publishes run one at a time, so timestamps and "previous snapshot" are never raced. */
  private readonly queue = new SerialQueue();
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
    return this.queue.run(async () => {
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
    return this.queue.run(async () => {
      const enabled = this.recipes.list().filter((recipe) => recipe.enabled);
      return this.publishRecipes(enabled.map(minimalRecipe), this.served);
    });
  }

  private async publishRecipes(recipes: Recipe[], previous: PublishedSnapshot | undefined): Promise<PublishedSnapshot> {
    const snapshot = await signSnapshot(
      this.pki,
      this.serverUrl,
      recipes,
      previous,
      this.now().getTime(),
      PUBLISHED_SIGNERS,
    );
    this.snapshots.save(snapshot);
    this.served = snapshot;
    for (const listener of this.listeners) listener(snapshot);
    return snapshot;
  }

  /** Calls `listener` after every publish, once the new snapshot is what clients are served. */
  onPublished(listener: (snapshot: PublishedSnapshot) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once no publish is running (used before closing the database). */
  whenIdle(): Promise<void> {
    return this.queue.idle();
  }
}
