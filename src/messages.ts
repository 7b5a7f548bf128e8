import type { PrefValue, StartupPrefApplication } from "../experiment-apis/prefs/interface.js";
import type { ClientConfig } from "./config/ClientConfig.js";
import type { ContextSnapshot } from "./context/ClientContext.js";
import type { FilterEvaluation } from "./context/FilterPlayground.js";
import type { ConnectionCheck } from "./delivery/connectionCheck.js";
import type { AddonRollout } from "./stores/AddonRolloutStore.js";
import type { AddonStudy } from "./stores/AddonStudyStore.js";
import type { PreferenceExperiment } from "./stores/PreferenceExperimentStore.js";
import type { PreferenceRollout } from "./stores/PreferenceRolloutStore.js";
import type { LoggedEvent } from "./stores/EventLogStore.js";
import type { QuarantineNote } from "./stores/StoreQuarantine.js";
import type { SurveyRecord } from "./stores/HeartbeatStore.js";
import type { ClientStatus, EventLogSession, RunReport } from "./core/index.js";
import type { RunHereCandidates, RunHereRequest, RunHereResult, UndoResult } from "./runner/RecipeRunHere.js";

/** Messages the extension pages send to the background page, and what each answers. */
export type BackgroundRequest =
  | { type: "run-now" }
  | { type: "get-state" }
  | { type: "get-context" }
  | { type: "get-studies" }
  | { type: "get-config" }
  /** Whether the client runs, or the most restrictive reason it does not (the health ping's value). */
  | { type: "get-status" }
  | { type: "check-connection" }
  | { type: "evaluate-filter"; expression: string }
  /** Explains the filter of a recipe of the last collection that verified (the QA console's runs). */
  | { type: "explain-recipe"; recipeId: number }
  /** about:studies' "Remove": unenrolls with reason `individual-opt-out`. */
  | { type: "remove-preference-study"; slug: string }
  /** about:studies' "Remove" for an add-on study (keyed by recipe id): ends it with `individual-opt-out`, uninstalls its add-on. */
  | { type: "remove-addon-study"; recipeId: number }
  /** The QA console's heartbeat section: the published surveys and what this client did with each. */
  | { type: "get-surveys" }
  /** QA's "Show now": shows a published, verified survey at once, whatever its filter, throttle and repeatOption. */
  | { type: "show-survey"; recipeId: number }
  /** The recipes QA may run here: the last verified collection's and the server's verified previews. */
  | { type: "run-here-candidates" }
  /** QA's "Run here": one verified recipe through its real action on this client (see RecipeRunHere). */
  | { type: "run-here"; request: RunHereRequest }
  /** Undoes a forced enrollment: unenrolls with reason `qa-undo` and forgets it. */
  | { type: "undo-run-here"; slug: string };

/** A `show-heartbeat` recipe of the last verified collection. */
export interface PublishedSurvey {
  recipeId: number;
  name: string;
  surveyId: string;
  message: string;
}

export interface SurveysState {
  published: PublishedSurvey[];
  /** Every survey this client has shown, by recipe. */
  states: SurveyRecord[];
}

/**
 * What the background page broadcasts to open extension pages when something they show changed that is not
 * in storage (pages follow storage themselves through `storage.onChanged`).
 */
export type PageNotice = { type: "studies-enabled-changed" };

export interface BackgroundState {
  runs: RunReport[];
  events: LoggedEvent[];
  droppedEvents: number;
  /** The Firefox sessions of the events, for their clock times (`eventClockTimes`; see EventLogStore.read). */
  eventSessions: EventLogSession[];
  /** Stored values that were damaged and set aside, newest first (see StoreQuarantine). */
  quarantine: QuarantineNote[];
}

export interface StudiesState {
  preferenceExperiments: PreferenceExperiment[];
  /** Every preference rollout, whatever its state. */
  preferenceRollouts: PreferenceRollout[];
  /** Every add-on study, ended ones included (`pendingChange` set: an install or uninstall in progress). */
  addonStudies: AddonStudy[];
  /** Every add-on rollout, whatever its state. */
  addonRollouts: AddonRollout[];
  /** What the prefs API re-applied at this start, before the background page ran. */
  startup: StartupPrefApplication | null;
  /** When the background page started loading (`performance.timeOrigin`, ms since the epoch). */
  backgroundStartedAt: number;
  /** about:studies' "studies enabled": the runner is on and studies are allowed (opt-out pref, policy). */
  studiesEnabled: boolean;
  /** The effective value now of every pref a preference study sets (null: none), for the studies page. */
  prefValues: Record<string, PrefValue | null>;
  /** Why each ended study ended, by `endingKey(object, slug)`, while the event log still holds its unenroll event. */
  endings: Record<string, string>;
}

export interface BackgroundResponses {
  "run-now": RunReport;
  "get-state": BackgroundState;
  /** Every `normandy.*` attribute, freshly computed (recipe-independent; `recipe` is not included). */
  "get-context": ContextSnapshot;
  "get-studies": StudiesState;
  "get-config": ClientConfig;
  "get-status": ClientStatus;
  /** Whether the configured Remote Settings server answers (`<server_url>/`). */
  "check-connection": ConnectionCheck;
  /** The expression evaluated like a recipe filter against a fresh context of this client. */
  "evaluate-filter": FilterEvaluation;
  /** The recipe's filter evaluated and explained against a fresh context of this client, now. */
  "explain-recipe": FilterEvaluation;
  "remove-preference-study": null;
  "remove-addon-study": null;
  "get-surveys": SurveysState;
  "show-survey": null;
  "run-here-candidates": RunHereCandidates;
  "run-here": RunHereResult;
  "undo-run-here": UndoResult;
}
