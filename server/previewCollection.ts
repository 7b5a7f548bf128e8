import type { Recipe } from "../src/core/index.js";
import type { SigningPki } from "./pki.js";
import type { PublishedRecord, PublishedSnapshot, SignedCollection } from "./publishedSnapshot.js";
import type { Clock, StoredRecipe } from "./recipeStore.js";
import { SerialQueue } from "../src/core/index.js";
import { minimalRecipe, signSnapshot } from "./snapshotSigning.js";
import { PREVIEW_SIGNERS, type CollectionSigners } from "./signers.js";

export const PREVIEW_BUCKET = "main-preview";
/** How many preview snapshots are kept for the replay fault: previews are signed by hand, so this is hours of QA. */
const KEPT_SNAPSHOTS = 100;

/**
 * Drafts signed on request, so QA can run one recipe on one client before publishing it (the add-on's QA
 * console, "Run here"): the latest signed draft of each recipe previewed, one record per recipe id, signed
 * like a published collection under the same root, but by the preview signers (see PREVIEW_RECIPE_SIGNER).
 * Clients never poll it (it is not in `monitor/changes`, and signing a preview sends no change notice); the
 * add-on fetches it on demand.
 * Kept in memory only: a restart of the server empties it.
 */
export class PreviewCollection implements SignedCollection {
  readonly bucket = PREVIEW_BUCKET;
  readonly signers: CollectionSigners = PREVIEW_SIGNERS;
  private readonly queue = new SerialQueue();
  /** The last KEPT_SNAPSHOTS preview snapshots since the server started, oldest first (for the replay fault). */
  private readonly history: PublishedSnapshot[] = [];

  constructor(
    private readonly pki: SigningPki,
    private readonly serverUrl: string,
    private readonly now: Clock,
  ) {}

  /** Signs the empty collection served until the first preview. */
  prepare(): Promise<PublishedSnapshot> {
    return this.queue.run(() => this.signAndKeep([]));
  }

  current(): PublishedSnapshot {
    const latest = this.history.at(-1);
    if (!latest) throw new Error("no preview collection yet: PreviewCollection.prepare() was not called");
    return latest;
  }

  at(timestamp: number): PublishedSnapshot | undefined {
    return this.history.find((snapshot) => snapshot.timestamp === timestamp);
  }

  /** Signs `recipe` as stored now (enabled or not) into the collection, replacing its earlier preview. */
  sign(recipe: StoredRecipe): Promise<{ timestamp: number; record: PublishedRecord }> {
    return this.queue.run(async () => {
      const others = this.current().records.filter((record) => record.recipe.id !== recipe.id);
      const snapshot = await this.signAndKeep([...others.map((record) => record.recipe), minimalRecipe(recipe)]);
      const record = snapshot.records.find((candidate) => candidate.recipe.id === recipe.id)!;
      return { timestamp: snapshot.timestamp, record };
    });
  }

  private async signAndKeep(recipes: readonly Recipe[]): Promise<PublishedSnapshot> {
    const snapshot = await signSnapshot(
      this.pki,
      this.serverUrl,
      recipes,
      this.history.at(-1),
      this.now().getTime(),
      this.signers,
    );
    this.history.push(snapshot);
    if (this.history.length > KEPT_SNAPSHOTS) this.history.shift();
    return snapshot;
  }

  /** Resolves once no preview is being signed. */
  whenIdle(): Promise<void> {
    return this.queue.idle();
  }
}
