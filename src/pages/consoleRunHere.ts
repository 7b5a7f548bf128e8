/**
 * The QA console's "Run here": pick a verified recipe (published or previewed), run it through its real action on
 * this client as is, with its filter bypassed or in a chosen branch, see what changed (prefs before and after,
 * the events recorded) and undo it. The background page takes the recipe from a verified collection, never from
 * the page.
 */
import { RUN_HERE_MODE_WORDS, type RunHereMode } from "../core/index.js";
import type { RunHereCandidate, RunHereResult } from "../runner/RecipeRunHere.js";
import { askBackground } from "./askBackground.js";
import { byId, cell, element, errorText, prefValueText, say } from "./dom.js";

let candidates: RunHereCandidate[] = [];
/** The last run here, so its undo can compare every pref with its value before the run. */
let lastRun: RunHereResult | null = null;

const SOURCE_WORDS = { published: "Published", preview: "Preview (signed draft)" } as const;

export function followRunHere(): void {
  byId("run-here-load").addEventListener("click", () => void loadCandidates());
  byId("run-here-recipe").addEventListener("change", fillBranches);
  byId("run-here-run").addEventListener("click", () => void runHere());
  byId("run-here-undo").addEventListener("click", () => void undo());
}

async function loadCandidates(): Promise<void> {
  const loaded = byId("run-here-loaded");
  say(loaded, "Loading and verifying…");
  try {
    const answer = await askBackground({ type: "run-here-candidates" });
    candidates = answer.candidates;
    const select = byId<HTMLSelectElement>("run-here-recipe");
    select.replaceChildren(
      ...candidates.map((recipe, index) => {
        const label = `${SOURCE_WORDS[recipe.source]} · ${recipe.id} ${recipe.name} (${recipe.action}, revision ${recipe.revision})`;
        const option = new Option(recipe.unsupported ? `${label}: ${recipe.unsupported}` : label, String(index));
        option.disabled = recipe.unsupported !== null;
        return option;
      }),
    );
    const firstRunnable = candidates.findIndex((recipe) => recipe.unsupported === null);
    if (firstRunnable >= 0) select.value = String(firstRunnable);
    fillBranches();
    byId("run-here-form").hidden = candidates.length === 0;
    const refused = byId("run-here-refused");
    refused.replaceChildren(
      ...answer.refusedPreviews.map(({ id, name, reason }) =>
        element("li", "", `Preview of recipe ${id} ${name} refused, it will not run: ${reason}`),
      ),
      ...(answer.previewError ? [element("li", "", `Preview collection refused: ${answer.previewError}`)] : []),
    );
    const published = candidates.filter(({ source }) => source === "published").length;
    say(
      loaded,
      candidates.length === 0
        ? "No verified recipe: run once (Run now) for the published ones, or sign a preview on the server."
        : `${published} published and ${candidates.length - published} previewed recipe${candidates.length - published === 1 ? "" : "s"}, all verified.`,
      candidates.length === 0 ? "error" : "ok",
    );
  } catch (error) {
    say(loaded, `Cannot load the recipes: ${errorText(error)}`, "error");
  }
}

function chosen(): RunHereCandidate | undefined {
  return candidates[Number(byId<HTMLSelectElement>("run-here-recipe").value)];
}

function fillBranches(): void {
  const branches = chosen()?.branches ?? [];
  const select = byId<HTMLSelectElement>("run-here-branch");
  select.replaceChildren(...branches.map((slug) => new Option(slug, slug)));
  select.disabled = branches.length === 0;
  const branchMode = document.querySelector<HTMLInputElement>('input[name="run-here-mode"][value="BRANCH_CHOSEN"]')!;
  branchMode.disabled = branches.length === 0;
  if (branchMode.disabled && branchMode.checked)
    document.querySelector<HTMLInputElement>('input[name="run-here-mode"][value="AS_IS"]')!.checked = true;
}

async function runHere(): Promise<void> {
  const recipe = chosen();
  if (!recipe) return;
  const mode = document.querySelector<HTMLInputElement>('input[name="run-here-mode"]:checked')!.value as RunHereMode;
  const branch = mode === "BRANCH_CHOSEN" ? byId<HTMLSelectElement>("run-here-branch").value : undefined;
  const status = byId("run-here-status");
  const button = byId<HTMLButtonElement>("run-here-run");
  button.disabled = true;
  say(status, `Running recipe ${recipe.id} here ${RUN_HERE_MODE_WORDS[mode]}…`);
  try {
    const result = await askBackground({
      type: "run-here",
      request: { source: recipe.source, recipeId: recipe.id, mode, ...(branch === undefined ? {} : { branch }) },
    });
    lastRun = result;
    say(status, summary(result), result.status === "success" && !result.warning ? "ok" : "error");
    showChanges(result);
    const undoButton = byId("run-here-undo");
    undoButton.hidden = result.study === null;
    undoButton.dataset["slug"] = result.study?.slug ?? "";
  } catch (error) {
    say(status, `Not run: ${errorText(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}

function summary(result: RunHereResult): string {
  const { recipe, study } = result;
  const what = `Recipe ${recipe.id} ${recipe.name} (${result.source}, revision ${recipe.revision}) ran here ${RUN_HERE_MODE_WORDS[result.mode]}: ${result.status}`;
  const why = result.detail ? ` (${result.detail})` : "";
  // A rollout has no branch (n/a).
  const where = study?.branch === "n/a" ? "" : `, branch ${study?.branch}`;
  const enrolled = study
    ? `. Enrolled in ${study.slug}${where}, forced by QA (enrollment ${study.enrollmentId}).`
    : ". No study enrolled.";
  return `${what}${why}${enrolled}${result.warning ? ` Warning: ${result.warning}.` : ""}`;
}

async function undo(): Promise<void> {
  const button = byId<HTMLButtonElement>("run-here-undo");
  const slug = button.dataset["slug"] ?? "";
  const status = byId("run-here-status");
  button.disabled = true;
  try {
    const result = await askBackground({ type: "undo-run-here", slug });
    // Back as before means: each pref's value now is the one it had before the run here (known only when this
    // page made that run: after a reload there is nothing to compare with, and nothing is claimed).
    const compared = lastRun?.study?.slug === slug ? lastRun : null;
    const before = new Map(compared?.prefs.map((pref) => [pref.name, pref]));
    const differing = result.prefs.filter(({ name, after, defaultAfter }) => {
      const was = before.get(name);
      return was !== undefined && (was.before !== after || was.defaultBefore !== defaultAfter);
    });
    const prefsNote =
      result.prefs.length === 0 || compared === null
        ? ""
        : differing.length === 0
          ? ", every pref back as before the run here"
          : `, but ${differing.map(({ name }) => name).join(", ")} differ from before the run here (changed by the user meanwhile?)`;
    const removed = result.addons.filter(({ after }) => after === null).map(({ id }) => id);
    const addonsNote = removed.length === 0 ? "" : `, add-on ${removed.join(", ")} uninstalled`;
    say(
      status,
      `Undone: unenrolled from ${slug} (reason qa-undo)${prefsNote}${addonsNote}.` +
        (result.warning ? ` Warning: ${result.warning}.` : ""),
      differing.length === 0 && !result.warning ? "ok" : "error",
    );
    showChanges(result);
    button.hidden = true;
  } catch (error) {
    say(status, `Cannot undo: ${errorText(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}

function showChanges({ prefs, addons, events }: Pick<RunHereResult, "prefs" | "addons" | "events">): void {
  byId("run-here-result").hidden = false;
  const prefRows = byId<HTMLTableSectionElement>("run-here-prefs");
  prefRows.replaceChildren();
  for (const { name, before, after, defaultBefore, defaultAfter } of prefs) {
    const row = prefRows.insertRow();
    const changed = before !== after || defaultBefore !== defaultAfter;
    if (changed) row.className = "changed";
    for (const text of [
      name,
      prefValueText(before),
      prefValueText(after),
      prefValueText(defaultBefore),
      prefValueText(defaultAfter),
    ])
      cell(row, text);
    cell(row, changed ? "changed" : "unchanged");
  }
  byId("run-here-prefs-table").hidden = prefs.length === 0;
  byId("run-here-addons-table").hidden = addons.length === 0;
  const addonRows = byId<HTMLTableSectionElement>("run-here-addons");
  addonRows.replaceChildren();
  for (const { id, name, before, after } of addons) {
    const row = addonRows.insertRow();
    for (const text of [`${name} (${id})`, before ?? "(not installed)", after ?? "(not installed)"]) cell(row, text);
  }
  const eventRows = byId<HTMLTableSectionElement>("run-here-events");
  eventRows.replaceChildren();
  for (const [, category, method, object, value, extra] of events) {
    const row = eventRows.insertRow();
    for (const text of [category, method, object, value ?? "", extra ? JSON.stringify(extra) : ""]) cell(row, text);
  }
}
