import { describe, expect, it } from "vitest";
import { attributesReadByFilter } from "../../src/core/index.js";

const read = (expression: string) => [...attributesReadByFilter(expression)].sort();

describe("attributesReadByFilter", () => {
  it("names every normandy.* and env.* attribute, however deep in the expression", () => {
    expect(read(`normandy.channel == "release" && env.version|versionCompare("120") >= 0`)).toEqual([
      "channel",
      "version",
    ]);
    expect(read(`([normandy.userId, "x"]|stableSample(0.5)) ? normandy.locale : {a: env.country}.a`)).toEqual([
      "country",
      "locale",
      "userId",
    ]);
    expect(read(`normandy.addons["a@b"].isActive && !normandy.isFirstRun`)).toEqual(["addons", "isFirstRun"]);
    expect(read(`normandy["searchEngine"] in ["google"]`)).toEqual(["searchEngine"]);
  });

  it("does not take other roots, relative names or computed names for attributes", () => {
    expect(read(`other.channel == 1 && normandy.recipe.id > 1`)).toEqual(["recipe"]);
    // mozjexl: after `.slug`, the undotted `normandy` of the same filter is relative too (read from the element).
    expect(read(`normandy.studies[.slug == normandy.channel]`)).toEqual(["studies"]);
    expect(read(`normandy.studies[(normandy.channel) == .slug]`)).toEqual(["channel", "studies"]);
    expect(read(`normandy[normandy.locale]`)).toEqual(["locale"]);
  });

  it("reads nothing from an expression that does not parse", () => {
    expect(read(`normandy.channel ==`)).toEqual([]);
  });
});
