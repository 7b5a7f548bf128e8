/**
 * The synchronous fast path of filter evaluation (Mozjexl.evaluateSync, which evaluateFilter tries first)
 * gives exactly what mozjexl's asynchronous evaluator gives: the same value or the same error for every
 * corpus expression, with client attributes as plain values, as computed promises (tracked and fulfilled, as
 * a run's), as promises still to compute, and with one attribute failed. And it does answer whenever every
 * value it reads is known, leaving the rest to the asynchronous evaluator.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { ClientContext } from "../../src/context/ClientContext.js";
import { ClientIdentity } from "../../src/context/ClientIdentity.js";
import { type FilterContext, evaluateFilter } from "../../src/core/filterExpressions.js";
import { createFilterTransforms } from "../../src/core/filterTransforms.js";
import { memoizedRegExpMatch } from "../../src/core/memoizedRegExpMatch.js";
import { Mozjexl, NEEDS_ASYNC } from "../../src/core/mozjexl.js";
import { nativeRegExpMatch, type RegExpMatcher } from "../../src/core/regExpMatch.js";
import { bucketSample, stableSample } from "../../src/core/sampling.js";
import { trackSettlement } from "../../src/core/settledPromise.js";
import type { Recipe } from "../../src/core/recipe.js";
import { FILTER_CONTEXT, FILTER_CORPUS } from "../e2e/fixtures/filterCorpus.js";
import { filterCorpusPrefs } from "../fakes/filterCorpusPrefs.js";
import { FakeClientContextApi } from "../fakes/FakeClientContextApi.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { NO_ENROLLMENTS } from "../fakes/noEnrollments.js";
import { evaluateAsyncOnly, outcomeOf } from "./filterEvaluationPaths.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Lets promise callbacks (the settlement tracking among them) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Calls of the asynchronous evaluator from now on. */
const asyncEvaluations = () => vi.spyOn(Mozjexl.prototype, "evaluate");

/** How a context variant gives a value filters await: as it is, or some promise of it. */
type Deferral = (name: string, value: unknown) => unknown;

/**
 * FILTER_CONTEXT with its client attributes given by `deferral` through getters, as a run's context gives
 * them (`recipe` stays a plain value), plus values for promises in other places: in arrays, in objects, as
 * elements of a relative filter.
 */
function contextWith(deferral: Deferral): FilterContext {
  const { recipe, ...clientAttributes } = FILTER_CONTEXT.normandy;
  const attributes = Object.defineProperties(
    {},
    Object.fromEntries(
      Object.entries(clientAttributes).map(([name, value]) => [
        name,
        { get: () => deferral(name, value), enumerable: true },
      ]),
    ),
  );
  const normandy = Object.assign(Object.create(attributes) as object, { recipe });
  return {
    ...FILTER_CONTEXT,
    normandy,
    env: normandy,
    deferred: {
      flag: deferral("flag", true),
      zero: deferral("zero", 0),
      half: deferral("half", 0.5),
      list: [deferral("listItem", 1), 2],
      holder: { p: deferral("p", "x") },
    },
    tagged: [{ p: deferral("x", "x") }, { p: deferral("y", "y") }],
    falsyElements: [0, "", null, 1],
    // Not a promise: only awaiting can tell its value.
    thenable: { then: (resolve: (value: number) => void) => resolve(5) },
  };
}

/** Beyond the corpus: expressions that await a promise or thenable of the context elsewhere than in an attribute. */
const AWAITING_SHAPES = [
  "deferred.flag && deferred.zero",
  "deferred.flag ? deferred.list[0] : 'no'",
  "deferred.list[0] + 1",
  "deferred.list[1] + deferred.half",
  "deferred.holder.p + 'y'",
  "[deferred.flag, deferred.zero]",
  "{a: deferred.flag, b: [deferred.holder.p]}",
  "!deferred.zero",
  "deferred.zero ?: deferred.half",
  "deferred.zero ? 1 : deferred.half",
  "'test-1'|stableSample(deferred.half)",
  "tagged[.p == 'x']",
  "tagged[.p == (deferred.holder.p)]",
  "tagged[.p == deferred.holder.p]", // `deferred` is relative here (mozjexl's quirk): read from each element
  "tagged.p",
  "n.x || deferred.flag",
  "deferred.flag|nope",
  "thenable + 1",
  "[thenable]",
];

/** And expressions that hold a promise without awaiting it (as jexl does not), or read none. */
const NON_AWAITING_SHAPES = [
  "deferred.list",
  "2 in deferred.list",
  "deferred.list|length",
  "deferred.list intersect [2]",
  "deferred.holder|values",
  "deferred.missing.deeper",
  "falsyElements[.s == 'hello']", // a falsy element leaves the context relative (jexl's Evaluator)
];

const EXPRESSIONS = [...FILTER_CORPUS.map((entry) => entry.expression), ...AWAITING_SHAPES, ...NON_AWAITING_SHAPES];
const usesPrefs = (expression: string) => /\|\s*preference/.test(expression);
/** Whether the expression awaits a client attribute (`recipe` is a plain value) or another promise of the context. */
const awaitsContextPromise = (expression: string) =>
  /\b(normandy|env)\.(?!recipe\b)/.test(expression) || AWAITING_SHAPES.includes(expression);
/** Everything but a thenable that is not a promise can be known at once. */
const knowable = (expression: string) => !expression.includes("thenable");

/** Attributes computed in the run: tracked promises that have fulfilled (or, for `failed`, rejected). */
function computed(failed?: string): Deferral {
  const promises = new Map<string, Promise<unknown>>();
  return (name, value) => {
    let promise = promises.get(name);
    if (!promise) {
      promise = trackSettlement(
        name === failed
          ? Promise.reject(new Error(`context attribute ${name} failed: no value within 5000 ms`))
          : Promise.resolve(value),
      );
      promises.set(name, promise);
    }
    return promise;
  };
}

/** Attributes as a context variant gives them, and what the fast path answers besides preferences and errors. */
const VARIANTS: {
  name: string;
  deferral: () => Deferral;
  regExpMatch: RegExpMatcher;
  fastPathAnswers(expression: string): boolean;
}[] = [
  {
    name: "plain values",
    deferral: () => (_, value) => value,
    regExpMatch: nativeRegExpMatch,
    fastPathAnswers: knowable,
  },
  {
    name: "computed attributes",
    deferral: () => computed(),
    regExpMatch: memoizedRegExpMatch(nativeRegExpMatch),
    fastPathAnswers: knowable,
  },
  {
    name: "attributes still to compute",
    deferral: () => (_, value) => Promise.resolve(value),
    regExpMatch: nativeRegExpMatch,
    fastPathAnswers: (expression) => knowable(expression) && !awaitsContextPromise(expression),
  },
  {
    name: "a failed attribute (country)",
    deferral: () => computed("country"),
    regExpMatch: memoizedRegExpMatch(nativeRegExpMatch),
    fastPathAnswers: knowable,
  },
];

describe("the fast path agrees with the asynchronous evaluator", () => {
  test.each(VARIANTS)(
    "with $name, for every corpus expression and promise shape",
    async ({ deferral, regExpMatch, fastPathAnswers }) => {
      const context = contextWith(deferral());
      for (const name of Object.keys(FILTER_CONTEXT.normandy)) void (context.normandy as Record<string, unknown>)[name];
      await settle(); // computed attributes are now fulfilled (or rejected)
      const options = { prefs: filterCorpusPrefs(), regExpMatch };
      const evaluations = asyncEvaluations();
      const wrongPaths: { expression: string; fastPathAnswered: boolean }[] = [];
      for (const expression of EXPRESSIONS) {
        // The asynchronous evaluator first: the fast path then finds this expression's hashes and matches known.
        const asyncOnly = await outcomeOf(evaluateAsyncOnly(expression, context, options));
        const before = evaluations.mock.calls.length;
        const withFastPath = await outcomeOf(evaluateFilter(expression, context, options));
        expect.soft(withFastPath, expression).toEqual(asyncOnly);
        // A syntax error comes before either evaluator.
        const fastPathAnswered = evaluations.mock.calls.length === before && "value" in withFastPath;
        if (fastPathAnswered !== ("value" in asyncOnly && !usesPrefs(expression) && fastPathAnswers(expression))) {
          wrongPaths.push({ expression, fastPathAnswered });
        }
      }
      expect(wrongPaths).toEqual([]);
    },
  );
});

function recipe(id: number): Recipe {
  return {
    id,
    name: `recipe ${id}`,
    revision_id: "1",
    action: "console-log",
    arguments: {},
    filter_expression: "true",
  };
}

function clientContext(api = new FakeClientContextApi()): ClientContext {
  return new ClientContext({
    api,
    identity: new ClientIdentity(new FakePrefsApi()),
    classify: async () => ({ country: "US", requestTime: new Date("2026-05-01T12:00:00Z") }),
    enrollments: NO_ENROLLMENTS,
    warn: () => undefined,
  });
}

describe("the fast path answers when every value it reads is known", () => {
  test("a run's attributes, once computed, are read without the asynchronous evaluator", async () => {
    const context = clientContext();
    const run = context.startRun();
    const filter = 'normandy.channel == "esr" && normandy.os.isLinux && normandy.country in ["US", "CA"]';
    const evaluations = asyncEvaluations();
    expect(await evaluateFilter(filter, run.forRecipe(recipe(1)))).toBe(true);
    expect(evaluations).toHaveBeenCalledTimes(1); // the attributes were still to compute
    expect(await evaluateFilter(filter, run.forRecipe(recipe(2)))).toBe(true);
    expect(evaluations).toHaveBeenCalledTimes(1);
    // The next run computes its attributes afresh.
    expect(await evaluateFilter(filter, context.startRun().forRecipe(recipe(3)))).toBe(true);
    expect(evaluations).toHaveBeenCalledTimes(2);
  });

  test("a failed attribute gives the asynchronous evaluator's error, in every recipe of the run", async () => {
    const api = new FakeClientContextApi();
    api.failing.set("getDefaultSearchEngine", "NS_ERROR_NOT_AVAILABLE");
    const run = clientContext(api).startRun();
    const filter = 'normandy.channel == "esr" && normandy.searchEngine == "google"';
    for (const id of [1, 2]) {
      await expect(evaluateFilter(filter, run.forRecipe(recipe(id)))).rejects.toThrow(
        "context attribute searchEngine failed: NS_ERROR_NOT_AVAILABLE",
      );
    }
  });

  test("a preference transform is called once per evaluation, by the asynchronous evaluator alone", async () => {
    const prefs = new FakePrefsApi();
    prefs.user.set("fast.path", 2);
    const reads = vi.spyOn(prefs, "getPref");
    const evaluations = asyncEvaluations();
    expect(await evaluateFilter("s == 'hello' && 'fast.path'|preferenceValue == 2", { s: "hello" }, { prefs })).toBe(
      true,
    );
    expect(reads).toHaveBeenCalledTimes(1);
    expect(evaluations).toHaveBeenCalledTimes(1);
  });

  test("a promise in a value that is not awaited (read from an object, not through a path) is left as it is", async () => {
    const pending = new Promise(() => undefined);
    const evaluations = asyncEvaluations();
    expect(await evaluateFilter("holder", { holder: { p: pending } })).toEqual({ p: pending });
    expect(await evaluateFilter("holder|values|length", { holder: { p: pending } })).toBe(1);
    expect(evaluations).not.toHaveBeenCalled();
  });

  test("sampling transforms decide at once for an input hashed before", async () => {
    const transforms = createFilterTransforms();
    const input = ["fast-path-sample", 1];
    const stable = transforms.stableSample!(input, 0.5);
    const bucket = transforms.bucketSample!(input, 10, 40, 100);
    expect(stable).toBeInstanceOf(Promise);
    expect(bucket).toBeInstanceOf(Promise);
    expect(await stable).toBe(await stableSample(input, 0.5));
    expect(await bucket).toBe(await bucketSample(input, 10, 40, 100));
    expect(transforms.stableSample!(input, 0.5)).toBe(await stable);
    expect(transforms.bucketSample!(input, 10, 40, 100)).toBe(await bucket);

    const evaluations = asyncEvaluations();
    const filter = "[s, 1]|stableSample(0.5) || [s, 1]|bucketSample(10, 40, 100)";
    const context = { s: "fast-path-filter" }; // an input not hashed yet
    const first = await evaluateFilter(filter, context);
    expect(evaluations).toHaveBeenCalledTimes(1);
    expect(await evaluateFilter(filter, context)).toBe(first);
    expect(evaluations).toHaveBeenCalledTimes(1);
  });

  test("a remembered regExpMatch result is used at once", async () => {
    const options = { regExpMatch: memoizedRegExpMatch(nativeRegExpMatch) };
    const evaluations = asyncEvaluations();
    expect(await evaluateFilter("s|regExpMatch('l+')", { s: "hello" }, options)).toEqual(
      nativeRegExpMatch("hello", "l+", undefined),
    );
    expect(evaluations).toHaveBeenCalledTimes(1);
    expect(await evaluateFilter("s|regExpMatch('l+')", { s: "hello" }, options)).toEqual(
      nativeRegExpMatch("hello", "l+", undefined),
    );
    expect(evaluations).toHaveBeenCalledTimes(1);
  });

  test("an expression too deep for the synchronous evaluator's stack is left to the asynchronous one", async () => {
    const fastPath = vi.spyOn(Mozjexl.prototype, "evaluateSync");
    expect(await evaluateFilter(Array(20_000).fill("1").join(" + "), {})).toBe(20_000);
    expect(fastPath.mock.results[0]?.value).toBe(NEEDS_ASYNC);
  });
});
