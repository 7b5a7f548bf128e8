import type { StartupPrefApplication } from "../experiment-apis/prefs/interface.js";
import type { ContextSnapshot } from "./context/ClientContext.js";
import type { PreferenceExperiment } from "./stores/PreferenceExperimentStore.js";
import type { LoggedEvent } from "./stores/EventLogStore.js";
import type { RunReport } from "./runner/RunReport.js";

/** Messages the extension pages send to the background page, and what each answers. */
export type BackgroundRequest = { type: "run-now" } | { type: "get-state" } | { type: "get-context" } | { type: "get-studies" };

export interface BackgroundState {
  runs: RunReport[];
  events: LoggedEvent[];
  droppedEvents: number;
}

export interface StudiesState {
  preferenceExperiments: PreferenceExperiment[];
  /** What the prefs API re-applied at this start, before the background page ran. */
  startup: StartupPrefApplication | null;
  /** When the background page started loading (`performance.timeOrigin`, ms since the epoch). */
  backgroundStartedAt: number;
}

export interface BackgroundResponses {
  "run-now": RunReport;
  "get-state": BackgroundState;
  /** Every `normandy.*` attribute, freshly computed (recipe-independent; `recipe` is not included). */
  "get-context": ContextSnapshot;
  "get-studies": StudiesState;
}
