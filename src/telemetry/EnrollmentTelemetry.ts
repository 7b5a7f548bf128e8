/**
 * What actions report about enrollments, in Normandy's terms (reference §6): telemetry events of category
 * `normandy` and the telemetry-environment experiment annotations. Actions and stores depend on this
 * interface only; the implementation (`EnrollmentTelemetryRecorder`) records to Glean through the telemetry
 * experiment API and appends every event to the local event log (and so to the intake).
 */
import type { NormandyEventExtraKey, NormandyEventMethod, NormandyEventObject } from "../core/index.js";
import type { ExperimentAnnotationOptions } from "../../experiment-apis/telemetry/interface.js";

export type { ExperimentAnnotationType } from "../../experiment-apis/telemetry/interface.js";

/** The registry's methods (`src/core/eventRegistry.ts`). */
export type EnrollmentEventMethod = NormandyEventMethod;
/** The objects `Method` is recorded for; all objects when no method is given. */
export type EnrollmentEventObject<Method extends EnrollmentEventMethod = EnrollmentEventMethod> =
  NormandyEventObject<Method>;
/** The extras `Method` may carry; every value a string. */
export type EnrollmentEventExtra<Method extends EnrollmentEventMethod = EnrollmentEventMethod> = Partial<
  Record<NormandyEventExtraKey<Method>, string>
>;

/**
 * Stands in for an enrollment id once telemetry upload has been turned off (Normandy's
 * `TelemetryEvents.NO_ENROLLMENT_ID_MARKER`); stores replace their ids with it and report missing ids as it.
 */
export const NO_ENROLLMENT_ID_MARKER = "__NO_ENROLLMENT_ID__";

export interface EnrollmentTelemetry {
  /**
   * Records one event. `value` is the study or rollout slug (at most 80 characters). An event outside the
   * registry (unknown method, object or extra key, or an extra that is not a string, as Normandy's
   * TelemetryEvents refuses null extras) is a programming error: it throws and nothing is recorded.
   */
  recordEvent<Method extends EnrollmentEventMethod>(
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void>;
  /**
   * Records the success event of an add-on change that a crash interrupted, unless the event log's newest
   * event for this object and value already is this very event (recorded just before the crash, when only
   * clearing the pending change was left). What start-up repair calls, so the event is recorded once.
   */
  recordEventOnce<Method extends EnrollmentEventMethod>(
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void>;
  /** Not persisted by Firefox: set again for every active enrollment at each start. */
  setExperimentActive(slug: string, branch: string, options: ExperimentAnnotationOptions): Promise<void>;
  setExperimentInactive(slug: string): Promise<void>;
}
