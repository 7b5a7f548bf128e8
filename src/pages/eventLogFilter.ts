/** Which rows of the QA console's event log to show: its filters, and the routine rows folded by default. */
import type { LoggedEvent } from "../stores/EventLogStore.js";

export interface EventLogCriteria {
  /** Exact category, method or object; empty means any. */
  category: string;
  method: string;
  object: string;
  /** Case-insensitive text anywhere in the row (value, extra and clock time included); empty means any. */
  text: string;
  /** Whether routine rows (uptake, run performance: several per run) are shown. */
  showRoutine: boolean;
}

export const ALL_EVENTS: EventLogCriteria = { category: "", method: "", object: "", text: "", showRoutine: false };

/** Every run records an uptake per recipe and action and a performance ping per stage: they bury the rest. */
export function isRoutineEvent([, category]: LoggedEvent): boolean {
  return category.startsWith("uptake.") || category === "recipe_client.performance";
}

/**
 * The events that pass `criteria`, in their order, and how many routine rows it folded away. `shownTime` is an
 * event's time as the row shows it (its clock time), which the text filter matches too.
 */
export function filterEvents(
  events: readonly LoggedEvent[],
  criteria: EventLogCriteria,
  shownTime: (event: LoggedEvent) => string = () => "",
): { shown: LoggedEvent[]; folded: number } {
  const text = criteria.text.trim().toLowerCase();
  let folded = 0;
  const shown = events.filter((event) => {
    const [, category, method, object] = event;
    if (criteria.category && category !== criteria.category) return false;
    if (criteria.method && method !== criteria.method) return false;
    if (criteria.object && object !== criteria.object) return false;
    if (text && !`${JSON.stringify(event)} ${shownTime(event)}`.toLowerCase().includes(text)) return false;
    // Routine rows are folded unless asked for, or unless a category was chosen (that choice says what to see).
    if (!criteria.showRoutine && !criteria.category && isRoutineEvent(event)) {
      folded += 1;
      return false;
    }
    return true;
  });
  return { shown, folded };
}

/** The distinct values of one column, sorted: what a filter's choices are. */
export function columnValues(events: readonly LoggedEvent[], column: 1 | 2 | 3): string[] {
  return [...new Set(events.map((event) => event[column]))].sort();
}

/**
 * The enrollment ids of the studies QA forced here ("Run here": a `qa` FORCED_ENROLLMENT ping names each), so that
 * every event of those enrollments can be marked "forced by QA".
 */
export function forcedEnrollmentIds(events: readonly LoggedEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const [, category, , object, , extra] of events) {
    const id = extra?.["enrollment_id"];
    if (category === "recipe_client.qa" && object === "FORCED_ENROLLMENT" && id) ids.add(id);
  }
  return ids;
}
