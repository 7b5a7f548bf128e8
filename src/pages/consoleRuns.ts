/** The QA console's recent runs: each run's outcome, and per recipe its suitability, uptake status and reason. */
import type { RunReport } from "../runner/RunReport.js";
import { byId, cell, element } from "./dom.js";

/** Runs the user opened or closed, by start time, kept across re-renders; others: only the newest is open. */
const userChoice = new Map<number, boolean>();

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** An uptake status that reports a failure (`apply_error`, `sign_error`, …): not `success` or `backoff`. */
function isFailure(status: string): boolean {
  return status.endsWith("_error");
}

/**
 * "3 recipes, 1 matched", then what failed, if anything: "; 1 recipe failed (1 apply_error); 1 action failed
 * (branched-addon-study apply_error)". The runner's own status can be `success` while a recipe failed.
 */
export function recipeCount(run: RunReport): string {
  const matched = run.recipes.filter((recipe) => recipe.suitability === "filter-match").length;
  return `${plural(run.recipes.length, "recipe")}, ${matched} matched${failureSummary(run)}`;
}

function failureSummary(run: RunReport): string {
  const byStatus = new Map<string, number>();
  for (const { status } of run.recipes) if (isFailure(status)) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  const failedRecipes = [...byStatus.values()].reduce((sum, count) => sum + count, 0);
  const failedActions = Object.entries(run.actions).filter(([, status]) => isFailure(status));
  const parts: string[] = [];
  if (failedRecipes > 0) parts.push(`${plural(failedRecipes, "recipe")} failed (${[...byStatus].map(([status, count]) => `${count} ${status}`).join(", ")})`);
  if (failedActions.length > 0) parts.push(`${plural(failedActions.length, "action")} failed (${failedActions.map(([name, status]) => `${name} ${status}`).join(", ")})`);
  return parts.map((part) => `; ${part}`).join("");
}

/** Whether the run, or any recipe or action in it, failed. */
export function runFailed(run: RunReport): boolean {
  return run.runnerStatus !== "success" || run.recipes.some((recipe) => isFailure(recipe.status)) || Object.values(run.actions).some(isFailure);
}

function runSummary(run: RunReport): string {
  const when = new Date(run.startedAt).toLocaleString();
  const error = run.error ? ` — ${run.error}` : "";
  return `${when} (${run.trigger}): runner ${run.runnerStatus} in ${run.durationMs} ms, ${recipeCount(run)}${error}`;
}

function recipeTable(run: RunReport): HTMLTableElement {
  const table = element("table");
  table.createCaption().textContent = "Recipes of this run";
  const header = table.createTHead().insertRow();
  for (const title of ["Recipe", "Action", "Suitability", "Uptake", "Why"]) {
    const th = element("th", "", title);
    th.scope = "col";
    header.append(th);
  }
  const body = table.createTBody();
  for (const recipe of run.recipes) {
    const row = body.insertRow();
    cell(row, `${recipe.id} ${recipe.name} (rev ${recipe.revision})`);
    cell(row, recipe.action);
    cell(row, recipe.suitability, `suitability-${recipe.suitability}`);
    cell(row, recipe.status, `status-${recipe.status}`);
    cell(row, recipe.detail ?? "");
  }
  if (run.recipes.length === 0) cell(body.insertRow(), "No recipes in this run.").colSpan = 5;
  return table;
}

function runDetails(run: RunReport, newest: boolean): HTMLDetailsElement {
  const details = element("details", "run");
  details.open = userChoice.get(run.startedAt) ?? newest;
  // A successful runner with a failed recipe is not shown as a success.
  const summary = element("summary", run.runnerStatus === "success" && runFailed(run) ? "run-failures" : `status-${run.runnerStatus}`, runSummary(run));
  // A click (or Enter/Space) on the summary toggles after this listener: remember the state it leads to.
  summary.addEventListener("click", () => userChoice.set(run.startedAt, !details.open));
  details.append(summary);
  // Reports stored before stage timing existed have none.
  const stages = Object.entries(run.stages ?? {}).filter(([, ms]) => ms > 0);
  if (stages.length > 0) details.append(element("p", "note", `Time: ${stages.map(([stage, ms]) => `${stage} ${ms} ms`).join(" · ")}`));
  const actions = Object.entries(run.actions);
  if (actions.length > 0) details.append(element("p", "note", `Actions: ${actions.map(([name, status]) => `${name} ${status}`).join(" · ")}`));
  details.append(recipeTable(run));
  return details;
}

/** Renders `runs` (newest first); the newest is open unless the user closed it. */
export function renderRuns(runs: RunReport[]): void {
  byId("runs-empty").hidden = runs.length > 0;
  byId("runs").replaceChildren(...runs.map((run, index) => runDetails(run, index === 0)));
}
