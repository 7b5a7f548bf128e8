/**
 * Filter evaluation throughput: ours against Firefox's own `FilterExpressions` (the module Normandy uses), on
 * the conformance corpus and on its real-world part alone, with the same context and prefs, in the same
 * Firefox process (ours bundled into a chrome sandbox: see test/e2e/support/filterEvaluatorsInChrome.ts).
 * Ours keeps parsed expressions; Firefox's module parses on every call, as Normandy does.
 */
import { FILTER_CONTEXT, FILTER_CORPUS } from "../test/e2e/fixtures/filterCorpus.js";
import { type Firefox, type JsonValue, launchFirefox } from "../test/e2e/harness/index.js";
import { type EvaluationTiming, timeBothEvaluators } from "../test/e2e/support/filterEvaluatorsInChrome.js";
import { setFilterPrefs } from "../test/e2e/support/filterPrefs.js";
import type { BenchResult } from "./benchResult.js";
import { defineBench } from "./defineBench.js";
import { median, QUICK, round, summarize } from "./measure.js";

const ROUNDS = QUICK ? 3 : 9;
const ROUND_MS = QUICK ? 300 : 500;
const TARGET_RATIO = 1;

const SETS = [
  { name: "whole corpus", expressions: FILTER_CORPUS.map((entry) => entry.expression) },
  {
    name: "real-world filters",
    expressions: FILTER_CORPUS.filter((entry) => entry.group === "real-world").map((entry) => entry.expression),
  },
];

defineBench("filter-throughput", async () => {
  const firefox = await launchFirefox({ name: "bench-filter-throughput" });
  try {
    await setFilterPrefs(firefox);
    const results: BenchResult[] = [];
    for (const set of SETS) results.push(...(await benchSet(firefox, set.name, set.expressions)));
    return results;
  } finally {
    await firefox.dispose();
  }
});

async function benchSet(firefox: Firefox, name: string, expressions: readonly string[]): Promise<BenchResult[]> {
  const rounds = await timeBothEvaluators(firefox, expressions, FILTER_CONTEXT as JsonValue, {
    rounds: ROUNDS,
    roundMs: ROUND_MS,
  });
  const perSecond = ({ evaluations, ms }: EvaluationTiming) => Math.round((evaluations / ms) * 1000);
  const ours = summarize(
    `ours, ${name} (${expressions.length} expressions)`,
    rounds.map((timing) => perSecond(timing.ours)),
    "evaluations/s",
  );
  const firefoxFigure = summarize(
    `Firefox's FilterExpressions, ${name}`,
    rounds.map((timing) => perSecond(timing.firefox)),
    "evaluations/s",
  );
  // Each round's ratio compares two timings taken back to back, so a slow moment of the machine weighs on both.
  const ratioOfRounds = round(median(rounds.map((timing) => perSecond(timing.ours) / perSecond(timing.firefox))));
  return [
    {
      ...ours,
      ratios: { "Firefox's FilterExpressions": ratioOfRounds },
      target: { goal: `≥ ${TARGET_RATIO}× Firefox's`, met: ratioOfRounds >= TARGET_RATIO },
      note: "ratio: median over rounds of (ours / Firefox's) evaluations per second, measured back to back",
    },
    firefoxFigure,
  ];
}
