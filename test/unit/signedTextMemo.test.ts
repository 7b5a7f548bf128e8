/**
 * The signed texts of a changeset kept by its body: a byte-identical body reuses them by position (whatever
 * its freshly parsed records hold by then), another body has them computed again, and records with the
 * same id still have texts of their own.
 */
import { describe, expect, it } from "vitest";
import { canonicalJSON, collectionSignedData, type RecipeRecord } from "../../src/core/index.js";
import type { Changeset } from "../../src/delivery/RemoteSettingsClient.js";
import { SignedTextMemo } from "../../src/delivery/SignedTextMemo.js";

const record = (id: string, message: string): RecipeRecord => ({
  id,
  last_modified: 1,
  recipe: {
    id: Number(id),
    name: `recipe ${id}`,
    action: "console-log",
    arguments: { message },
    filter_expression: "true",
    revision_id: "1",
  },
  signature: { signature: "sig", x5u: "http://127.0.0.1/chain.pem" },
});

/** A changeset as RemoteSettingsClient parses it: fresh objects from its body, every time. */
function parse(records: RecipeRecord[], timestamp = 10): Changeset {
  const body = JSON.stringify({ timestamp, changes: records });
  const parsed = JSON.parse(body) as { changes: RecipeRecord[] };
  return {
    timestamp,
    signature: { signature: "sig", x5u: "http://127.0.0.1/chain.pem" },
    records: parsed.changes,
    body,
  };
}

describe("SignedTextMemo", () => {
  it("gives the texts signatures cover", () => {
    const memo = new SignedTextMemo();
    const changeset = parse([record("1", "a"), record("2", "b")]);
    expect(memo.collectionText(changeset)).toBe(collectionSignedData(changeset.records, 10));
    expect(changeset.records.map((each) => memo.recipeText(each as RecipeRecord))).toEqual(
      changeset.records.map((each) => canonicalJSON((each as RecipeRecord).recipe)),
    );
  });

  it("reuses the texts of a byte-identical body, by position", () => {
    const memo = new SignedTextMemo();
    const first = parse([record("1", "a"), record("2", "b")]);
    memo.collectionText(first);
    const texts = first.records.map((each) => memo.recipeText(each as RecipeRecord));

    const again = parse([record("1", "a"), record("2", "b")]);
    memo.collectionText(again);
    // Serialized again, a changed object would show: the texts come from the first parse.
    (again.records[1] as RecipeRecord).recipe.name = "changed after parsing";
    expect(again.records.map((each) => memo.recipeText(each as RecipeRecord))).toEqual(texts);
  });

  it("computes the texts of another body again", () => {
    const memo = new SignedTextMemo();
    const first = parse([record("1", "a")]);
    memo.collectionText(first);
    memo.recipeText(first.records[0] as RecipeRecord);

    const edited = parse([record("1", "edited")], 11);
    expect(memo.collectionText(edited)).toBe(collectionSignedData(edited.records, 11));
    expect(memo.recipeText(edited.records[0] as RecipeRecord)).toBe(
      canonicalJSON((edited.records[0] as RecipeRecord).recipe),
    );
  });

  it("keeps texts by position, not by record id (a hostile server may repeat an id)", () => {
    const memo = new SignedTextMemo();
    const changeset = parse([record("1", "genuine"), record("1", "forged")]);
    memo.collectionText(changeset);
    const [genuine, forged] = changeset.records.map((each) => memo.recipeText(each as RecipeRecord));
    expect(forged).not.toBe(genuine);
    const again = parse([record("1", "genuine"), record("1", "forged")]);
    memo.collectionText(again);
    expect(memo.recipeText(again.records[1] as RecipeRecord)).toBe(forged);
  });

  it("serializes a record of no changeset it was given", () => {
    const memo = new SignedTextMemo();
    memo.collectionText(parse([record("1", "a")]));
    const other = record("2", "b");
    expect(memo.recipeText(other)).toBe(canonicalJSON(other.recipe));
  });
});
