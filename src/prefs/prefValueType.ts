import type { PrefType, PrefValue } from "../../experiment-apis/prefs/interface.js";

const INT_PREF_MIN = -(2 ** 31);
const INT_PREF_MAX = 2 ** 31 - 1;

/**
 * The type libpref would store `value` as, or "invalid" for a number it cannot hold: integer prefs are
 * 32-bit. Normandy lets XPConnect truncate 1.5 to 1 (or wrap a large number) while writing; we refuse such
 * values before any pref changes.
 */
export function prefTypeOfValue(value: PrefValue): PrefType {
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(value) && value >= INT_PREF_MIN && value <= INT_PREF_MAX ? "integer" : "invalid";
  }
}
