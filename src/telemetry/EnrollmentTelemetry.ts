/**
 * What actions report about enrollments, in Normandy's terms (reference §6): telemetry events of category
 * `normandy` and the telemetry-environment experiment annotations. Actions and stores depend on this
 * interface only; the implementation records to Glean through the telemetry experiment API and appends
 * every event to the local event log (and so to the intake).
 */
export type EnrollmentEventMethod =
  | "enroll"
  | "enrollFailed"
  | "update"
  | "updateFailed"
  | "unenroll"
  | "unenrollFailed"
  | "graduate"
  | "expPrefChanged";

export type EnrollmentEventObject =
  | "preference_study"
  | "addon_study"
  | "preference_rollout"
  | "addon_rollout"
  | "preference_rollback"
  | "addon_rollback";

/** Annotation types, as Normandy sets them (`normandy-exp`, `normandy-addonstudy`, …). */
export type ExperimentAnnotationType =
  | "normandy-exp"
  | "normandy-exp-highpop"
  | "normandy-addonstudy"
  | "normandy-prefrollout"
  | "normandy-addonrollout";

export interface EnrollmentTelemetry {
  /**
   * Records one event. `value` is the study or rollout slug; `extra` values are strings (a missing value is
   * a programming error and throws, as Normandy's TelemetryEvents does).
   */
  recordEvent(
    method: EnrollmentEventMethod,
    object: EnrollmentEventObject,
    value: string,
    extra: Record<string, string>,
  ): Promise<void>;
  setExperimentActive(slug: string, branch: string, options: { type: ExperimentAnnotationType; enrollmentId?: string }): Promise<void>;
  setExperimentInactive(slug: string): Promise<void>;
}
