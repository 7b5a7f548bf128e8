/** The QA console: the last run's recipes with their suitability and uptake, the event log, "Run now". */
import { browser } from "../apis/browserApis.js";
import type { BackgroundRequest, BackgroundResponses, BackgroundState } from "../messages.js";

async function ask<T extends BackgroundRequest["type"]>(type: T): Promise<BackgroundResponses[T]> {
  return (await browser.runtime.sendMessage({ type } satisfies BackgroundRequest)) as BackgroundResponses[T];
}

function cell(row: HTMLTableRowElement, text: string, className?: string): void {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
}

function render(state: BackgroundState): void {
  const last = state.runs[0];
  const lastRun = document.getElementById("last-run")!;
  const recipes = document.getElementById("recipes") as HTMLTableSectionElement;
  recipes.replaceChildren();
  if (last) {
    const when = new Date(last.startedAt).toLocaleString();
    lastRun.textContent = `${when} (${last.trigger}): runner ${last.runnerStatus} in ${last.durationMs} ms${last.error ? ` — ${last.error}` : ""}`;
    for (const recipe of last.recipes) {
      const row = recipes.insertRow();
      cell(row, `${recipe.id} ${recipe.name} (rev ${recipe.revision})`);
      cell(row, recipe.action);
      cell(row, recipe.suitability);
      cell(row, recipe.status, `status-${recipe.status}`);
      cell(row, recipe.detail ?? "");
    }
  }
  const events = document.getElementById("events") as HTMLTableSectionElement;
  events.replaceChildren();
  for (const [timestamp, category, method, object, value, extra] of [...state.events].reverse()) {
    const row = events.insertRow();
    for (const text of [String(timestamp), category, method, object, value ?? "", extra ? JSON.stringify(extra) : ""]) cell(row, text);
  }
  document.getElementById("events-summary")!.textContent =
    `${state.events.length} events` + (state.droppedEvents ? `, ${state.droppedEvents} older ones dropped` : "");
}

async function refresh(): Promise<void> {
  render(await ask("get-state"));
}

/** Downloads the whole event log as a JSON file: `{exportedAt, droppedEvents, events}`. */
async function exportEventLog(): Promise<void> {
  const { events, droppedEvents } = await ask("get-state");
  const exportedAt = new Date().toISOString();
  const json = JSON.stringify({ exportedAt, droppedEvents, events }, null, 2);
  const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `recipe-client-events-${exportedAt.replace(/[:.]/g, "-")}.json`;
  link.click();
  // Revoked later: the download reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

document.getElementById("export-events")!.addEventListener("click", () => void exportEventLog());

document.getElementById("run-now")!.addEventListener("click", async () => {
  const status = document.getElementById("run-status")!;
  status.textContent = "Running…";
  const report = await ask("run-now");
  status.textContent = `Done: ${report.runnerStatus}`;
  await refresh();
});

void refresh();
