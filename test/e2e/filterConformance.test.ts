/**
 * Conformance with Firefox's own modules, in a real Firefox ESR (no add-on needed): every corpus filter
 * expression gives the same result through Firefox's FilterExpressions and through ours (errors are
 * errors in both), 1,000 sampling inputs land in the same samples and branches, and the throughput of
 * both evaluators is measured in the same Firefox process (a figure, printed and written to
 * test-results/filter-throughput.json, not an assertion).
 */
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { FILTER_TRANSFORM_NAMES, evaluateFilter } from "../../src/core/filterExpressions.js";
import { bucketSample, ratioSample, stableSample, truncatedHash } from "../../src/core/sampling.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { FILTER_CONTEXT, FILTER_CORPUS, FILTER_PREFS } from "./fixtures/filterCorpus.js";
import { type SamplingCase, samplingCases } from "./fixtures/samplingCases.js";
import { type Firefox, type JsonValue, launchFirefox } from "./harness/index.js";

const MODULES = "resource://gre/modules/components-utils";
const FILTER_EXPRESSIONS_MODULE = `${MODULES}/FilterExpressions.sys.mjs`;
const SAMPLING_MODULE = `${MODULES}/Sampling.sys.mjs`;
const RESULTS_DIR = fileURLToPath(new URL("../../test-results/", import.meta.url));
/** Each evaluator runs whole rounds over the expressions until this much time has passed. */
const THROUGHPUT_MIN_MS = 1500;

/** A result as text: JSON with Dates as ISO strings; undefined and non-finite numbers spelled out. */
type Outcome = { value: string } | { error: string };

/**
 * The serializer as JS source, so the chrome context and Node use the very same function (Marionette
 * would mangle Dates and undefined if raw values came back).
 */
const SERIALIZE_SOURCE = `(value) => JSON.stringify(value === undefined ? "<undefined>" : value, (key, v) =>
  v === undefined ? "<undefined>" : typeof v === "number" && !Number.isFinite(v) ? "<" + v + ">" : v)`;

/** Runs `evaluate` and captures its outcome; defined once for the chrome context and Node alike. */
const OUTCOME_SOURCE = `async (evaluate) => {
  try { return { value: (${SERIALIZE_SOURCE})(await evaluate()) }; }
  catch (error) { return { error: String(error) }; }
}`;
const outcomeOf = new Function(`return ${OUTCOME_SOURCE}`)() as (evaluate: () => Promise<unknown>) => Promise<Outcome>;

/** Firefox's prefs, read the way the prefs experiment API reads them (for our evaluator in Firefox). */
const FIREFOX_PREFS_READER_SOURCE = `({
  async getPref(name) {
    switch (Services.prefs.getPrefType(name)) {
      case Services.prefs.PREF_STRING: return Services.prefs.getStringPref(name);
      case Services.prefs.PREF_INT: return Services.prefs.getIntPref(name);
      case Services.prefs.PREF_BOOL: return Services.prefs.getBoolPref(name);
      default: return null;
    }
  },
  async prefHasUserValue(name) { return Services.prefs.prefHasUserValue(name); },
  async getPrefType(name) {
    return { [Services.prefs.PREF_STRING]: "string", [Services.prefs.PREF_INT]: "integer",
             [Services.prefs.PREF_BOOL]: "boolean" }[Services.prefs.getPrefType(name)] ?? "invalid";
  },
})`;

/** The fixture prefs as our evaluator sees them in Node. */
function fakePrefs(): FakePrefsApi {
  const prefs = new FakePrefsApi();
  for (const [name, { default: defaultValue, user }] of Object.entries(FILTER_PREFS)) {
    if (defaultValue !== undefined) prefs.defaults.set(name, defaultValue);
    if (user !== undefined) prefs.user.set(name, user);
  }
  return prefs;
}

/** Our evaluator as one classic script defining the global `RecipeClientFilters`. */
async function bundleOurEvaluator(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../../src/core/filterExpressions.ts", import.meta.url))],
    bundle: true,
    format: "iife",
    globalName: "RecipeClientFilters",
    platform: "browser",
    target: "firefox140",
    write: false,
    logLevel: "warning",
  });
  return result.outputFiles[0]!.text;
}

interface Timing {
  evaluations: number;
  ms: number;
}

interface ThroughputRun {
  firefoxVersion: string;
  /** Our bundle's results inside Firefox (same engine as the reference), for the corpus. */
  oursInFirefox: Outcome[];
  corpus: { ours: Timing; firefox: Timing };
  realWorld: { ours: Timing; firefox: Timing };
}

const perSecond = ({ evaluations, ms }: Timing) => Math.round((evaluations / ms) * 1000);
const rounded = ({ evaluations, ms }: Timing) => ({ evaluations, ms: Math.round(ms), perSecond: perSecond({ evaluations, ms }) });

describe("filter expressions and sampling conform to Firefox's own modules", () => {
  let firefox: Firefox;
  const expressions = FILTER_CORPUS.map((entry) => entry.expression);

  beforeAll(async () => {
    firefox = await launchFirefox({ name: "filterConformance" });
    await firefox.evalInChrome(
      `for (const [name, { default: defaultValue, user }] of Object.entries(args[0])) {
         Services.prefs.clearUserPref(name);
         const set = (branch, value) =>
           typeof value === "string" ? branch.setStringPref(name, value)
           : typeof value === "boolean" ? branch.setBoolPref(name, value)
           : branch.setIntPref(name, value);
         if (defaultValue !== undefined) set(Services.prefs.getDefaultBranch(""), defaultValue);
         if (user !== undefined) set(Services.prefs, user);
       }`,
      FILTER_PREFS as JsonValue,
    );
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
      await firefox.evalInChrome<string>(`return typeof ChromeUtils.importESModule(args[0]).Sampling.ratioSample;`, SAMPLING_MODULE),
    ).toBe("function");
  });

  test(`all ${FILTER_CORPUS.length} corpus expressions give the same result, or an error in both`, async () => {
    expect(FILTER_CORPUS.length).toBeGreaterThanOrEqual(100);
    const theirs = await firefoxOutcomes(firefox, expressions);
    const prefs = fakePrefs();
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
    expect(outcomesOf("real-world").filter((outcome) => sameOutcome(outcome, { value: "true" })).length).toBeGreaterThan(10);
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

  test("throughput of ours and Firefox's evaluator in the same Firefox process (a figure)", async () => {
    const realWorld = FILTER_CORPUS.filter((entry) => entry.group === "real-world").map((entry) => entry.expression);
    const run = await firefox.evalInChrome<ThroughputRun>(
      `const [bundle, moduleUrl, expressions, realWorld, context, minMs] = args;
       // Our bundle runs in a system-principal sandbox of its own, with the web APIs it needs.
       const sandbox = Cu.Sandbox(Services.scriptSecurityManager.getSystemPrincipal(), {
         sandboxName: "recipe-client filter throughput",
         wantGlobalProperties: ["crypto", "TextEncoder"],
       });
       Cu.evalInSandbox(bundle, sandbox, "latest", "filterExpressions.bundle.js", 1);
       const ours = sandbox.RecipeClientFilters;
       const { FilterExpressions } = ChromeUtils.importESModule(moduleUrl);
       const prefs = ${FIREFOX_PREFS_READER_SOURCE};
       // Each evaluator gets the context as an object of its own compartment: no wrapper overhead.
       const oursContext = Cu.cloneInto(context, sandbox);
       const firefoxContext = Cu.cloneInto(context, Cu.getGlobalForObject(FilterExpressions));
       const evaluateOurs = (expression) => ours.evaluateFilter(expression, oursContext, { prefs });
       const evaluateFirefox = (expression) => FilterExpressions.eval(expression, firefoxContext);

       const outcomeOf = ${OUTCOME_SOURCE};
       const oursInFirefox = [];
       for (const expression of expressions) oursInFirefox.push(await outcomeOf(() => evaluateOurs(expression)));

       const time = async (evaluate, list, atLeastMs = minMs) => {
         const start = performance.now();
         let evaluations = 0;
         do {
           for (const expression of list) {
             try { await evaluate(expression); } catch {}
             evaluations++;
           }
         } while (performance.now() - start < atLeastMs);
         return { evaluations, ms: performance.now() - start };
       };
       await time(evaluateOurs, expressions, 300); // warm-up, both
       await time(evaluateFirefox, expressions, 300);
       return {
         firefoxVersion: Services.appinfo.version,
         oursInFirefox,
         corpus: { ours: await time(evaluateOurs, expressions), firefox: await time(evaluateFirefox, expressions) },
         realWorld: { ours: await time(evaluateOurs, realWorld), firefox: await time(evaluateFirefox, realWorld) },
       };`,
      await bundleOurEvaluator(),
      FILTER_EXPRESSIONS_MODULE,
      expressions,
      realWorld,
      FILTER_CONTEXT as JsonValue,
      THROUGHPUT_MIN_MS,
    );

    // In Firefox's own engine, our bundle agrees with Firefox's module too (Date parsing included).
    const theirs = await firefoxOutcomes(firefox, expressions);
    const differences = expressions.filter((_, index) => !sameOutcome(theirs[index]!, run.oursInFirefox[index]!));
    expect(differences).toEqual([]);

    const figure = (timing: { ours: Timing; firefox: Timing }, count: number) => ({
      expressions: count,
      ours: rounded(timing.ours),
      firefox: rounded(timing.firefox),
      oursToFirefox: Number((perSecond(timing.ours) / perSecond(timing.firefox)).toFixed(2)),
    });
    const report = {
      measuredAt: new Date().toISOString(),
      firefoxVersion: run.firefoxVersion,
      note: "Evaluations per second in one Firefox process; ours parses once (cached), Firefox's module parses on every call.",
      corpus: figure(run.corpus, expressions.length),
      realWorld: figure(run.realWorld, realWorld.length),
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(`${RESULTS_DIR}filter-throughput.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log(
      `filter throughput in Firefox ${report.firefoxVersion}: ` +
        `corpus ours ${report.corpus.ours.perSecond}/s vs Firefox ${report.corpus.firefox.perSecond}/s (x${report.corpus.oursToFirefox}); ` +
        `real-world ours ${report.realWorld.ours.perSecond}/s vs Firefox ${report.realWorld.firefox.perSecond}/s (x${report.realWorld.oursToFirefox})`,
    );
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
