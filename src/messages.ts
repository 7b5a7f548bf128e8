import type { ContextSnapshot } from "./context/ClientContext.js";
import type { LoggedEvent } from "./stores/EventLogStore.js";
import type { RunReport } from "./runner/RunReport.js";

/** Messages the extension pages send to the background page, and what each answers. */
export type BackgroundRequest = { type: "run-now" } | { type: "get-state" } | { type: "get-context" };

export interface BackgroundState {
  runs: RunReport[];
  events: LoggedEvent[];
  droppedEvents: number;
}

export interface BackgroundResponses {
  "run-now": RunReport;
  "get-state": BackgroundState;
  /** Every `normandy.*` attribute, freshly computed (recipe-independent; `recipe` is not included). */
  "get-context": ContextSnapshot;
}
