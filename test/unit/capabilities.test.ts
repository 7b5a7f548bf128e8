import { describe, expect, it } from "vitest";
import { baseCapabilities } from "../../src/context/capabilities.js";
import { ClientContext } from "../../src/context/ClientContext.js";
import { ClientIdentity } from "../../src/context/ClientIdentity.js";
import { CONTEXT_ATTRIBUTE_NAMES } from "../../src/context/contextAttributes.js";
import { NO_ENROLLMENTS } from "../fakes/noEnrollments.js";
import { FILTER_TRANSFORM_NAMES, evaluateFilter } from "../../src/core/index.js";
import { FakeClientContextApi } from "../fakes/FakeClientContextApi.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";

/** The transforms Normandy's server treats as baseline (NS settings.BASELINE_CAPABILITIES). */
const NORMANDY_BASELINE_TRANSFORMS = [
  "bucketSample",
  "date",
  "keys",
  "preferenceExists",
  "preferenceIsUserSet",
  "preferenceValue",
  "stableSample",
];

describe("the client's capabilities (besides its actions')", () => {
  const capabilities = baseCapabilities();

  it("has capabilities-v1 and both context namespaces, each capability once", () => {
    expect(capabilities).toEqual(
      expect.arrayContaining(["capabilities-v1", "jexl.context.env", "jexl.context.normandy"]),
    );
    expect(new Set(capabilities).size).toBe(capabilities.length);
  });

  it("has jexl.transform.<name> for exactly the filter transforms, Normandy's baseline among them", () => {
    const transforms = capabilities.filter((capability) => capability.startsWith("jexl.transform."));
    expect(transforms.sort()).toEqual(FILTER_TRANSFORM_NAMES.map((name) => `jexl.transform.${name}`).sort());
    expect(FILTER_TRANSFORM_NAMES).toEqual(expect.arrayContaining(NORMANDY_BASELINE_TRANSFORMS));
  });

  it("has jexl.context.env.<attribute> and jexl.context.normandy.<attribute> for every attribute, and not for recipe", () => {
    for (const attribute of CONTEXT_ATTRIBUTE_NAMES) {
      expect(capabilities).toContain(`jexl.context.env.${attribute}`);
      expect(capabilities).toContain(`jexl.context.normandy.${attribute}`);
    }
    expect(capabilities).toContain("jexl.context.normandy.country");
    expect(capabilities).not.toContain("jexl.context.normandy.recipe");
    const contextAttributes = capabilities.filter((capability) => /^jexl\.context\.\w+\./.test(capability));
    expect(contextAttributes).toHaveLength(2 * CONTEXT_ATTRIBUTE_NAMES.length);
  });

  it("advertises only context attributes a filter can actually read", async () => {
    const context = new ClientContext({
      api: new FakeClientContextApi(),
      identity: new ClientIdentity(new FakePrefsApi()),
      classify: async () => ({ country: "US", requestTime: new Date() }),
      enrollments: NO_ENROLLMENTS,
      warn: () => undefined,
    });
    const run = context.startRun();
    const advertised = capabilities.flatMap(
      (capability) => /^jexl\.context\.(?:env|normandy)\.(\w+)$/.exec(capability)?.[1] ?? [],
    );
    for (const attribute of new Set(advertised)) {
      const filter = `normandy.${attribute} != undefined`;
      const recipe = {
        id: 1,
        name: "",
        revision_id: "1",
        action: "console-log",
        arguments: {},
        filter_expression: filter,
      };
      expect(await evaluateFilter(filter, run.forRecipe(recipe)), attribute).toBe(true);
    }
  });
});
