/** The QA console's event log: every telemetry event, newest first, and its export as a JSON file. */
import type { BackgroundState } from "../messages.js";
import { askBackground } from "./askBackground.js";
import { byId, cell, element } from "./dom.js";
import { columnValues, filterEvents, forcedEnrollmentIds, type EventLogCriteria } from "./eventLogFilter.js";

const COLUMN_FILTERS = [
  ["events-category", 1],
  ["events-method", 2],
  ["events-object", 3],
] as const;

/** The last state shown, so that a change of filter re-renders without asking the background page. */
let shownState: BackgroundState | null = null;

function criteria(): EventLogCriteria {
  return {
    category: byId<HTMLSelectElement>("events-category").value,
    method: byId<HTMLSelectElement>("events-method").value,
    object: byId<HTMLSelectElement>("events-object").value,
    text: byId<HTMLInputElement>("events-text").value,
    showRoutine: byId<HTMLInputElement>("events-routine").checked,
  };
}

/** Keeps each select's choices in step with the log, and its current choice. */
function fillChoices(state: BackgroundState): void {
  for (const [id, column] of COLUMN_FILTERS) {
    const select = byId<HTMLSelectElement>(id);
    const chosen = select.value;
    const values = columnValues(state.events, column);
    if (chosen && !values.includes(chosen)) values.push(chosen);
    select.replaceChildren(new Option("any", ""), ...values.map((value) => new Option(value, value)));
    select.value = chosen;
  }
}

export function renderEvents(state: BackgroundState): void {
  shownState = state;
  fillChoices(state);
  const { shown, folded } = filterEvents(state.events, criteria());
  const rows = byId<HTMLTableSectionElement>("events");
  rows.replaceChildren();
  if (folded > 0) {
    const row = rows.insertRow();
    row.className = "folded";
    const note = cell(row, `${folded} uptake and performance row${folded === 1 ? "" : "s"} folded. `);
    note.colSpan = 6;
    const show = element("button", "", "Show them");
    show.type = "button";
    show.addEventListener("click", () => {
      byId<HTMLInputElement>("events-routine").checked = true;
      rerender();
    });
    note.append(show);
  }
  const forced = forcedEnrollmentIds(state.events);
  for (const [timestamp, category, method, object, value, extra] of [...shown].reverse()) {
    const row = rows.insertRow();
    for (const text of [String(timestamp), category, method, object, value ?? "", extra ? JSON.stringify(extra) : ""])
      cell(row, text);
    const enrollmentId = extra?.["enrollmentId"];
    if (enrollmentId && forced.has(enrollmentId)) row.cells[2]!.append(" ", element("span", "forced", "forced by QA"));
  }
  const hidden = state.events.length - shown.length;
  byId("events-summary").textContent =
    `${state.events.length} events` +
    (hidden > 0 ? ` (${shown.length} shown)` : "") +
    (state.droppedEvents ? `, ${state.droppedEvents} older ones dropped` : "");
}

function rerender(): void {
  if (shownState) renderEvents(shownState);
}

/** Re-renders the log whenever a filter changes. */
export function followEventFilters(): void {
  for (const id of ["events-category", "events-method", "events-object", "events-routine"])
    byId(id).addEventListener("change", rerender);
  byId("events-text").addEventListener("input", rerender);
}

/** Downloads the whole event log as a JSON file: `{exportedAt, droppedEvents, events}`. */
export async function exportEventLog(): Promise<void> {
  const { events, droppedEvents } = await askBackground({ type: "get-state" });
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
