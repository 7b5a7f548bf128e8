/**
 * Our filter evaluator and Firefox's own `FilterExpressions`, side by side in one Firefox's chrome context:
 * ours bundled into a system-principal sandbox, Firefox's imported from its module, each given the same
 * context as an object of its own compartment (no wrapper overhead on either side). The conformance test
 * compares what they answer; the filter throughput bench times them.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import type { Firefox, JsonValue } from "../harness/index.js";

export const FILTER_EXPRESSIONS_MODULE = "resource://gre/modules/components-utils/FilterExpressions.sys.mjs";

/** A result as text: JSON with Dates as ISO strings; undefined and non-finite numbers spelled out. */
export type FilterOutcome = { value: string } | { error: string };

/**
 * The serializer as JS source, so the chrome context and Node use the very same function (Marionette
 * would mangle Dates and undefined if raw values came back).
 */
const SERIALIZE_SOURCE = `(value) => JSON.stringify(value === undefined ? "<undefined>" : value, (key, v) =>
  v === undefined ? "<undefined>" : typeof v === "number" && !Number.isFinite(v) ? "<" + v + ">" : v)`;

/** Runs `evaluate` and captures its outcome; defined once for the chrome context and Node alike. */
export const OUTCOME_SOURCE = `async (evaluate) => {
  try { return { value: (${SERIALIZE_SOURCE})(await evaluate()) }; }
  catch (error) { return { error: String(error) }; }
}`;

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

/**
 * Chrome-context statements defining `evaluateOurs(expression)` and `evaluateFirefox(expression)`, from
 * `args[0]` (our bundle), `args[1]` (the module URL) and `args[2]` (the context).
 */
const SET_UP_BOTH_EVALUATORS = `
const [bundle, moduleUrl, context] = args;
const sandbox = Cu.Sandbox(Services.scriptSecurityManager.getSystemPrincipal(), {
  sandboxName: "recipe-client filter evaluator",
  wantGlobalProperties: ["crypto", "TextEncoder"],
});
Cu.evalInSandbox(bundle, sandbox, "latest", "filterExpressions.bundle.js", 1);
const ours = sandbox.RecipeClientFilters;
const { FilterExpressions } = ChromeUtils.importESModule(moduleUrl);
const prefs = ${FIREFOX_PREFS_READER_SOURCE};
const oursContext = Cu.cloneInto(context, sandbox);
const firefoxContext = Cu.cloneInto(context, Cu.getGlobalForObject(FilterExpressions));
const evaluateOurs = (expression) => ours.evaluateFilter(expression, oursContext, { prefs });
const evaluateFirefox = (expression) => FilterExpressions.eval(expression, firefoxContext);
`;

/** Our evaluator as one classic script defining the global `RecipeClientFilters`. */
async function bundleOurEvaluator(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../../../src/core/filterExpressions.ts", import.meta.url))],
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

/** What our bundle answers for each expression inside Firefox (same engine as the reference). */
export async function ourOutcomesInFirefox(
  firefox: Firefox,
  expressions: readonly string[],
  context: JsonValue,
): Promise<FilterOutcome[]> {
  return firefox.evalInChrome<FilterOutcome[]>(
    `${SET_UP_BOTH_EVALUATORS}
     const outcomeOf = ${OUTCOME_SOURCE};
     const outcomes = [];
     for (const expression of args[3]) outcomes.push(await outcomeOf(() => evaluateOurs(expression)));
     return outcomes;`,
    await bundleOurEvaluator(),
    FILTER_EXPRESSIONS_MODULE,
    context,
    [...expressions],
  );
}

/** Evaluations done and the time they took. */
export interface EvaluationTiming {
  evaluations: number;
  ms: number;
}

/** One round of the throughput measurement: each evaluator in turn, over the same expressions. */
export interface ThroughputRound {
  ours: EvaluationTiming;
  firefox: EvaluationTiming;
}

/**
 * Times both evaluators in alternation, `rounds` times: in each round ours, then Firefox's, each evaluating
 * whole passes over `expressions` (errors included: a malformed expression costs a parse) until `roundMs`
 * has passed. Alternating keeps a noisy machine's slow moments from landing on one side only. Both are
 * warmed up first.
 */
export async function timeBothEvaluators(
  firefox: Firefox,
  expressions: readonly string[],
  context: JsonValue,
  { rounds, roundMs }: { rounds: number; roundMs: number },
): Promise<ThroughputRound[]> {
  return firefox.evalInChrome<ThroughputRound[]>(
    `${SET_UP_BOTH_EVALUATORS}
     const [, , , expressions, rounds, roundMs] = args;
     const time = async (evaluate, atLeastMs) => {
       const start = performance.now();
       let evaluations = 0;
       do {
         for (const expression of expressions) {
           try { await evaluate(expression); } catch {}
           evaluations++;
         }
       } while (performance.now() - start < atLeastMs);
       return { evaluations, ms: performance.now() - start };
     };
     await time(evaluateOurs, roundMs);
     await time(evaluateFirefox, roundMs);
     const results = [];
     for (let round = 0; round < rounds; round++) {
       results.push({ ours: await time(evaluateOurs, roundMs), firefox: await time(evaluateFirefox, roundMs) });
     }
     return results;`,
    await bundleOurEvaluator(),
    FILTER_EXPRESSIONS_MODULE,
    context,
    [...expressions],
    rounds,
    roundMs,
  );
}
