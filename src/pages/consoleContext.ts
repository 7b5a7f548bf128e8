/** The QA console's client context: every `normandy.*` attribute filters can read, as computed now. */
import type { ContextSnapshot } from "../context/ClientContext.js";
import { askBackground } from "./askBackground.js";
import { byId, cell, element, errorText, say } from "./dom.js";

/** Values longer than this are folded into a disclosure, so the table stays readable (addons, telemetry). */
const FOLD_AFTER_CHARACTERS = 100;

/**
 * The one line a folded value shows: an object's keys (the ping types of `telemetry`, the ids of `addons`) and
 * its size, so QA sees what is there before opening a whole telemetry ping.
 */
function foldedSummary(value: unknown, text: string): string {
  const size = `${Math.ceil(text.length / 1024)} KB`;
  if (Array.isArray(value)) return `[${value.length} items] (${size})`;
  if (value === null || typeof value !== "object") return `${text.slice(0, FOLD_AFTER_CHARACTERS - 20)}…`;
  const keys = Object.keys(value).join(", ");
  const shown = keys.length > FOLD_AFTER_CHARACTERS ? `${keys.slice(0, FOLD_AFTER_CHARACTERS - 20)}…` : keys;
  return `{${shown}} (${size})`;
}

function valueCell(row: HTMLTableRowElement, value: unknown): void {
  const text = JSON.stringify(value) ?? "undefined";
  const td = row.insertCell();
  if (text.length <= FOLD_AFTER_CHARACTERS) {
    td.append(element("code", "", text));
    return;
  }
  const details = element("details");
  details.append(
    element("summary", "", foldedSummary(value, text)),
    element("pre", "", JSON.stringify(value, null, 2)),
  );
  td.append(details);
}

function render(snapshot: ContextSnapshot): void {
  const rows = byId<HTMLTableSectionElement>("context");
  rows.replaceChildren();
  for (const [name, reading] of Object.entries(snapshot).sort(([a], [b]) => a.localeCompare(b))) {
    const row = rows.insertRow();
    const th = element("th", "", `normandy.${name}`);
    th.scope = "row";
    row.append(th);
    if ("error" in reading) cell(row, `Error: ${reading.error}`, "error");
    else valueCell(row, reading.value);
  }
}

/** Asks the background page for a fresh snapshot (each attribute within its time limit) and shows it. */
export async function refreshContext(): Promise<void> {
  const status = byId("context-status");
  const button = byId<HTMLButtonElement>("refresh-context");
  button.disabled = true;
  say(status, "Computing…");
  try {
    render(await askBackground({ type: "get-context" }));
    say(status, `Computed at ${new Date().toLocaleTimeString()}.`);
    button.textContent = "Refresh";
  } catch (error) {
    say(status, `Cannot compute the context: ${errorText(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}
