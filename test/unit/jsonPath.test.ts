/** The server page finds the field an error names by parsing the validator's paths. */
import { describe, expect, it } from "vitest";
import { parsePath } from "../../server/web/jsonPath.js";

describe("parsePath", () => {
  it("reads names, indexes and quoted names (pref names have dots)", () => {
    expect(parsePath('arguments.branches[0].preferences["a.b"].preferenceType')).toEqual([
      "arguments",
      "branches",
      0,
      "preferences",
      "a.b",
      "preferenceType",
    ]);
    expect(parsePath("filter_expression")).toEqual(["filter_expression"]);
    expect(parsePath('x["say \\"hi\\""]')).toEqual(["x", 'say "hi"']);
  });

  it("stops at what it does not understand", () => {
    expect(parsePath("a.b[oops].c")).toEqual(["a", "b"]);
    expect(parsePath("")).toEqual([]);
  });
});
