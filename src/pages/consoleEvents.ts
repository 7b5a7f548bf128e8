/**
 * The QA console's event log: every telemetry event, newest first, at its clock time and its ms since start,
 * and its export as a JSON file.
 */
import { eventClockTimes } from "../core/index.js";
import type { BackgroundState } from "../messages.js";
import type { LoggedEvent } from "../stores/EventLogStore.js";
import { askBackground } from "./askBackground.js";
import { byId, cell, element, formatTime } from "./dom.js";
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

interface ClockTime {
  time: number;
  text: string;
}

/** Each event's clock time and how it is shown, by event (null: unknown). */
function clockTimes({ events, droppedEvents, eventSessions }: BackgroundState): Map<LoggedEvent, ClockTime | null> {
  const times = eventClockTimes(events, droppedEvents, eventSessions);
  return new Map(
    events.map((event, index) => {
      const time = times[index]!;
      return [event, time === null ? null : { time, text: formatTime(time, { seconds: true }) }];
    }),
  );
}

/** The time cell: the clock time, then the event's own timestamp (ms since its Firefox process started). */
function timeCell(row: HTMLTableRowElement, timestamp: number, clockTime: ClockTime | null): void {
  const td = row.insertCell();
  td.className = "event-time";
  if (clockTime === null) {
    td.append(element("span", "muted", "Time unknown"));
    td.title = "Logged in a Firefox session whose start the log does not know (before it kept them)";
  } else {
    const time = element("time", "", clockTime.text);
    time.dateTime = new Date(clockTime.time).toISOString();
    td.append(time);
  }
  td.append(" ", element("span", "muted since-start", `(${timestamp.toLocaleString()} ms after start)`));
}

export function renderEvents(state: BackgroundState): void {
  shownState = state;
  fillChoices(state);
  const times = clockTimes(state);
  const { shown, folded } = filterEvents(state.events, criteria(), (event) => times.get(event)?.text ?? "");
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
  for (const event of [...shown].reverse()) {
    const [timestamp, category, method, object, value, extra] = event;
    const row = rows.insertRow();
    timeCell(row, timestamp, times.get(event) ?? null);
    // Values are identifiers too (a slug, a status, a listed word; at most 80 characters): kept whole as well.
    for (const text of [category, method, object, value ?? ""]) cell(row, text, "event-name");
    cell(row, extra ? JSON.stringify(extra) : "");
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

/**
 * Downloads the whole event log as a JSON file: `{exportedAt, droppedEvents, eventSessions, events}` (the
 * sessions turn the timestamps into clock times, see eventSessions.ts).
 */
export async function exportEventLog(): Promise<void> {
  const { events, droppedEvents, eventSessions } = await askBackground({ type: "get-state" });
  const exportedAt = new Date().toISOString();
  const json = JSON.stringify({ exportedAt, droppedEvents, eventSessions, events }, null, 2);
  const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `recipe-client-events-${exportedAt.replace(/[:.]/g, "-")}.json`;
  link.click();
  // Revoked later: the download reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
