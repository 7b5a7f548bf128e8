/**
 * The `browser.experiments.telemetry` namespace: uptake statuses, Normandy's enrollment events, experiment
 * annotations, recipe freshness and the client's own pings, recorded into Firefox's Glean (and
 * TelemetryEnvironment). Declared once
 * here; implemented by the parent script (`api.ts`) and by the in-memory fake in `test/fakes/`.
 * `schema.json` must agree (checked by `test/unit/schemas.test.ts`).
 */
import type { ParameterNames } from "../schemaContract.js";
import type { ClientPingEvent, ClientPingType } from "../../src/core/clientPingRegistry.js";
import type { NormandyEventMethod, NormandyEventObject } from "../../src/core/eventRegistry.js";
import type { HeartbeatPing } from "../../src/core/heartbeatPing.js";

export { UPTAKE_STATUSES, type UptakeStatus } from "../../src/core/uptakeStatus.js";
import type { UptakeStatus } from "../../src/core/uptakeStatus.js";

/** Experiment annotation types, as Normandy sets them (reference §6). */
export const EXPERIMENT_ANNOTATION_TYPES = [
  "normandy-exp",
  "normandy-exp-highpop",
  "normandy-addonstudy",
  "normandy-prefrollout",
  "normandy-addonrollout",
] as const;
export type ExperimentAnnotationType = (typeof EXPERIMENT_ANNOTATION_TYPES)[number];

export interface ExperimentAnnotationOptions {
  type: ExperimentAnnotationType;
  enrollmentId?: string;
}

/**
 * Uptake reports as two columns of the same length (`sources[i]` reported `statuses[i]`). A run's thousand
 * reports cross to the parent process in one call, and Firefox checks two arrays of strings against the schema
 * far faster than a thousand objects (in Firefox ESR 153, 1,001 reports: about 13 ms as objects).
 */
export interface UptakeBatch {
  sources: string[];
  statuses: UptakeStatus[];
}

/** Recipe revisions as two columns of the same length (`recipeIds[i]` is at `revisions[i]`), like UptakeBatch. */
export interface RecipeFreshnessBatch {
  recipeIds: number[];
  revisions: number[];
}

/**
 * One client ping (`clientPingRegistry.ts`), Activity Stream style: its `event`, its `value` and the type's
 * other fields, every one a string. Without a type argument, a union over the ping types.
 */
export type ClientPing<Type extends ClientPingType = ClientPingType> = Type extends ClientPingType
  ? { type: Type; event: ClientPingEvent<Type>; value: string; fields: Record<string, string> }
  : never;

export interface TelemetryApi {
  /**
   * Records each status for its source (`normandy/runner`, `normandy/recipe/<id>` or
   * `normandy/action/<ActionName>`) to the add-on's Glean uptake event, in order. One call per run: a run of
   * 1,000 recipes would otherwise cost 1,000 round trips to the parent process. Rejects, recording none, when
   * the two columns differ in length. Resolves to the event-format timestamp of the recording.
   */
  reportUptakes(batch: UptakeBatch): Promise<number>;
  /** The event-format clock: whole milliseconds since Firefox's process start. */
  msSinceProcessStart(): Promise<number>;
  /**
   * Records a Normandy event to `Glean.normandy.<camelCase(method_object)>` with `value` as the extra
   * `value`. Rejects an event outside the registry (`eventRegistry.ts`) with a message saying which part
   * is wrong and why. Resolves to the event-format timestamp of the recording.
   */
  recordEvent(
    method: NormandyEventMethod,
    object: NormandyEventObject,
    value: string,
    extra: Record<string, string>,
  ): Promise<number>;
  /**
   * Annotates the telemetry environment and Glean with an active experiment. Annotations last until
   * Firefox quits: whoever owns an enrollment sets it again at every start.
   */
  setExperimentActive(slug: string, branch: string, options: ExperimentAnnotationOptions): Promise<void>;
  setExperimentInactive(slug: string): Promise<void>;
  /**
   * Normandy's `recipe_freshness`: the revision of each recipe last seen, labeled by recipe id (one call per
   * run). Rejects, setting none, when the two columns differ in length.
   */
  setRecipeFreshness(batch: RecipeFreshnessBatch): Promise<void>;
  /**
   * Records each ping, in order, to the Glean event `recipe_client.<type>` with its fields as extras; a
   * performance ping also adds its value to the timing distribution `recipe_client.<event in lower case>`.
   * Rejects, recording none, when any ping is outside the registry. Resolves to the event-format timestamp.
   */
  recordClientPings(pings: ClientPing[]): Promise<number>;
  /**
   * Sets Firefox's own `Glean.heartbeat.*` metrics from `ping` and submits `GleanPings.heartbeat`, as
   * Normandy's Heartbeat does when a survey ends. Rejects a ping `heartbeatPing.ts` refuses, and on a
   * Firefox without the heartbeat ping.
   */
  submitHeartbeatPing(ping: HeartbeatPing): Promise<void>;
}

/** Parameter names of each function, in schema order (see `../schemaContract.ts`). */
export const TELEMETRY_API_PARAMETERS = {
  reportUptakes: ["batch"],
  msSinceProcessStart: [],
  recordEvent: ["method", "object", "value", "extra"],
  setExperimentActive: ["slug", "branch", "options"],
  setExperimentInactive: ["slug"],
  setRecipeFreshness: ["batch"],
  recordClientPings: ["pings"],
  submitHeartbeatPing: ["ping"],
} as const satisfies ParameterNames<TelemetryApi>;
