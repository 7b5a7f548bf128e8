/**
 * The registry of Normandy's telemetry events (category `normandy`): for each method, the objects it is
 * recorded for and the extra keys it may carry (`normandy-client-reference.md` §6; Firefox's
 * `toolkit/components/normandy/metrics.yaml`, where every object of a method shares the method's extra
 * keys). Pure data, imported by the parent script and by `src/`, so both refuse exactly the same events.
 * On ESR 153 every method × object pair below exists as a compiled `Glean.normandy.*` event metric.
 */
export const NORMANDY_EVENT_CATEGORY = "normandy";

export const NORMANDY_EVENTS = {
  enroll: {
    objects: ["preference_study", "addon_study", "preference_rollout", "addon_rollout", "nimbus_experiment"],
    extraKeys: ["experimentType", "branch", "addonId", "addonVersion"],
  },
  enrollFailed: {
    objects: ["addon_study", "preference_rollout", "preference_study", "addon_rollout", "nimbus_experiment"],
    extraKeys: ["reason", "preference", "detail", "branch", "addonId", "conflictingSlug", "enrollmentId", "prefBranch"],
  },
  update: {
    objects: ["addon_study", "preference_rollout", "addon_rollout", "nimbus_experiment"],
    extraKeys: ["previousState", "addonId", "addonVersion", "branch", "enrollmentId"],
  },
  updateFailed: {
    objects: ["addon_study", "addon_rollout"],
    extraKeys: ["reason", "detail", "branch", "enrollmentId"],
  },
  unenroll: {
    objects: ["preference_study", "addon_study", "preference_rollback", "addon_rollback", "nimbus_experiment"],
    extraKeys: [
      "reason",
      "didResetValue",
      "addonId",
      "addonVersion",
      "branch",
      "enrollmentId",
      "changedPref",
      "conflictingSlug",
      "prefName",
      "prefType",
    ],
  },
  unenrollFailed: {
    objects: ["preference_rollback", "preference_study", "addon_rollback", "nimbus_experiment"],
    extraKeys: ["reason", "enrollmentId", "changedPref", "caller", "originalReason"],
  },
  graduate: {
    objects: ["preference_rollout"],
    extraKeys: ["reason", "enrollmentId"],
  },
  expPrefChanged: {
    objects: ["preference_study"],
    // reason is "observer", "sideload" or "onEnroll".
    extraKeys: ["preferenceName", "reason", "enrollmentId"],
  },
  validationFailed: {
    objects: ["nimbus_experiment"],
    extraKeys: ["reason", "branch", "feature", "locale", "l10n_ids"],
  },
} as const satisfies Record<string, { objects: readonly string[]; extraKeys: readonly string[] }>;

export type NormandyEventMethod = keyof typeof NORMANDY_EVENTS;
/** The objects `Method` is recorded for (all objects when `Method` is the whole union). */
export type NormandyEventObject<Method extends NormandyEventMethod = NormandyEventMethod> =
  (typeof NORMANDY_EVENTS)[Method]["objects"][number];
export type NormandyEventExtraKey<Method extends NormandyEventMethod = NormandyEventMethod> =
  (typeof NORMANDY_EVENTS)[Method]["extraKeys"][number];

/**
 * The event's `value` (the study or rollout slug) travels as the extra key `value`, as Normandy's
 * TelemetryEvents does; callers never pass it among the extras.
 */
export const VALUE_EXTRA_KEY = "value";

/** Longest `value` accepted: Legacy Telemetry's limit, which Normandy's events were defined under. */
export const EVENT_VALUE_MAX_LENGTH = 80;

/** Glean's limit for one extra value, in UTF-8 bytes; longer values are truncated to fit. */
export const EVENT_EXTRA_VALUE_MAX_BYTES = 500;
