/**
 * regExpMatch with remembered results: the same answers as the matcher it wraps, each match made once (by
 * string, pattern and flags), failures not kept, and every caller given a match array of its own, at once
 * when the result is known.
 */
import { describe, expect, it } from "vitest";
import { memoizedRegExpMatch, nativeRegExpMatch, type RegExpMatcher } from "../../src/core/index.js";
import { REGEXP_MATCH_CASES } from "./regExpMatchCases.js";

/** Native matching that counts its calls. */
function countingMatcher(): { match: RegExpMatcher; calls: () => number } {
  let calls = 0;
  return {
    match: (value, pattern, flags) => {
      calls++;
      return nativeRegExpMatch(value, pattern, flags);
    },
    calls: () => calls,
  };
}

describe("memoizedRegExpMatch", () => {
  it.each(REGEXP_MATCH_CASES)(
    "answers %j against /%s/%s like the matcher it wraps, the first time and the next",
    async (value, pattern, flags) => {
      const match = memoizedRegExpMatch(nativeRegExpMatch);
      expect(await match(value, pattern, flags)).toStrictEqual(nativeRegExpMatch(value, pattern, flags));
      expect(await match(value, pattern, flags)).toStrictEqual(nativeRegExpMatch(value, pattern, flags));
    },
  );

  it("makes each match once, telling flags apart (none, `i`)", async () => {
    const { match: counted, calls } = countingMatcher();
    const match = memoizedRegExpMatch(counted);
    for (let i = 0; i < 5; i++) {
      await match("ABC", "b", undefined);
      await match("ABC", "b", "i");
    }
    expect(calls()).toBe(2);
    expect(await match("ABC", "b", undefined)).toBeNull();
    expect(await match("ABC", "b", "i")).toStrictEqual(nativeRegExpMatch("ABC", "b", "i"));
  });

  it("keeps no failure: the same match is tried again", async () => {
    let fail = true;
    const match = memoizedRegExpMatch((value, pattern, flags) => {
      if (fail) throw new Error("the worker gave up");
      return nativeRegExpMatch(value, pattern, flags);
    });
    await expect(match("abc", "b", undefined)).rejects.toThrow("the worker gave up");
    fail = false;
    expect(await match("abc", "b", undefined)).toStrictEqual(nativeRegExpMatch("abc", "b", undefined));
  });

  it("gives every caller a match array of its own", async () => {
    const match = memoizedRegExpMatch(nativeRegExpMatch);
    const first = (await match("v153", "v(?<major>\\d+)", undefined)) as RegExpMatchArray;
    first[1] = "changed";
    first.groups!.major = "changed";
    expect(await match("v153", "v(?<major>\\d+)", undefined)).toStrictEqual(
      nativeRegExpMatch("v153", "v(?<major>\\d+)", undefined),
    );
  });

  it("answers at once (not a promise) once the result is known, each time with a match array of its own", async () => {
    const { match: counted, calls } = countingMatcher();
    const match = memoizedRegExpMatch(counted);
    const expected = nativeRegExpMatch("v153", "v(?<major>\\d+)", undefined);
    const first = match("v153", "v(?<major>\\d+)", undefined);
    expect(first).toBeInstanceOf(Promise);
    expect(match("v153", "v(?<major>\\d+)", undefined)).toBeInstanceOf(Promise); // not known yet
    expect(await first).toStrictEqual(expected);
    const known = match("v153", "v(?<major>\\d+)", undefined) as RegExpMatchArray;
    expect(known).toStrictEqual(expected);
    known[1] = "changed";
    known.groups!.major = "changed";
    expect(match("v153", "v(?<major>\\d+)", undefined)).toStrictEqual(expected);
    expect(calls()).toBe(1);
  });

  it("never answers a failure at once: the next call tries again, through a promise", async () => {
    const match = memoizedRegExpMatch(nativeRegExpMatch);
    await expect(match("abc", "(", undefined)).rejects.toThrow(SyntaxError);
    const again = match("abc", "(", undefined);
    expect(again).toBeInstanceOf(Promise);
    await expect(again).rejects.toThrow(SyntaxError);
  });

  it("passes what is not a string match straight through (native matching throws for it)", async () => {
    const { match: counted, calls } = countingMatcher();
    const match = memoizedRegExpMatch(counted);
    expect(() => match(42, "4", undefined)).toThrow(TypeError);
    expect(() => match(42, "4", undefined)).toThrow(TypeError);
    expect(calls()).toBe(2);
  });

  it("drops the oldest result when full", async () => {
    const { match: counted, calls } = countingMatcher();
    const match = memoizedRegExpMatch(counted, 2);
    await match("a", "a", undefined);
    await match("b", "b", undefined);
    await match("c", "c", undefined); // "a" goes
    await match("a", "a", undefined);
    expect(calls()).toBe(4);
  });
});
