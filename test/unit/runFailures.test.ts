/** A run's failures in words (the popup's last run): recipes and actions whose uptake is an error. */
import { describe, expect, it } from "vitest";
import type { RecipeReport, RunReport } from "../../src/core/index.js";
import { failureParts, runFailed } from "../../src/pages/runFailures.js";

const recipe = (id: number, status: RecipeReport["status"]): RecipeReport => ({
  id,
  name: `recipe ${id}`,
  action: "console-log",
  revision: "1",
  suitability: "filter-match",
  status,
});
const run = (recipes: RecipeReport[], actions: RunReport["actions"] = {}): RunReport => ({
  trigger: "test",
  startedAt: 0,
  durationMs: 1,
  runnerStatus: "success",
  recipes,
  actions,
  stages: { fetch: 0, verify: 0, context: 0, filter: 0, actions: 0, report: 0 },
});

describe("failureParts", () => {
  it("is empty when nothing failed; a filter mismatch (backoff) is no failure", () => {
    const fine = run([recipe(1, "success"), recipe(2, "backoff")], { ConsoleLogAction: "success" });
    expect(failureParts(fine)).toEqual([]);
    expect(runFailed(fine)).toBe(false);
  });

  it("counts failed recipes by status, and names the failed actions", () => {
    const failed = run(
      [recipe(1, "apply_error"), recipe(2, "success"), recipe(3, "apply_error"), recipe(4, "sign_error")],
      {
        PreferenceExperimentAction: "custom_1_error",
        ConsoleLogAction: "success",
      },
    );
    expect(failureParts(failed)).toEqual([
      "3 recipes failed (2 apply_error, 1 sign_error)",
      "1 action failed (PreferenceExperimentAction custom_1_error)",
    ]);
    expect(runFailed(failed)).toBe(true);
  });
});
