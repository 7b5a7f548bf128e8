/** A run's failures in words (the popup's last run): recipes and actions whose uptake is an error. */
import { describe, expect, it } from "vitest";
import type { RecipeReport, RunReport } from "../../src/core/index.js";
import { failureSummary } from "../../src/pages/runFailures.js";

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

describe("failureSummary", () => {
  it("is null when nothing failed; a filter mismatch (backoff) is no failure", () => {
    expect(failureSummary(run([recipe(1, "success"), recipe(2, "backoff")], { ConsoleLogAction: "success" }))).toBeNull();
  });

  it("counts failed recipes and actions with their statuses", () => {
    const summary = failureSummary(
      run([recipe(1, "apply_error"), recipe(2, "success"), recipe(3, "apply_error"), recipe(4, "sign_error")], { PreferenceExperimentAction: "custom_1_error" }),
    );
    expect(summary).toBe("3 recipes failed (2 × apply_error, sign_error); 1 action failed (custom_1_error).");
  });
});
