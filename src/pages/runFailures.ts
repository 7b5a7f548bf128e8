/** What failed in a run, in words: the QA console's run headline and the popup's last run show it. */
import type { RunReport } from "../core/index.js";

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** An uptake status that reports a failure (`apply_error`, `sign_error`, …): not `success` or `backoff`. */
function isFailure(status: string): boolean {
  return status.endsWith("_error");
}

/**
 * What failed, one phrase per kind: ["1 recipe failed (1 apply_error)", "1 action failed
 * (BranchedAddonStudyAction apply_error)"]; none when nothing did. A filter mismatch (`backoff`) is no failure.
 */
export function failureParts(run: RunReport): string[] {
  const byStatus = new Map<string, number>();
  for (const { status } of run.recipes) if (isFailure(status)) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  const failedRecipes = [...byStatus.values()].reduce((sum, count) => sum + count, 0);
  const failedActions = Object.entries(run.actions).filter(([, status]) => isFailure(status));
  const parts: string[] = [];
  if (failedRecipes > 0)
    parts.push(
      `${plural(failedRecipes, "recipe")} failed (${[...byStatus].map(([status, count]) => `${count} ${status}`).join(", ")})`,
    );
  if (failedActions.length > 0)
    parts.push(
      `${plural(failedActions.length, "action")} failed (${failedActions.map(([name, status]) => `${name} ${status}`).join(", ")})`,
    );
  return parts;
}

/** Whether the run, or any recipe or action in it, failed. */
export function runFailed(run: RunReport): boolean {
  return run.runnerStatus !== "success" || failureParts(run).length > 0;
}
