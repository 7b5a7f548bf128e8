/** The QA console's event log: every telemetry event, newest first, and its export as a JSON file. */
import type { BackgroundState } from "../messages.js";
import { askBackground } from "./askBackground.js";
import { byId, cell } from "./dom.js";

export function renderEvents(state: BackgroundState): void {
  const rows = byId<HTMLTableSectionElement>("events");
  rows.replaceChildren();
  for (const [timestamp, category, method, object, value, extra] of [...state.events].reverse()) {
    const row = rows.insertRow();
    for (const text of [String(timestamp), category, method, object, value ?? "", extra ? JSON.stringify(extra) : ""]) cell(row, text);
  }
  byId("events-summary").textContent =
    `${state.events.length} events` + (state.droppedEvents ? `, ${state.droppedEvents} older ones dropped` : "");
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
