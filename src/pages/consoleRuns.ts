/** The QA console's recent runs: each run's outcome, and per recipe its suitability, uptake status and reason. */
import type { RecipeReport, RunReport } from "../core/index.js";
import { askBackground } from "./askBackground.js";
import { byId, cell, element, errorText, formatTime } from "./dom.js";
import { explanationBlock } from "./explanationTree.js";
import { failureParts, runFailed } from "./runFailures.js";

/** Runs the user opened or closed, by start time, kept across re-renders; others: only the newest is open. */
const userChoice = new Map<number, boolean>();

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`;

/**
 * "3 recipes, 1 matched", then what failed, if anything: "; 1 recipe failed (1 apply_error); 1 action failed
 * (branched-addon-study apply_error)". The runner's own status can be `success` while a recipe failed.
 */
export function recipeCount(run: RunReport): string {
  const matched = run.recipes.filter((recipe) => recipe.suitability === "filter-match").length;
  return `${plural(run.recipes.length, "recipe")}, ${matched} matched${failureParts(run)
    .map((part) => `; ${part}`)
    .join("")}`;
}

function runSummary(run: RunReport): string {
  const when = formatTime(run.startedAt);
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
    row.dataset.recipeKey = explanationKey(run, recipe);
    const why = cell(row, recipe.detail ?? "");
    if (recipe.suitability.startsWith("filter-")) why.append(explainButton(run, recipe));
    const explanation = explanations.get(explanationKey(run, recipe));
    if (explanation) explanationRow(body, explanation, row.cells.length);
  }
  if (run.recipes.length === 0) cell(body.insertRow(), "No recipes in this run.").colSpan = 5;
  return table;
}

/**
 * The explanations asked for, by run and recipe: what each explanation row shows. Kept across re-renders (the
 * runs are drawn anew whenever storage changes, which a run's telemetry does right after it).
 */
const explanations = new Map<string, HTMLElement[]>();
const explanationKey = (run: RunReport, recipe: RecipeReport) => `${run.startedAt}:${recipe.id}`;

/** "Explain filter", for a recipe whose suitability its filter decided. */
function explainButton(run: RunReport, recipe: RecipeReport): HTMLButtonElement {
  const button = element("button", "explain", "Explain filter");
  button.setAttribute("aria-label", `Explain the filter of recipe ${recipe.id}`);
  button.addEventListener("click", () => void explain(run, recipe, button));
  return button;
}

/** A row under the recipe's, with what `explanations` holds for it. */
function explanationRow(body: HTMLTableSectionElement, contents: HTMLElement[], columns: number): void {
  const row = body.insertRow();
  row.className = "explanation-row";
  const target = row.insertCell();
  target.colSpan = columns;
  target.append(...contents);
}

/** Explains the recipe's filter (evaluated now, against this client) and shows it under the recipe's row. */
async function explain(run: RunReport, recipe: RecipeReport, button: HTMLButtonElement): Promise<void> {
  const key = explanationKey(run, recipe);
  const show = (contents: HTMLElement[]) => {
    explanations.set(key, contents);
    // Drawn under the recipe's row as the page shows it now: a re-render may have replaced the one clicked.
    const row = document.querySelector<HTMLTableRowElement>(`tr[data-recipe-key="${key}"]`);
    if (!row) return;
    if (row.nextElementSibling?.classList.contains("explanation-row")) row.nextElementSibling.remove();
    const body = row.parentElement as HTMLTableSectionElement;
    explanationRow(body, contents, row.cells.length);
    row.after(body.lastElementChild!);
  };
  show([element("p", "note", `Filter of recipe ${recipe.id}, evaluated now against this client…`)]);
  button.disabled = true;
  try {
    const evaluation = await askBackground({ type: "explain-recipe", recipeId: recipe.id });
    const heading = element("p", "note", `Filter of recipe ${recipe.id}, evaluated now against this client:`);
    if (evaluation.explanation) show([heading, explanationBlock(evaluation.explanation)]);
    else show([heading, element("p", "error", evaluation.ok ? "No explanation." : evaluation.error)]);
  } catch (error) {
    show([element("p", "error", `Cannot explain: ${errorText(error)}`)]);
  } finally {
    button.disabled = false;
  }
}

function runDetails(run: RunReport, newest: boolean): HTMLDetailsElement {
  const details = element("details", "run");
  details.open = userChoice.get(run.startedAt) ?? newest;
  // A successful runner with a failed recipe is not shown as a success.
  const summary = element(
    "summary",
    run.runnerStatus === "success" && runFailed(run) ? "run-failures" : `status-${run.runnerStatus}`,
    runSummary(run),
  );
  // A click (or Enter/Space) on the summary toggles after this listener: remember the state it leads to.
  summary.addEventListener("click", () => userChoice.set(run.startedAt, !details.open));
  details.append(summary);
  // Reports stored before stage timing existed have none.
  const stages = Object.entries(run.stages ?? {}).filter(([, ms]) => ms > 0);
  if (stages.length > 0)
    details.append(element("p", "note", `Time: ${stages.map(([stage, ms]) => `${stage} ${ms} ms`).join(" · ")}`));
  const actions = Object.entries(run.actions);
  if (actions.length > 0)
    details.append(
      element("p", "note", `Actions: ${actions.map(([name, status]) => `${name} ${status}`).join(" · ")}`),
    );
  for (const [name, { step, message }] of Object.entries(run.actionFailures ?? {})) {
    details.append(element("p", "error", `${name} failed in ${step}: ${message}`));
  }
  details.append(recipeTable(run));
  return details;
}

/** Renders `runs` (newest first); the newest is open unless the user closed it. */
export function renderRuns(runs: RunReport[]): void {
  byId("runs-empty").hidden = runs.length > 0;
  byId("runs").replaceChildren(...runs.map((run, index) => runDetails(run, index === 0)));
}
