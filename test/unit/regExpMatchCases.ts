/**
 * `[value, pattern, flags]` cases a regExpMatch implementation must answer exactly as native matching does:
 * plain and named groups (one unmatched), the `g` and `i` flags, no match, an empty match.
 */
export const REGEXP_MATCH_CASES: [string, string, string | undefined][] = [
  ["Firefox/153.0", "^Firefox/(\\d+)", undefined],
  ["Firefox/153.0", "^Firefox/(?<major>\\d+)(\\.(?<minor>x))?", undefined],
  ["abcabc", "b", "g"],
  ["ABC", "b", "i"],
  ["abc", "z", undefined],
  ["", "^$", undefined],
];
