/**
 * The argument validator behaves like Firefox's JsonSchemaValidator as Normandy calls it
 * (allowAdditionalProperties), quirks included, and every action schema accepts the recipes Normandy
 * accepts and names the field of those it rejects.
 */
import { describe, expect, it } from "vitest";
import { ACTION_SCHEMAS, validateJson, type JsonSchema } from "../../src/core/index.js";

const multiPreference = {
  slug: "test-study",
  userFacingName: "Test study",
  userFacingDescription: "A study",
  isEnrollmentPaused: false,
  branches: [
    {
      slug: "control",
      ratio: 1,
      preferences: {
        "browser.x.enabled": { preferenceType: "boolean", preferenceBranchType: "default", preferenceValue: false },
      },
    },
    {
      slug: "treatment",
      ratio: 1,
      preferences: {
        "browser.x.enabled": { preferenceType: "boolean", preferenceBranchType: "user", preferenceValue: true },
      },
    },
  ],
};

function invalid(value: unknown, schema: JsonSchema) {
  const result = validateJson(value, schema);
  if (result.valid) throw new Error(`expected ${JSON.stringify(value)} to be invalid`);
  return result;
}

function parsed(value: unknown, schema: JsonSchema): unknown {
  const result = validateJson(value, schema);
  if (!result.valid) throw new Error(`expected valid, got ${result.path}: ${result.message}`);
  return result.value;
}

describe("validateJson, Normandy's JsonSchemaValidator semantics", () => {
  it("accepts a type from a list of types, the first that validates", () => {
    expect(parsed(1, { type: ["string", "boolean"] })).toBe(true);
    expect(invalid({}, { type: ["string", "null"] }).message).toMatch(/does not match any type in \["string","null"\]/);
  });

  it("treats integer as an alias of number: 1.5 is an integer", () => {
    expect(parsed(1.5, { type: "integer" })).toBe(1.5);
    expect(invalid("2", { type: "integer" }).message).toBe('"2" does not match the expected type "integer"');
  });

  it("accepts 0 and 1 as booleans and casts them", () => {
    expect(parsed({ paused: 0 }, { type: "object", properties: { paused: { type: "boolean" } } })).toEqual({
      paused: false,
    });
    expect(invalid(2, { type: "boolean" }).message).toMatch(/expected type "boolean"/);
  });

  it("checks enums, except for booleans", () => {
    expect(invalid("float", { type: "string", enum: ["string", "integer"] }).message).toBe(
      '"float" is not one of ["string","integer"]',
    );
    expect(parsed(true, { type: "boolean", enum: ["never"] })).toBe(true);
  });

  it("drops properties the schema does not name, and applies no defaults", () => {
    const schema: JsonSchema = {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "boolean", default: "false" } },
    };
    expect(parsed({ a: "x", extra: 1 }, schema)).toEqual({ a: "x" });
  });

  it("ignores pattern, minItems, minimum, minLength and format, as Normandy does", () => {
    const schema: JsonSchema = {
      type: "object",
      properties: {
        slug: { type: "string", pattern: "^[a-z]+$", minLength: 3 },
        list: { type: "array", minItems: 1, items: { type: "integer", minimum: 1 } },
        url: { type: "string", format: "uri" },
      },
    };
    expect(parsed({ slug: "Not.A-Slug!", list: [], url: "not a url" }, schema)).toEqual({
      slug: "Not.A-Slug!",
      list: [],
      url: "not a url",
    });
    expect(parsed({ slug: "", list: [0] }, schema)).toEqual({ slug: "", list: [0] });
  });

  it("requires by key presence; null is not a string", () => {
    const schema: JsonSchema = { type: "object", required: ["message"], properties: { message: { type: "string" } } };
    expect(invalid({}, schema)).toEqual({ valid: false, path: "", message: 'missing required property "message"' });
    expect(invalid({ message: null }, schema)).toMatchObject({ path: "message" });
  });

  it("rejects every value for a schema without a usable type", () => {
    expect(invalid("anything", {}).message).toMatch(/no usable type/);
  });
});

describe("action schemas", () => {
  it("cover every action Normandy registered, with the legacy aliases", () => {
    expect(Object.keys(ACTION_SCHEMAS).sort()).toEqual(
      [
        "addon-rollback",
        "addon-rollout",
        "addon-study",
        "branched-addon-study",
        "console-log",
        "multi-preference-experiment",
        "opt-out-study",
        "preference-experiment",
        "preference-rollback",
        "preference-rollout",
        "show-heartbeat",
        "single-preference-experiment",
      ].sort(),
    );
    expect(ACTION_SCHEMAS["opt-out-study"]).toBe(ACTION_SCHEMAS["addon-study"]);
    expect(ACTION_SCHEMAS["preference-experiment"]).toBe(ACTION_SCHEMAS["single-preference-experiment"]);
  });

  it("console-log needs a string message", () => {
    expect(parsed({ message: "hi", extra: true }, ACTION_SCHEMAS["console-log"])).toEqual({ message: "hi" });
    expect(invalid({ message: 5 }, ACTION_SCHEMAS["console-log"])).toMatchObject({ path: "message" });
  });

  it("multi-preference-experiment accepts a two-branch study and keeps no unknown fields", () => {
    expect(parsed({ ...multiPreference, comment: "dropped" }, ACTION_SCHEMAS["multi-preference-experiment"])).toEqual(
      multiPreference,
    );
  });

  it('multi-preference-experiment: an absent isHighPopulation stays absent (its default is the string "false")', () => {
    const value = parsed(multiPreference, ACTION_SCHEMAS["multi-preference-experiment"]) as Record<string, unknown>;
    expect("isHighPopulation" in value).toBe(false);
  });

  it("multi-preference-experiment: errors name the field, with pref names quoted", () => {
    const badType = structuredClone(multiPreference);
    badType.branches[1]!.preferences["browser.x.enabled"]!.preferenceType = "float";
    expect(invalid(badType, ACTION_SCHEMAS["multi-preference-experiment"])).toEqual({
      valid: false,
      path: 'branches[1].preferences["browser.x.enabled"].preferenceType',
      message: '"float" is not one of ["string","integer","boolean"]',
    });
    const missingBranchType = structuredClone(multiPreference) as {
      branches: { preferences: Record<string, Record<string, unknown>> }[];
    };
    delete missingBranchType.branches[0]!.preferences["browser.x.enabled"]!.preferenceBranchType;
    expect(invalid(missingBranchType, ACTION_SCHEMAS["multi-preference-experiment"])).toMatchObject({
      path: 'branches[0].preferences["browser.x.enabled"]',
      message: 'missing required property "preferenceBranchType"',
    });
    const { isEnrollmentPaused: _, ...unpaused } = multiPreference;
    expect(invalid(unpaused, ACTION_SCHEMAS["multi-preference-experiment"]).message).toBe(
      'missing required property "isEnrollmentPaused"',
    );
  });

  it("multi-preference-experiment accepts what Normandy accepts: no branches, ratio 0, a slug with dots", () => {
    expect(
      validateJson({ ...multiPreference, slug: "a.b", branches: [] }, ACTION_SCHEMAS["multi-preference-experiment"])
        .valid,
    ).toBe(true);
    const zeroRatio = structuredClone(multiPreference);
    zeroRatio.branches[0]!.ratio = 0;
    expect(validateJson(zeroRatio, ACTION_SCHEMAS["multi-preference-experiment"]).valid).toBe(true);
  });

  it("single-preference-experiment accepts the legacy shape without preferenceBranchType", () => {
    const legacy = {
      slug: "legacy",
      preferenceName: "browser.y",
      preferenceType: "integer",
      isEnrollmentPaused: 0,
      branches: [{ slug: "a", value: 1, ratio: 1 }],
    };
    expect(parsed(legacy, ACTION_SCHEMAS["preference-experiment"])).toEqual({ ...legacy, isEnrollmentPaused: false });
    expect(
      invalid({ ...legacy, branches: [{ slug: "a", ratio: 1 }] }, ACTION_SCHEMAS["preference-experiment"]),
    ).toMatchObject({
      path: "branches[0]",
      message: 'missing required property "value"',
    });
  });

  it("branched-addon-study branches may install no add-on (extensionApiId null)", () => {
    const study = {
      slug: "s",
      userFacingName: "n",
      userFacingDescription: "d",
      isEnrollmentPaused: false,
      branches: [
        { slug: "control", ratio: 1, extensionApiId: null },
        { slug: "t", ratio: 1, extensionApiId: 12 },
      ],
    };
    expect(parsed(study, ACTION_SCHEMAS["branched-addon-study"])).toEqual(study);
  });

  it("preference-rollout values are strings, integers or booleans", () => {
    const rollout = {
      slug: "r",
      preferences: [
        { preferenceName: "a", value: "x" },
        { preferenceName: "b", value: 3 },
      ],
    };
    expect(parsed(rollout, ACTION_SCHEMAS["preference-rollout"])).toEqual(rollout);
    expect(
      invalid({ slug: "r", preferences: [{ preferenceName: "a", value: null }] }, ACTION_SCHEMAS["preference-rollout"])
        .path,
    ).toBe("preferences[0].value");
  });
});

describe("validateJson strict: what the recipe server accepts", () => {
  const strict = (value: unknown, schema: JsonSchema) => validateJson(value, schema, { strict: true });

  it("honours pattern, minLength, minimum and minItems", () => {
    const rollout = ACTION_SCHEMAS["preference-rollout"];
    expect(strict({ slug: "Bad Slug", preferences: [{ preferenceName: "a", value: 1 }] }, rollout)).toEqual({
      valid: false,
      path: "slug",
      message: '"Bad Slug" does not match the pattern ^[a-z0-9\\-_]+$',
    });
    expect(strict({ slug: "ok", preferences: [] }, rollout)).toMatchObject({
      path: "preferences",
      message: "needs at least 1 item",
    });
    const study = { ...multiPreference, userFacingName: "" };
    expect(strict(study, ACTION_SCHEMAS["multi-preference-experiment"])).toMatchObject({
      path: "userFacingName",
      message: "must not be empty",
    });
    const zeroRatio = structuredClone(multiPreference);
    zeroRatio.branches[0]!.ratio = 0;
    expect(strict(zeroRatio, ACTION_SCHEMAS["multi-preference-experiment"])).toMatchObject({
      path: "branches[0].ratio",
      message: "0 is less than the minimum 1",
    });
  });

  it("wants whole integers and real booleans, and applies enum to booleans", () => {
    expect(strict(1.5, { type: "integer" })).toMatchObject({ valid: false });
    expect(strict(0, { type: "boolean" })).toMatchObject({ valid: false });
    expect(strict(true, { type: "boolean", enum: [false] })).toMatchObject({ valid: false });
  });

  it("reports a missing required property at its own path", () => {
    const { slug: _, ...noSlug } = multiPreference;
    expect(strict(noSlug, ACTION_SCHEMAS["multi-preference-experiment"])).toEqual({
      valid: false,
      path: "slug",
      message: 'missing required property "slug"',
    });
  });

  it("accepts a valid study unchanged", () => {
    expect(strict(multiPreference, ACTION_SCHEMAS["multi-preference-experiment"])).toEqual({
      valid: true,
      value: multiPreference,
    });
  });
});
