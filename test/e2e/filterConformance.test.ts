/**
 * Conformance with Firefox's own modules, in a real Firefox ESR (no add-on needed): every corpus filter
 * expression gives the same result through Firefox's FilterExpressions and through ours (errors are
 * errors in both), in Node and with our bundle inside Firefox's own engine, and 1,000 sampling inputs land
 * in the same samples and branches. (The throughput of both evaluators is a bench: bench/filterThroughput.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { FILTER_TRANSFORM_NAMES, evaluateFilter } from "../../src/core/filterExpressions.js";
import { bucketSample, ratioSample, stableSample, truncatedHash } from "../../src/core/sampling.js";
import { filterCorpusPrefs } from "../fakes/filterCorpusPrefs.js";
import { FILTER_CONTEXT, FILTER_CORPUS } from "./fixtures/filterCorpus.js";
import { type SamplingCase, samplingCases } from "./fixtures/samplingCases.js";
import { type Firefox, type JsonValue, launchFirefox } from "./harness/index.js";
import { setFilterPrefs } from "./support/filterPrefs.js";
import {
  FILTER_EXPRESSIONS_MODULE,
  type FilterOutcome as Outcome,
  OUTCOME_SOURCE,
  ourOutcomesInFirefox,
} from "./support/filterEvaluatorsInChrome.js";

const SAMPLING_MODULE = "resource://gre/modules/components-utils/Sampling.sys.mjs";

const outcomeOf = new Function(`return ${OUTCOME_SOURCE}`)() as (evaluate: () => Promise<unknown>) => Promise<Outcome>;

describe("filter expressions and sampling conform to Firefox's own modules", () => {
  let firefox: Firefox;
  const expressions = FILTER_CORPUS.map((entry) => entry.expression);

  beforeAll(async () => {
    firefox = await launchFirefox({ name: "filterConformance" });
    await setFilterPrefs(firefox);
  });

  beforeEach((context) => firefox.keepLogOnFailure(context));

  afterAll(async () => {
    await firefox?.dispose();
  });

  test("Firefox's modules are where we look for them, with the same transform names", async () => {
    const names = await firefox.evalInChrome<string[]>(
      `return ChromeUtils.importESModule(args[0]).FilterExpressions.getAvailableTransforms();`,
      FILTER_EXPRESSIONS_MODULE,
    );
    expect(names).toEqual(FILTER_TRANSFORM_NAMES);
    expect(
      await firefox.evalInChrome<string>(
        `return typeof ChromeUtils.importESModule(args[0]).Sampling.ratioSample;`,
        SAMPLING_MODULE,
      ),
    ).toBe("function");
  });

  test(`all ${FILTER_CORPUS.length} corpus expressions give the same result, or an error in both`, async () => {
    expect(FILTER_CORPUS.length).toBeGreaterThanOrEqual(100);
    const theirs = await firefoxOutcomes(firefox, expressions);
    const prefs = filterCorpusPrefs();
    const ours: Outcome[] = [];
    for (const expression of expressions) {
      ours.push(await outcomeOf(() => evaluateFilter(expression, FILTER_CONTEXT, { prefs })));
    }

    const differences = FILTER_CORPUS.flatMap((entry, index) =>
      sameOutcome(theirs[index]!, ours[index]!) ? [] : [{ ...entry, firefox: theirs[index], ours: ours[index] }],
    );
    expect(differences).toEqual([]);

    // The corpus exercises both sides: every malformed expression fails, every real-world one gives a
    // value, and many of those match.
    const outcomesOf = (group: string) => theirs.filter((_, index) => FILTER_CORPUS[index]!.group === group);
    expect(outcomesOf("malformed").filter((outcome) => !("error" in outcome))).toEqual([]);
    expect(outcomesOf("real-world").filter((outcome) => "error" in outcome)).toEqual([]);
    expect(
      outcomesOf("real-world").filter((outcome) => sameOutcome(outcome, { value: "true" })).length,
    ).toBeGreaterThan(10);
  });

  test("1,000 sampling inputs: the same hash, stableSample, bucketSample and ratioSample", async () => {
    const cases = samplingCases(1000);
    const theirs = await firefox.evalInChrome<SamplingResult[]>(
      `const { Sampling } = ChromeUtils.importESModule(args[0]);
       const results = [];
       for (const c of args[1]) {
         results.push({
           hash: await Sampling.truncatedHash(c.input),
           stable: await Sampling.stableSample(c.input, c.rate),
           bucket: await Sampling.bucketSample(c.input, c.start, c.count, c.total),
           ratio: await Sampling.ratioSample(c.input, c.ratios),
         });
       }
       return results;`,
      SAMPLING_MODULE,
      cases,
    );
    const ours: SamplingResult[] = [];
    for (const c of cases) ours.push(await sampleWithOurs(c));

    expect(ours).toEqual(theirs);
    // Not a degenerate run: both outcomes of each sampler occur, and every ratio bucket of [1, 2, 3, 4].
    expect(new Set(ours.map((result) => result.stable))).toEqual(new Set([true, false]));
    expect(new Set(ours.map((result) => result.bucket))).toEqual(new Set([true, false]));
    const fourWay = ours.filter((_, index) => cases[index]!.ratios.length === 4).map((result) => result.ratio);
    expect(new Set(fourWay)).toEqual(new Set([0, 1, 2, 3]));
  });

  test("inside Firefox's own engine, our bundle gives the same results too (Date parsing included)", async () => {
    const ours = await ourOutcomesInFirefox(firefox, expressions, FILTER_CONTEXT as JsonValue);
    const theirs = await firefoxOutcomes(firefox, expressions);
    const differences = expressions.filter((_, index) => !sameOutcome(theirs[index]!, ours[index]!));
    expect(differences).toEqual([]);
  });
});

/** Each expression through Firefox's FilterExpressions.eval with the fixture context. */
function firefoxOutcomes(firefox: Firefox, expressions: readonly string[]): Promise<Outcome[]> {
  return firefox.evalInChrome<Outcome[]>(
    `const { FilterExpressions } = ChromeUtils.importESModule(args[0]);
     const outcomeOf = ${OUTCOME_SOURCE};
     const outcomes = [];
     for (const expression of args[1]) outcomes.push(await outcomeOf(() => FilterExpressions.eval(expression, args[2])));
     return outcomes;`,
    FILTER_EXPRESSIONS_MODULE,
    [...expressions],
    FILTER_CONTEXT as JsonValue,
  );
}

interface SamplingResult {
  hash: string;
  stable: boolean;
  bucket: boolean;
  ratio: number;
}

async function sampleWithOurs(c: SamplingCase): Promise<SamplingResult> {
  return {
    hash: await truncatedHash(c.input),
    stable: await stableSample(c.input, c.rate),
    bucket: await bucketSample(c.input, c.start, c.count, c.total),
    ratio: await ratioSample(c.input, c.ratios),
  };
}

/** Equal values, or errors on both sides (the messages differ between engines). */
function sameOutcome(a: Outcome, b: Outcome): boolean {
  return "error" in a ? "error" in b : "value" in b && a.value === b.value;
}
