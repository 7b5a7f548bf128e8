import { canonicalJSON, collectionSignedData, type RecipeRecord } from "../core/index.js";
import type { Changeset } from "./RemoteSettingsClient.js";

/**
 * The texts a changeset's signatures cover (the canonical JSON of the collection and of each recipe), kept from
 * one run to the next with the response body they came from. A byte-identical body parses into the same
 * records in the same order, so their texts are the same strings: the run of an unchanged collection serializes
 * nothing again (for 1,000 recipes and their collection, about 27 ms of a warm run in Firefox). Only the
 * serialization is skipped: the texts are verified on every run. Recipe texts are kept by position in the
 * changeset, never by record id, which a hostile server could repeat.
 */
export class SignedTextMemo {
  private body: string | null = null;
  private collection = "";
  private recipes: (string | undefined)[] = [];
  private positions = new WeakMap<object, number>();

  /** The collection's signed text. Recipe texts are then kept for `changeset`'s records, or reused when its body is the last one's. */
  collectionText(changeset: Changeset): string {
    if (changeset.body !== this.body) {
      const collection = collectionSignedData(changeset.records, changeset.timestamp);
      this.body = changeset.body;
      this.collection = collection;
      this.recipes = [];
    }
    this.positions = new WeakMap(changeset.records.map((record, position) => [record, position]));
    return this.collection;
  }

  /** The recipe's signed text: computed once per position for a body, or now for a record of another changeset. */
  recipeText(record: RecipeRecord): string {
    const position = this.positions.get(record);
    if (position === undefined) return canonicalJSON(record.recipe);
    return (this.recipes[position] ??= canonicalJSON(record.recipe));
  }
}
