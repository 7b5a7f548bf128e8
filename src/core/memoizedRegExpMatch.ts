import type { RegExpMatcher } from "./regExpMatch.js";
import { thenNowOrLater, trackSettlement } from "./settledPromise.js";

/** Results kept: a collection has a few distinct (string, pattern) pairs; this only bounds a pathological one. */
const MAX_RESULTS = 1000;
/** Longer strings and patterns are not remembered: a thousand megabyte-long keys would not fit in memory. */
const MAX_KEY_LENGTH = 10_000;

/**
 * `regExpMatch` remembering its results. A match is a pure function of the string, the pattern and the flags,
 * and the time-limited matcher pays a worker round trip for each: the same filter in many recipes, and every
 * filter again at the next run, would pay it again and again. Failures are not kept (a time-out depends on how
 * busy the machine was); the oldest result goes first when full. Each caller gets a match array of its own:
 * at once (not a promise) when the result is known, so a filter's synchronous evaluation can use it (see
 * filterExpressions.ts), else a promise of it.
 */
export function memoizedRegExpMatch(match: RegExpMatcher, maxResults = MAX_RESULTS): RegExpMatcher {
  const results = new Map<string, Promise<unknown>>();
  return (value, pattern, flags) => {
    if (
      typeof value !== "string" ||
      typeof pattern !== "string" ||
      (flags !== undefined && typeof flags !== "string")
    ) {
      return match(value, pattern, flags);
    }
    if (value.length + pattern.length > MAX_KEY_LENGTH) return match(value, pattern, flags);
    const key = JSON.stringify({ value, pattern, flags }); // no `flags` key when undefined
    let result = results.get(key);
    if (!result) {
      result = trackSettlement(Promise.resolve().then(() => match(value, pattern, flags)));
      results.set(key, result);
      result.catch(() => results.delete(key));
      if (results.size > maxResults) results.delete(results.keys().next().value!);
    }
    return thenNowOrLater(result, ownCopy);
  };
}

/** A match array's copy, with its `index`, `input` and `groups` (whose prototype, null for a match, is kept). */
function ownCopy(matched: unknown): unknown {
  if (!Array.isArray(matched)) return matched;
  const copy = Object.assign([], matched) as unknown as RegExpMatchArray;
  if (copy.groups)
    copy.groups = Object.assign(
      Object.create(Object.getPrototypeOf(copy.groups)) as Record<string, string>,
      copy.groups,
    );
  return copy;
}
