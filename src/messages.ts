import type { LoggedEvent } from "./stores/EventLogStore.js";
import type { RunReport } from "./runner/RunReport.js";

/** Messages the extension pages send to the background page, and what each answers. */
export type BackgroundRequest = { type: "run-now" } | { type: "get-state" };

export interface BackgroundState {
  runs: RunReport[];
  events: LoggedEvent[];
  droppedEvents: number;
}

export interface BackgroundResponses {
  "run-now": RunReport;
  "get-state": BackgroundState;
}
