/** The QA console's filter playground: evaluated like a recipe filter, answered in a shape a message can carry. */
import { describe, expect, it } from "vitest";
import { evaluatePlaygroundFilter } from "../../src/context/FilterPlayground.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { staticFilterContext } from "../fakes/staticFilterContext.js";

const attributes = {
  channel: "release",
  version: "128.0",
  request_time: new Date("2026-01-02T03:04:05Z"),
  nothing: undefined,
};
const context = staticFilterContext(attributes);
const prefs = new FakePrefsApi();
prefs.user.set("qa.playground.pref", 7);
/** The evaluation without its explanation, after checking that the explanation tells the same outcome. */
async function evaluate(expression: string) {
  const { explanation, ...evaluation } = await evaluatePlaygroundFilter(expression, context, { prefs });
  if (explanation) {
    expect(explanation.expression).toBe(expression);
    if (evaluation.ok) expect(explanation.result).toMatchObject({ truthy: evaluation.matches });
    else expect(explanation.result).toEqual({ error: evaluation.error });
  }
  return evaluation;
}

describe("evaluatePlaygroundFilter", () => {
  it("gives the value as JSON and whether it matches (is truthy), like a recipe filter", async () => {
    expect(await evaluate("normandy.channel == 'release'")).toEqual({ ok: true, value: true, matches: true });
    expect(await evaluate("env.channel")).toEqual({ ok: true, value: "release", matches: true });
    expect(await evaluate("[]")).toEqual({ ok: true, value: [], matches: true });
    expect(await evaluate("normandy.request_time")).toEqual({
      ok: true,
      value: "2026-01-02T03:04:05.000Z",
      matches: true,
    });
    expect(await evaluate("normandy.nothing")).toEqual({ ok: true, value: null, matches: false });
  });

  it("sees normandy.recipe as {id: 0, arguments: {}} and reads prefs", async () => {
    expect(await evaluate("normandy.recipe")).toEqual({ ok: true, value: { id: 0, arguments: {} }, matches: true });
    expect(await evaluate("'qa.playground.pref'|preferenceValue")).toEqual({ ok: true, value: 7, matches: true });
  });

  it("locates a syntax error, and reports a failure to evaluate without a position", async () => {
    expect(await evaluate("normandy.channel ==")).toEqual({
      ok: false,
      error: "Unexpected end of expression: normandy.channel ==",
      position: 19,
    });
    expect(await evaluate("normandy.channel|nope")).toEqual({ ok: false, error: "Transform 'nope' is not defined." });
  });

  it("explains every expression that parses, and none that does not", async () => {
    expect(
      (
        await evaluatePlaygroundFilter("normandy.channel == 'release'", context, { prefs })
      ).explanation?.tree.children.map((child) => child.text),
    ).toEqual(["normandy.channel", '"release"']);
    expect((await evaluatePlaygroundFilter("normandy.channel|nope", context, { prefs })).explanation?.result).toEqual({
      error: "Transform 'nope' is not defined.",
    });
    expect(await evaluatePlaygroundFilter("normandy.channel ==", context, { prefs })).not.toHaveProperty("explanation");
  });
});
