/**
 * regExpMatch under a time limit: the same answers as Firefox's native matching (match arrays with index,
 * input and groups; null; the same errors), but a catastrophically backtracking pattern is stopped after
 * the limit and the next match works. The worker is a Node worker thread here, a Web Worker in the add-on.
 */
import { describe, expect, it } from "vitest";
import {
  evaluateFilter,
  nativeRegExpMatch,
  REGEXP_TIME_LIMIT_MS,
  RegExpTimeLimitError,
  timeLimitedRegExpMatch,
} from "../../src/core/index.js";
import { nodeMatchWorker } from "../fakes/nodeMatchWorker.js";
import { REGEXP_MATCH_CASES } from "./regExpMatchCases.js";

const CATASTROPHIC: [string, string] = [`${"a".repeat(40)}!`, "^(a+)+$"];

describe("timeLimitedRegExpMatch", () => {
  const match = timeLimitedRegExpMatch(nodeMatchWorker);

  it.each(REGEXP_MATCH_CASES)(
    "matches %j against /%s/%s exactly like Firefox's native matching",
    async (value, pattern, flags) => {
      expect(await match(value, pattern, flags)).toStrictEqual(nativeRegExpMatch(value, pattern, flags));
    },
  );

  it("throws what native matching throws: a bad pattern or flags, a value that is not a string", async () => {
    await expect(match("x", "(", undefined)).rejects.toThrow(SyntaxError);
    await expect(match("x", "x", "zz")).rejects.toThrow(SyntaxError);
    await expect(match(42, "4", undefined)).rejects.toThrow(TypeError);
  });

  it("stops a catastrophically backtracking match after the limit; the next match works", async () => {
    const started = performance.now();
    await expect(match(...CATASTROPHIC, undefined)).rejects.toThrow(RegExpTimeLimitError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(REGEXP_TIME_LIMIT_MS - 1);
    expect(elapsed).toBeLessThan(REGEXP_TIME_LIMIT_MS + 1_000);
    expect(await match("still works", "works$", undefined)).toStrictEqual(
      nativeRegExpMatch("still works", "works$", undefined),
    );
  });

  it("queued matches wait their turn and are timed from their own start", async () => {
    const results = await Promise.allSettled([
      match(...CATASTROPHIC, undefined),
      match("a1", "\\d", undefined),
      match("b2", "\\d", undefined),
    ]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
  });

  it("in a filter, a hostile pattern fails that filter (filter-error) instead of hanging the run", async () => {
    const filter = `"${CATASTROPHIC[0]}"|regExpMatch("${CATASTROPHIC[1]}")`;
    await expect(evaluateFilter(filter, {}, { regExpMatch: match })).rejects.toThrow(/gave up/);
    const matched = (await evaluateFilter(`"153.0"|regExpMatch("^(\\\\d+)")`, {}, { regExpMatch: match })) as string[];
    expect([...matched]).toEqual(["153", "153"]);
  });
});
