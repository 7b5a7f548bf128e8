/**
 * The toolbar button's popup: the client's state at a glance (running or why not, the last run and its
 * failures, active studies and rollouts), Run now, and links that open the studies page and the QA console
 * in a new tab (a popup cannot navigate itself to one).
 */
import { browser } from "../apis/browserApis.js";
import type { ClientStatus, RunReport } from "../core/index.js";
import type { StudiesState } from "../messages.js";
import { RUN_HERE_MODE_WORDS, type ForcedEnrollment } from "../core/index.js";
import { askBackground } from "./askBackground.js";
import { byId, element, errorText, formatTime, say } from "./dom.js";
import { followChanges } from "./followChanges.js";
import { failureParts } from "./runFailures.js";

const STATUS_TEXT: Record<ClientStatus, string> = {
  ENABLED: "Running: recipes are fetched, verified and applied.",
  OPTED_OUT: "Studies are turned off (app.shield.optoutstudies.enabled is false): only rollouts run.",
  NOT_CONFIGURED: "Not configured: no trusted root (extensions.recipeclient.root_hash), so nothing runs.",
  DISABLED_BY_POLICY: "Studies are disabled by an enterprise policy: only rollouts run.",
  DISABLED_BY_PREF: "Off: extensions.recipeclient.enabled is false.",
};

function renderStatus(status: ClientStatus): void {
  say(byId("client-status"), STATUS_TEXT[status], status === "ENABLED" ? "ok" : "error");
}

function renderLastRun(run: RunReport | undefined): void {
  const target = byId("last-run");
  if (!run) {
    say(target, "No run yet.");
    return;
  }
  const parts = failureParts(run);
  const failures = parts.length > 0 ? `${parts.join("; ")}.` : null;
  const recipes = `${run.recipes.length} recipe${run.recipes.length === 1 ? "" : "s"}`;
  const text = `${formatTime(run.startedAt)} (${run.trigger}): ${run.runnerStatus}, ${recipes}. ${failures ?? "No failures."}`;
  say(target, text, failures || run.runnerStatus !== "success" ? "error" : "");
}

/** QA's forced enrollments say so here too. */
function forcedNote(forced: ForcedEnrollment | undefined): string {
  return forced ? `, forced by QA ${RUN_HERE_MODE_WORDS[forced.mode]}` : "";
}

function renderEnrollments(state: StudiesState): void {
  const active = [
    ...state.preferenceExperiments
      .filter((study) => !study.expired)
      .map((study) => `Preference study ${study.slug} (${study.branch})${forcedNote(study.forced)}`),
    ...state.addonStudies
      .filter((study) => study.active)
      .map((study) => `Add-on study ${study.slug} (${study.branch})${forcedNote(study.forced)}`),
    ...state.preferenceRollouts
      .filter((rollout) => rollout.state === "active")
      .map((rollout) => `Preference rollout ${rollout.slug}${forcedNote(rollout.forced)}`),
    ...state.addonRollouts
      .filter((rollout) => rollout.state === "active")
      .map((rollout) => `Add-on rollout ${rollout.slug}`),
  ];
  const list = byId("enrollments");
  list.replaceChildren(
    ...(active.length > 0 ? active : ["No active study or rollout."]).map((text) => element("li", "", text)),
  );
}

async function refresh(): Promise<void> {
  const [status, state, studies] = await Promise.all([
    askBackground({ type: "get-status" }),
    askBackground({ type: "get-state" }),
    askBackground({ type: "get-studies" }),
  ]);
  renderStatus(status);
  renderLastRun(state.runs[0]);
  renderEnrollments(studies);
}

async function runNow(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  say(byId("run-status"), "Running…");
  try {
    const report = await askBackground({ type: "run-now" });
    say(byId("run-status"), `Done: ${report.runnerStatus}.`, report.runnerStatus === "success" ? "ok" : "error");
  } catch (error) {
    say(byId("run-status"), `Failed: ${errorText(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}

for (const link of document.querySelectorAll<HTMLAnchorElement>("a[href]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    void browser.tabs.create({ url: link.href }).then(() => window.close());
  });
}
const runButton = byId<HTMLButtonElement>("run-now");
runButton.addEventListener("click", () => void runNow(runButton));
// The run history, studies and rollouts live in storage: the popup follows them as the console does.
followChanges(refresh);
void refresh().catch((error: unknown) =>
  say(byId("client-status"), `Cannot read the client's state: ${errorText(error)}`, "error"),
);
