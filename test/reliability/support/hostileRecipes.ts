/**
 * Hostile recipes for the fuzzer: a valid recipe of a random action, then one to three mutations (wrong
 * types, missing fields, huge strings, deep nesting, odd unicode, prototype-pollution keys, catastrophic
 * regular expressions, broken or deeply nested filters). Every choice comes from the seeded PRNG, so a seed
 * gives the same recipes again. Recipes are plain JSON data, as a server would send them: keys such as
 * `__proto__` are own properties, exactly what `JSON.parse` makes of them.
 */
import { CATALOGUE_EXTENSION_IDS } from "../../fakes/inMemoryClient.js";
import type { SeededRandom } from "./seededRandom.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Object.prototype's names and friends: as slugs, pref names and argument keys. */
const PROTOTYPE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
];

/** Strings that tend to break things: unicode edge cases, control characters, markup, format strings. */
const ODD_STRINGS = [
  "",
  " ",
  "\u0000",
  "\uD800", // a lone surrogate
  "\uDFFF\uD800",
  "\u202Eevil\u202C", // right-to-left override
  "e\u0301\u0301\u0301\u0301", // stacked combining marks
  "👩‍👩‍👧‍👦🏳️‍🌈",
  "\uFEFF\u200B\u2028\u2029",
  "<script>alert(1)</script>",
  "%s%s%n%x",
  "${7*7}",
  "../../../../etc/passwd",
  "null",
  "true",
  "0",
  "-1",
  "1e309",
  "NaN",
  "constructor.prototype.polluted",
];

/**
 * Filters that match exponentially many ways: a backtracking engine tries them all before it fails, far
 * longer than any run may take (on this input, seconds to centuries).
 */
const CATASTROPHIC_FILTERS = [
  `"${"a".repeat(40)}!"|regExpMatch("^(a+)+$")`,
  `"${"a".repeat(36)}b"|regExpMatch("^(a|aa)+$")`,
  `"${"x".repeat(30)}"|regExpMatch("(x+x+)+y")`,
  `"${"1.".repeat(30)}!"|regExpMatch("^([0-9]+[.]?)+$")`,
  `normandy.version|regExpMatch("^1") && "${"ab".repeat(25)}c"|regExpMatch("^(ab|a|b)*$")`,
];

/** Filters that are fine, broken, or odd; a few of the real ones Normandy uses. */
const ODD_FILTERS = [
  "true",
  "false",
  "normandy.locale == 'en-US'",
  "normandy.version|versionCompare('100') >= 0",
  "normandy.userId|stableSample(0.5)",
  "[1,2,3] intersect [2]",
  "normandy.missing.deeper.still",
  "normandy.nothing[0].x",
  "normandy ==",
  "((((",
  "'unterminated",
  "normandy.locale|noSuchTransform",
  "'x'|regExpMatch('(')",
  "'x'|regExpMatch('x', 'zz')",
  "1|regExpMatch('1')",
  "normandy.recipe.arguments.__proto__",
  "normandy.constructor.constructor",
  "normandy['__proto__']['polluted'] == null",
  "'a'|preferenceValue('b')",
  "'__proto__'|preferenceExists",
  "normandy.recipe.id|date",
];

const ACTIONS = [
  "console-log",
  "multi-preference-experiment",
  "single-preference-experiment",
  "preference-experiment",
  "preference-rollout",
  "preference-rollback",
  "branched-addon-study",
  "addon-rollout",
  "addon-rollback",
] as const;

/** A recipe this client accepts as valid, for `action` (a random one by default); `id` makes names unique. */
export function validRecipe(
  random: SeededRandom,
  id: number,
  action: (typeof ACTIONS)[number] = random.pick(ACTIONS),
): { [key: string]: Json } {
  const slug = `fuzz-${id}`;
  const prefName = `fuzz.pref.${id}`;
  const args = ((): { [key: string]: Json } => {
    switch (action) {
      case "console-log":
        return { message: `fuzz recipe ${id}` };
      case "multi-preference-experiment":
        return {
          slug,
          userFacingName: `Fuzz study ${id}`,
          userFacingDescription: "A study from the fuzzer",
          isEnrollmentPaused: false,
          isHighPopulation: random.chance(0.5),
          branches: [
            {
              slug: "a",
              ratio: 1,
              preferences: {
                [`${prefName}.a`]: {
                  preferenceType: "string",
                  preferenceBranchType: random.pick(["user", "default"]),
                  preferenceValue: "on",
                },
              },
            },
            {
              slug: "b",
              ratio: 1,
              preferences: {
                [`${prefName}.b`]: { preferenceType: "integer", preferenceBranchType: "default", preferenceValue: 7 },
              },
            },
          ],
        };
      case "single-preference-experiment":
      case "preference-experiment":
        return {
          slug,
          preferenceName: prefName,
          preferenceType: "boolean",
          preferenceBranchType: random.pick(["user", "default"]),
          isEnrollmentPaused: false,
          branches: [
            { slug: "on", value: true, ratio: 1 },
            { slug: "off", value: false, ratio: 1 },
          ],
        };
      case "preference-rollout":
        return { slug, preferences: [{ preferenceName: prefName, value: random.pick<Json>(["rolled", 3, true]) }] };
      case "preference-rollback":
      case "addon-rollback":
        // Some earlier rollout, which may or may not exist here.
        return { rolloutSlug: `fuzz-${random.int(0, Math.max(0, id - 1))}` };
      case "branched-addon-study":
        return {
          slug,
          userFacingName: `Fuzz add-on study ${id}`,
          userFacingDescription: "An add-on study from the fuzzer",
          isEnrollmentPaused: false,
          branches: [
            { slug: "with", ratio: 1, extensionApiId: random.pick(CATALOGUE_EXTENSION_IDS) },
            { slug: "without", ratio: 1, extensionApiId: null },
          ],
        };
      case "addon-rollout":
        return { slug, extensionApiId: random.pick(CATALOGUE_EXTENSION_IDS) };
    }
  })();
  return {
    id,
    name: `fuzz ${action} ${id}`,
    revision_id: String(random.int(1, 5)),
    action,
    arguments: args,
    filter_expression: random.chance(0.8) ? "true" : random.pick(ODD_FILTERS),
    capabilities: random.chance(0.9)
      ? ["capabilities-v1", `action.${action}`]
      : ["capabilities-v1", random.pick(["no-such-capability", "action.nope"])],
  };
}

export type MutationKind =
  | "wrong-type"
  | "missing-field"
  | "huge-string"
  | "deep-nesting"
  | "unicode"
  | "prototype-keys"
  | "catastrophic-regex"
  | "odd-filter"
  | "deep-filter"
  | "huge-array";

export const MUTATION_KINDS: readonly MutationKind[] = [
  "wrong-type",
  "missing-field",
  "huge-string",
  "deep-nesting",
  "unicode",
  "prototype-keys",
  "catastrophic-regex",
  "odd-filter",
  "deep-filter",
  "huge-array",
];

/** Applies `kind` to `recipe` in place; returns what it did, for the failure report. */
export function mutate(random: SeededRandom, recipe: { [key: string]: Json }, kind: MutationKind): string {
  switch (kind) {
    case "wrong-type": {
      const [path, container, key] = randomSlot(random, recipe);
      const value = randomValueOfAnotherType(random, container[key as never] as Json);
      setOwn(container, key, value);
      return `${path} = ${preview(value)}`;
    }
    case "missing-field": {
      const [path, container, key] = randomSlot(random, recipe);
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
      return `delete ${path}`;
    }
    case "huge-string": {
      const [path, container, key] = randomSlot(random, recipe);
      const size = random.pick([10_000, 100_000, 1_000_000]);
      setOwn(container, key, random.pick(["x", "é", "🙂", "\\"]).repeat(size));
      return `${path} = <${size} characters>`;
    }
    case "deep-nesting": {
      const [path, container, key] = randomSlot(random, recipe);
      const depth = random.int(100, 2_000);
      setOwn(container, key, nested(depth, random.chance(0.5)));
      return `${path} = <nested ${depth} deep>`;
    }
    case "unicode": {
      const [path, container, key] = randomSlot(random, recipe);
      const value = random.pick(ODD_STRINGS);
      setOwn(container, key, value);
      return `${path} = ${JSON.stringify(value)}`;
    }
    case "prototype-keys": {
      const name = random.pick(PROTOTYPE_KEYS);
      const target = random.pick(["slug", "preference name", "argument key", "pollution payload"] as const);
      const args = isObject(recipe.arguments) ? recipe.arguments : (recipe.arguments = {});
      if (target === "slug") args.slug = name;
      if (target === "preference name") renamePreferences(args, name);
      if (target === "argument key") setOwn(args, name, { polluted: true, slug: name });
      if (target === "pollution payload") setOwn(recipe, "__proto__", { polluted: true, isAdmin: true });
      return `${target} ${name}`;
    }
    case "catastrophic-regex":
      recipe.filter_expression = random.pick(CATASTROPHIC_FILTERS);
      return `filter ${String(recipe.filter_expression).slice(0, 60)}`;
    case "odd-filter":
      recipe.filter_expression = random.pick(ODD_FILTERS);
      return `filter ${recipe.filter_expression}`;
    case "deep-filter": {
      const depth = random.int(50, 3_000);
      recipe.filter_expression = `${"(".repeat(depth)}true${")".repeat(random.chance(0.8) ? depth : depth - 1)}`;
      return `filter nested ${depth} deep`;
    }
    case "huge-array": {
      const args = isObject(recipe.arguments) ? recipe.arguments : (recipe.arguments = {});
      const size = random.pick([1_000, 10_000]);
      const template =
        Array.isArray(args.branches) && args.branches.length > 0 ? args.branches[0]! : { slug: "b", ratio: 1 };
      args[random.pick(["branches", "preferences"])] = Array.from({ length: size }, (_, index) =>
        isObject(template) ? { ...template, slug: `b${index}` } : template,
      );
      return `huge array of ${size}`;
    }
  }
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets an own property, also for `__proto__` (plain assignment would set the object's prototype instead). */
function setOwn(container: { [key: string]: Json } | Json[], key: string, value: Json): void {
  Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A random field anywhere in the recipe (objects and arrays), with its path, container and key. */
function randomSlot(
  random: SeededRandom,
  recipe: { [key: string]: Json },
): [string, { [key: string]: Json } | Json[], string] {
  let path = "recipe";
  let container: { [key: string]: Json } | Json[] = recipe;
  for (;;) {
    const keys: string[] = Object.keys(container);
    if (keys.length === 0) return [`${path}.x`, container, "x"];
    const key: string = random.pick(keys);
    const value: Json = (container as { [key: string]: Json })[key]!;
    if ((isObject(value) || Array.isArray(value)) && Object.keys(value).length > 0 && random.chance(0.7)) {
      path += `.${key}`;
      container = value;
      continue;
    }
    return [`${path}.${key}`, container, key];
  }
}

function randomValueOfAnotherType(random: SeededRandom, current: Json): Json {
  const candidates: Json[] = [null, true, false, 0, -1, 1.5, 2 ** 53 + 2, -0, "", "42", [], [null], {}, { value: 1 }];
  const others = candidates.filter((candidate) => typeOf(candidate) !== typeOf(current));
  return random.pick(others);
}

function typeOf(value: Json): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function nested(depth: number, asArray: boolean): Json {
  let value: Json = "bottom";
  for (let level = 0; level < depth; level++) value = asArray ? [value] : { nested: value };
  return value;
}

/** Gives every preference the recipe names the name `name` (experiments key them by name, rollouts list them). */
function renamePreferences(args: { [key: string]: Json }, name: string): void {
  if (typeof args.preferenceName === "string") args.preferenceName = name;
  if (Array.isArray(args.preferences))
    for (const preference of args.preferences) if (isObject(preference)) preference.preferenceName = name;
  if (Array.isArray(args.branches)) {
    for (const branch of args.branches) {
      if (!isObject(branch) || !isObject(branch.preferences)) continue;
      const [first] = Object.values(branch.preferences);
      const renamed = {};
      setOwn(renamed, name, first ?? null);
      branch.preferences = renamed;
    }
  }
}

function preview(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
