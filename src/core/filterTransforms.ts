/**
 * The transforms Normandy adds to its filter expressions (Firefox's FilterExpressions.sys.mjs), with
 * Firefox's behaviour on odd inputs: most return undefined for a value of the wrong kind, a few throw.
 * The preference transforms read through a prefs reader, the subset of the prefs experiment API they
 * need, so they work against the real API in the add-on and against a fake in tests.
 */
import type { FilterPrefsReader } from "./prefTypes.js";
import type { TransformTable } from "./mozjexl.js";
import { nativeRegExpMatch, type RegExpMatcher } from "./regExpMatch.js";
import { isBucketSampled, isStableSampled, withInputHash } from "./sampling.js";
import { compareVersions } from "./versionCompare.js";

export type { FilterPrefsReader };

/**
 * The transforms in Firefox's order; without `prefs`, the preference transforms throw when used.
 * `regExpMatch` is Firefox's native matching unless a time-limited one is given (timeLimitedRegExpMatch.ts).
 */
export function createFilterTransforms(
  prefs?: FilterPrefsReader,
  regExpMatch: RegExpMatcher = nativeRegExpMatch,
): TransformTable {
  const prefsFor = (transform: string): FilterPrefsReader => {
    if (!prefs) throw new Error(`The ${transform} transform needs a prefs reader (FilterOptions.prefs)`);
    return prefs;
  };
  return {
    date: (value) => new Date(value as string),
    // A boolean once the input's hash is known (an earlier recipe or run sampled it), else a promise of it.
    stableSample: (input, rate) => withInputHash(input, (inputHash) => isStableSampled(inputHash, rate as number)),
    bucketSample: (input, start, count, total) =>
      withInputHash(input, (inputHash) =>
        isBucketSampled(inputHash, start as number, count as number, total as number),
      ),
    // A missing pref gives the default argument (undefined if there is none).
    preferenceValue: async (name, defaultValue) => {
      const value = await prefsFor("preferenceValue").getPref(prefName(name), "user");
      return value === null ? defaultValue : value;
    },
    preferenceIsUserSet: (name) => prefsFor("preferenceIsUserSet").prefHasUserValue(prefName(name)),
    preferenceExists: async (name) => (await prefsFor("preferenceExists").getPrefType(prefName(name))) !== "invalid",
    keys: (value) => (isObject(value) ? Object.keys(value) : undefined),
    values: (value) => (isObject(value) ? Object.values(value) : undefined),
    length: (value) => (Array.isArray(value) ? value.length : undefined),
    // Like Firefox, an element that is null or undefined throws.
    mapToProperty: (value, property) =>
      Array.isArray(value)
        ? value.map((element) => (element as Record<string, unknown>)[property as string])
        : undefined,
    // An array of matches or null; a value that is not a string throws.
    regExpMatch,
    versionCompare: (version, other) => compareVersions(xpcomString(version), xpcomString(other)),
  };
}

/**
 * The transforms that ask Firefox's parent process at each call: prefs change during a run (actions set
 * them), so their answers are never known in advance, and a filter using them is evaluated asynchronously.
 */
export const PREFERENCE_TRANSFORM_NAMES: ReadonlySet<string> = new Set([
  "preferenceValue",
  "preferenceIsUserSet",
  "preferenceExists",
]);

/** The transform names, for the capabilities `jexl.transform.<name>`. */
export const FILTER_TRANSFORM_NAMES: readonly string[] = Object.freeze(Object.keys(createFilterTransforms()));

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** Firefox's prefs service takes any value as a name, converted to a string, except null and undefined. */
function prefName(name: unknown): string {
  if (name === undefined || name === null) throw new TypeError(`Invalid preference name: ${name}`);
  return String(name);
}

/** How Firefox passes a JS value to the version comparator: null and undefined become "". */
function xpcomString(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}
