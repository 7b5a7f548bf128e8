import { afterEach, describe, expect, test, vi } from "vitest";
import {
  FILTER_TRANSFORM_NAMES,
  type FilterContext,
  type FilterOptions,
  evaluateFilter,
  filterSyntaxError,
} from "../../src/core/filterExpressions.js";
import { FilterSyntaxError } from "../../src/core/filterSyntaxError.js";
import { Mozjexl } from "../../src/core/mozjexl.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { evaluateBothWays } from "./filterEvaluationPaths.js";

const context: FilterContext = {
  n: null,
  zero: 0,
  list: [1, "2", 3],
  empty: [],
  items: [
    { a: 1, b: "x" },
    { a: 2, b: "y" },
    { a: 3, b: "z" },
  ],
  minA: 2,
  obj: { x: 1, y: { z: "deep" } },
  s: "hello",
  normandy: { channel: "release", version: "128.5.1esr", locale: "de-DE", userId: "u-1" },
};

/** Each expression is evaluated twice: by the asynchronous evaluator alone, then with the fast path, which must agree. */
const evaluate = (expression: string, options?: FilterOptions) => evaluateBothWays(expression, context, options);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("operators, with mozjexl's precedence", () => {
  test.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["2 ^ 10", 1024], // power, not xor
    ["2 ^ 3 ^ 2", 64], // left-associative
    ["2 * 3 ^ 2", 18], // ^ binds tighter than *
    ["7 // 2", 3],
    ["-7 // 2", -4], // floor, not truncation
    ["10 % 3 * 2", 2], // % binds tighter than *
    ["10 / 4", 2.5],
    ["'a' + 1", "a1"],
    ["1 == '1'", true], // loose equality
    ["1 != '1'", false],
    ["'abc' < 'abd'", true],
    ["!zero", true],
    ["!s == false", true], // ! binds tighter than ==
    ["-3 + 5", 2],
  ])("%s", async (expression, expected) => {
    expect(await evaluate(expression)).toBe(expected);
  });

  test("in: substring of a string, loose membership of an array, false otherwise", async () => {
    expect(await evaluate("'ell' in s")).toBe(true);
    expect(await evaluate("2 in list")).toBe(true); // "2" == 2; jexl 2 alone says false
    expect(await evaluate("'3' in list")).toBe(true);
    expect(await evaluate("4 in list")).toBe(false);
    expect(await evaluate("'x' in obj")).toBe(false);
  });

  test("intersect: common elements of two arrays, undefined otherwise, precedence of *", async () => {
    expect(await evaluate("list intersect [3, 1, 9]")).toEqual([1, 3]);
    expect(await evaluate("list intersect 'abc'")).toBeUndefined();
    expect(await evaluate("[1, 2] intersect [2] * 2")).toBe(4); // ([2]) * 2, left to right
    expect(await evaluate("2 in [1, 2] intersect [2]")).toBe(true); // in binds looser
  });

  test("ternary and the ?: shorthand", async () => {
    expect(await evaluate("zero ? 'yes' : 'no'")).toBe("no");
    expect(await evaluate("s ?: 'fallback'")).toBe("hello");
    expect(await evaluate("zero ?: 'fallback'")).toBe("fallback");
  });

  test("literals: arrays, objects, strings with escaped quotes", async () => {
    expect(await evaluate("{a: 1, b: [2, 'x']}")).toEqual({ a: 1, b: [2, "x"] });
    expect(await evaluate("'it\\'s'")).toBe("it's");
    expect(await evaluate('"say \\"hi\\" now"')).toBe('say "hi" now');
    // Only the first `\\\\` in a literal becomes one backslash (mozjexl's unquote).
    expect(await evaluate("'a\\\\b\\\\c'")).toBe("a\\b\\\\c");
  });
});

describe("&& and || evaluate both sides (no short-circuit)", () => {
  test("an error on the side jexl would skip still throws", async () => {
    await expect(evaluate("false && n.x")).rejects.toThrow(TypeError);
    await expect(evaluate("true || n.x")).rejects.toThrow(TypeError);
  });

  test("both sides are read, and the result is still the value of && / ||", async () => {
    let reads = 0;
    const counting = {
      get ping() {
        reads += 1;
        return 0;
      },
    };
    expect(await evaluateFilter("c.ping == 0 || c.ping == 1", { c: counting })).toBe(true);
    expect(reads).toBe(2);
    expect(await evaluate("zero && 'x'")).toBe(0);
    expect(await evaluate("missing || 'default'")).toBe("default");
  });
});

describe("property access and filters follow mozjexl", () => {
  test("a property of undefined is undefined; of null it throws", async () => {
    expect(await evaluate("missing.deeper.still")).toBeUndefined();
    await expect(evaluate("n.foo")).rejects.toThrow(TypeError);
  });

  test(".prop on an array reads the first element's property; on an empty array it throws", async () => {
    expect(await evaluate("items.b")).toBe("x");
    await expect(evaluate("empty.a")).rejects.toThrow(TypeError);
  });

  test("indexing: by number or key, by boolean keeps or drops, on undefined gives undefined", async () => {
    expect(await evaluate("items[1].b")).toBe("y");
    expect(await evaluate("obj['y'].z")).toBe("deep");
    expect(await evaluate("items[true]")).toEqual(context.items);
    expect(await evaluate("items[false]")).toBeUndefined();
    expect(await evaluate("missing[0]")).toBeUndefined(); // jexl 2 alone throws
    await expect(evaluate("n[0]")).rejects.toThrow(TypeError);
  });

  test("relative filters keep the matching elements; on undefined they give undefined", async () => {
    expect(await evaluate("items[.a > 1].b")).toBe("y");
    expect(await evaluate("items[.a >= 2 && .b != 'z']")).toEqual([{ a: 2, b: "y" }]);
    expect(await evaluate("obj[.x == 1]")).toEqual([context.obj]); // a single object is filtered as [obj]
    expect(await evaluate("missing[.a == 1]")).toBeUndefined(); // jexl 2 alone gives []
  });

  test("after a leading dot, later bare identifiers in the same filter are relative too", async () => {
    // `minA` is read from each element (undefined), so nothing matches; jexl 2 alone would keep a: 3.
    expect(await evaluate("items[.a > minA]")).toEqual([]);
    expect(await evaluate("items[.a > 1 && b == 'y']")).toEqual([{ a: 2, b: "y" }]);
    // A parenthesized sub-expression starts afresh: there `minA` is the context's.
    expect(await evaluate("items[.a > (minA)]")).toEqual([{ a: 3, b: "z" }]);
    // A dot after an operand (`.a.x`) ends the relative run.
    expect(await evaluateFilter("items[.a.x == b]", { items: [{ a: { x: 1 } }], b: 1 })).toEqual([{ a: { x: 1 } }]);
  });

  test("promises in the context (async getters) are awaited", async () => {
    const lazy = { addons: Promise.resolve({ "a@b": { isActive: Promise.resolve(true) } }) };
    expect(await evaluateFilter("normandy.addons['a@b'].isActive", { normandy: lazy })).toBe(true);
  });
});

describe("syntax", () => {
  test("tabs and line breaks are spaces, also inside string literals", async () => {
    expect(await evaluate("normandy.channel == 'release'\n\t&& normandy.locale\r\n== 'de-DE'")).toBe(true);
    expect(await evaluate("'a\tb'")).toBe("a b");
  });

  test.each([
    ["", "empty"],
    ["   ", "blank"],
    ["1 +", "incomplete"],
    ["1 2", "two operands"],
    ["1)", "unopened paren"],
    ["'say \\'hi\\''", "escaped quote right before the closing quote"],
    ["[1, 2][0]", "index on a literal"],
    ["[1, -2]", "a minus after a comma is an operator"],
    ["normandy.channel = 'release'", "single ="],
    ["normandy..channel", "double dot"],
    ["x|", "missing transform name"],
    ["s|length ? 1 : 2", "ternary after a transform"],
    ["café == 1", "non-ASCII identifier"],
    ["$a", "$ is an identifier of its own before a word"],
    ["obj.constructor", "Object.prototype names are not identifiers"],
    ["s|toString", "Object.prototype names are not transforms"],
    ["-s", "minus glued to an identifier"],
    ["foo(1)", "function call"],
    ["# comment", "no comments"],
  ])("%j is an error (%s)", async (expression) => {
    await expect(evaluate(expression)).rejects.toThrow();
  });

  test("errors name the problem like mozjexl", async () => {
    await expect(evaluate("s|nope")).rejects.toThrow("Transform 'nope' is not defined.");
    await expect(evaluate("café")).rejects.toThrow("Invalid expression token: é");
    await expect(evaluate("foo(1)")).rejects.toThrow("Token ( (openParen) unexpected in expression: foo(");
  });

  test("an unclosed parenthesis at the very end is accepted, as in mozjexl", async () => {
    expect(await evaluate("(1 + 2")).toBe(3);
  });

  test("an unknown transform in a branch that is not taken does not throw", async () => {
    expect(await evaluate("true ? 1 : s|nope")).toBe(1);
  });
});

describe("transforms", () => {
  test("the names, in Firefox's order", () => {
    expect(FILTER_TRANSFORM_NAMES).toEqual([
      "date",
      "stableSample",
      "bucketSample",
      "preferenceValue",
      "preferenceIsUserSet",
      "preferenceExists",
      "keys",
      "values",
      "length",
      "mapToProperty",
      "regExpMatch",
      "versionCompare",
    ]);
  });

  test("date parses, compares by time, and is invalid (null in JSON) for garbage", async () => {
    const date = await evaluate("'2024-03-15T12:30:00Z'|date");
    expect(date).toEqual(new Date("2024-03-15T12:30:00Z"));
    expect(await evaluate("'2024-01-01'|date < '2024-02-01'|date")).toBe(true);
    expect(await evaluate("'2024-01-01'|date == '2024-01-01'|date")).toBe(false); // two objects
    expect(JSON.stringify(await evaluate("'garbage'|date"))).toBe("null");
  });

  test("stableSample and bucketSample give Firefox's vectors", async () => {
    expect(await evaluate("['test-1']|stableSample(0.5)")).toBe(true);
    expect(await evaluate("['test-4']|stableSample(0.5)")).toBe(false);
    expect(await evaluate("'test-0'|bucketSample(0, 5, 10)")).toBe(true);
    expect(await evaluate("'test-1'|bucketSample(0, 5, 10)")).toBe(false);
    await expect(evaluate("'x'|stableSample(2)")).rejects.toThrow(/between 0 and 1/);
  });

  test("keys, values, length and mapToProperty give undefined for the wrong kind of value", async () => {
    expect(await evaluate("obj|keys")).toEqual(["x", "y"]);
    expect(await evaluate("obj|values")).toEqual([1, { z: "deep" }]);
    expect(await evaluate("list|keys")).toEqual(["0", "1", "2"]);
    expect(await evaluate("s|keys")).toBeUndefined();
    expect(await evaluate("n|values")).toBeUndefined();
    expect(await evaluate("items|length")).toBe(3);
    expect(await evaluate("s|length")).toBeUndefined();
    expect(await evaluate("items|mapToProperty('b')")).toEqual(["x", "y", "z"]);
    expect(await evaluate("obj|mapToProperty('x')")).toBeUndefined();
    await expect(evaluate("[1, n]|mapToProperty('x')")).rejects.toThrow(TypeError);
  });

  test("regExpMatch returns the match array or null, with flags; a non-string throws", async () => {
    expect(await evaluate("normandy.version|regExpMatch('^(\\d+)\\.(\\d+)')")).toEqual(
      expect.arrayContaining(["128.5", "128", "5"]),
    );
    expect(await evaluate("'aBc'|regExpMatch('b', 'i')")).toEqual(expect.arrayContaining(["B"]));
    expect(await evaluate("s|regExpMatch('z')")).toBeNull();
    await expect(evaluate("zero|regExpMatch('0')")).rejects.toThrow(TypeError);
    await expect(evaluate("s|regExpMatch('(')")).rejects.toThrow(SyntaxError);
  });

  test("versionCompare uses Mozilla's version order; null and undefined compare as ''", async () => {
    expect(await evaluate("'113.0a1'|versionCompare('113')")).toBe(-1);
    expect(await evaluate("'1.0.0'|versionCompare('1')")).toBe(0);
    expect(await evaluate("normandy.version|versionCompare('128.*') < 0")).toBe(true);
    expect(await evaluate("missing|versionCompare('0')")).toBe(0);
    expect(await evaluate("n|versionCompare('undefined')")).toBe(1);
  });

  describe("preference transforms read through the prefs reader", () => {
    const prefs = new FakePrefsApi();
    prefs.defaults.set("app.normandy.test.default-only", "from-default");
    prefs.defaults.set("app.normandy.test.both", 1);
    prefs.user.set("app.normandy.test.both", 2);
    prefs.user.set("app.normandy.test.flag", true);
    const withPrefs = { prefs };

    test("preferenceValue reads the effective value, else the default argument", async () => {
      expect(await evaluate("'app.normandy.test.both'|preferenceValue", withPrefs)).toBe(2);
      expect(await evaluate("'app.normandy.test.default-only'|preferenceValue", withPrefs)).toBe("from-default");
      expect(await evaluate("'app.normandy.test.flag'|preferenceValue(false)", withPrefs)).toBe(true);
      expect(await evaluate("'app.normandy.test.missing'|preferenceValue('dflt')", withPrefs)).toBe("dflt");
      expect(await evaluate("'app.normandy.test.missing'|preferenceValue", withPrefs)).toBeUndefined();
    });

    test("preferenceIsUserSet and preferenceExists", async () => {
      expect(await evaluate("'app.normandy.test.both'|preferenceIsUserSet", withPrefs)).toBe(true);
      expect(await evaluate("'app.normandy.test.default-only'|preferenceIsUserSet", withPrefs)).toBe(false);
      expect(await evaluate("'app.normandy.test.default-only'|preferenceExists", withPrefs)).toBe(true);
      expect(await evaluate("'app.normandy.test.missing'|preferenceExists", withPrefs)).toBe(false);
    });

    test("names are converted to strings; null and undefined throw, as in Firefox", async () => {
      expect(await evaluate("5|preferenceValue('d')", withPrefs)).toBe("d");
      await expect(evaluate("n|preferenceExists", withPrefs)).rejects.toThrow(/preference name/);
      await expect(evaluate("missing|preferenceIsUserSet", withPrefs)).rejects.toThrow(/preference name/);
    });

    test("without a prefs reader they throw a clear error", async () => {
      await expect(evaluate("'a.b'|preferenceValue")).rejects.toThrow(/preferenceValue.*prefs reader/);
      await expect(evaluate("'a.b'|preferenceExists")).rejects.toThrow(/preferenceExists.*prefs reader/);
    });

    test("the reader's answers are awaited on both sides of &&, each asked once", async () => {
      const reads = vi.spyOn(prefs, "getPrefType");
      const filter = "'app.normandy.test.missing'|preferenceExists && 'app.normandy.test.both'|preferenceExists";
      expect(await evaluateFilter(filter, context, withPrefs)).toBe(false);
      expect(reads).toHaveBeenCalledTimes(2);
    });
  });
});

describe("parsed expressions are cached", () => {
  test("the same expression is parsed once", async () => {
    const parse = vi.spyOn(Mozjexl.prototype, "parse");
    for (let i = 0; i < 3; i++) expect(await evaluate("normandy.channel == 'release' && 'cache-once' != s")).toBe(true);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  test("the cache is bounded: after 1000 other expressions the first is parsed again", async () => {
    const parse = vi.spyOn(Mozjexl.prototype, "parse");
    const probe = "'cache-bound' == s";
    await evaluate(probe);
    for (let i = 0; i < 1000; i++) await evaluate(`${i} == ${i}`);
    await evaluate(probe);
    expect(parse.mock.calls.filter(([expression]) => expression === probe)).toHaveLength(2);
  });

  test("a malformed expression keeps failing", async () => {
    await expect(evaluate("1 +")).rejects.toThrow();
    await expect(evaluate("1 +")).rejects.toThrow();
  });
});

describe("filterSyntaxError: a syntax check without evaluation, with the offset of the offending token", () => {
  test.each([
    ["1 +", 3, "Unexpected end of expression: 1 +"],
    ["foo(1)", 3, "Token ( (openParen) unexpected in expression: foo("],
    ["café", 3, "Invalid expression token: é"],
    ["  normandy.x == )", 16, "Token ) (closeParen) unexpected in expression: normandy.x == )"],
    ["a && && b", 5, "Token &&  (binaryOp) unexpected in expression: a && && "],
    ["normandy.channel in ['a' 'b']", 25, "Token 'b' (literal) unexpected in expression: normandy.channel in ['a' 'b'"],
    ["", 0, "Empty expression"],
  ])("%j fails at %i", (expression, position, message) => {
    const error = filterSyntaxError(expression);
    expect(error).toBeInstanceOf(FilterSyntaxError);
    expect(error).toMatchObject({ position, message });
  });

  test("a valid expression has none, even one that would fail to evaluate", () => {
    expect(filterSyntaxError("normandy.missing.deeper|nope(1) && [1, 2] intersect x")).toBeNull();
  });

  test("evaluation throws the same error", async () => {
    await expect(evaluate("1 +")).rejects.toBeInstanceOf(FilterSyntaxError);
  });
});
