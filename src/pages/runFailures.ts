/** What failed in a run, in words: what the popup (and the console) show beside a run's status. */
import type { RunReport, UptakeStatus } from "../core/index.js";

const failed = (status: UptakeStatus) => status.endsWith("_error");

/**
 * "2 recipes failed (apply_error, sign_error); 1 action failed (custom_1_error)." for a run with failures,
 * null for one without. A filter mismatch (`backoff`) is no failure.
 */
export function failureSummary(run: RunReport): string | null {
  const parts: string[] = [];
  const describe = (statuses: UptakeStatus[], noun: string) => {
    const failures = statuses.filter(failed);
    if (failures.length === 0) return;
    const counts = new Map<string, number>();
    for (const status of failures) counts.set(status, (counts.get(status) ?? 0) + 1);
    const detail = [...counts].map(([status, count]) => (count === 1 ? status : `${count} × ${status}`)).join(", ");
    parts.push(`${failures.length} ${noun}${failures.length === 1 ? "" : "s"} failed (${detail})`);
  };
  describe(run.recipes.map((recipe) => recipe.status), "recipe");
  describe(Object.values(run.actions), "action");
  return parts.length > 0 ? `${parts.join("; ")}.` : null;
}
