/**
 * The QA console: "Run now" with progress, the recent runs (each recipe's suitability, uptake and why), "Run
 * here" (one verified recipe on this client, undoable), a filter playground, the client context, the heartbeat surveys (state, "Show now"), the event log with
 * export, and the configuration with a connection check. Runs and events follow changes live.
 */
import { askBackground } from "./askBackground.js";
import { checkConnection, refreshConfig } from "./consoleConfig.js";
import { refreshContext } from "./consoleContext.js";
import { exportEventLog, followEventFilters, renderEvents } from "./consoleEvents.js";
import { evaluateExample, evaluatePlayground } from "./consolePlayground.js";
import { renderQuarantine } from "./consoleQuarantine.js";
import { recipeCount, renderRuns } from "./consoleRuns.js";
import { runFailed } from "./runFailures.js";
import { followRunHere } from "./consoleRunHere.js";
import { refreshSurveys } from "./consoleSurveys.js";
import { byId, errorText, say } from "./dom.js";
import { followChanges } from "./followChanges.js";

async function refreshState(): Promise<void> {
  const state = await askBackground({ type: "get-state" });
  renderQuarantine(state.quarantine);
  renderRuns(state.runs);
  renderEvents(state);
  await refreshSurveys();
}

/** Starts a run and shows progress until its report is back ("Done: <runner status>"). */
async function runNow(): Promise<void> {
  const button = byId<HTMLButtonElement>("run-now");
  const progress = byId("run-progress");
  const status = byId("run-status");
  button.disabled = true;
  progress.hidden = false;
  say(status, "Running…");
  try {
    const report = await askBackground({ type: "run-now" });
    say(
      status,
      `Done: ${report.runnerStatus} in ${report.durationMs} ms, ${recipeCount(report)}.`,
      runFailed(report) ? "error" : "ok",
    );
  } catch (error) {
    say(status, `Failed: ${errorText(error)}`, "error");
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
  await refreshState();
}

byId("run-now").addEventListener("click", () => void runNow());
byId("export-events").addEventListener("click", () => void exportEventLog());
followEventFilters();
followRunHere();
byId("refresh-context").addEventListener("click", () => void refreshContext());
byId("check-connection").addEventListener("click", () => void checkConnection());
byId("evaluate-filter").addEventListener("click", () => void evaluatePlayground());
byId("playground-examples").addEventListener("click", evaluateExample);
byId("filter-expression").addEventListener("keydown", (event) => {
  // Ctrl+Enter evaluates, as in most playgrounds; Enter alone adds a line.
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    void evaluatePlayground();
  }
});

followChanges(refreshState);
void refreshState();
void refreshConfig();
// The context is computed on request only: it asks Firefox and the server (classify-client) for everything.
