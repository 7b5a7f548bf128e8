/**
 * The registry of Normandy's telemetry events (category `normandy`): for each method, the objects it is
 * recorded for, the extra keys it may carry, the keys every such event must carry, and the keys Firefox's
 * compiled Glean metric cannot hold. Sources: Normandy's data-collection document of the enrollment-id era
 * (`test/fixtures/normandy-data-collection.ts` copies its tables, and `test/unit/telemetryEvents.test.ts`
 * checks this registry against them key by key) and Firefox's `toolkit/components/normandy/metrics.yaml`,
 * where every object of a method shares the method's extra keys. Pure data, imported by the parent script,
 * `src/` and the server's intake, so all three refuse exactly the same events.
 *
 * On ESR 153 every method × object pair below exists as a compiled `Glean.normandy.*` event metric. Those
 * metrics were defined after Firefox stopped sending enrollment ids with `enroll`, so they have no
 * `enrollmentId` key there (`notInCompiledMetric`): such an event goes to the compiled metric without those
 * keys and, whole, to a runtime-registered `recipe_client_events.<method>_<object>` metric (see the parent
 * script), so Glean keeps every key.
 */
export const NORMANDY_EVENT_CATEGORY = "normandy";

export const NORMANDY_EVENTS = {
  enroll: {
    objects: ["preference_study", "addon_study", "preference_rollout", "addon_rollout", "nimbus_experiment"],
    extraKeys: ["experimentType", "branch", "addonId", "addonVersion", "enrollmentId"],
    // The document: "It will be included in all future telemetry for this user in this study."
    requiredExtraKeys: ["enrollmentId"],
    notInCompiledMetric: ["enrollmentId"],
  },
  enrollFailed: {
    objects: ["addon_study", "preference_rollout", "preference_study", "addon_rollout", "nimbus_experiment"],
    // enrollmentId: the conflicting rollout's, on an add-on rollout's `conflict` (Firefox's AddonRolloutAction).
    extraKeys: ["reason", "preference", "detail", "branch", "addonId", "conflictingSlug", "enrollmentId", "prefBranch"],
    requiredExtraKeys: [],
    notInCompiledMetric: [],
  },
  update: {
    objects: ["addon_study", "preference_rollout", "addon_rollout", "nimbus_experiment"],
    extraKeys: ["previousState", "addonId", "addonVersion", "branch", "enrollmentId"],
    requiredExtraKeys: ["enrollmentId"],
    notInCompiledMetric: [],
  },
  updateFailed: {
    objects: ["addon_study", "addon_rollout"],
    extraKeys: ["reason", "detail", "branch", "enrollmentId"],
    requiredExtraKeys: ["enrollmentId"],
    notInCompiledMetric: [],
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
    requiredExtraKeys: ["enrollmentId"],
    notInCompiledMetric: [],
  },
  unenrollFailed: {
    objects: ["preference_rollback", "preference_study", "addon_rollback", "nimbus_experiment"],
    // No enrollmentId when there is no enrollment to fail on ("does-not-exist").
    extraKeys: ["reason", "enrollmentId", "changedPref", "caller", "originalReason"],
    requiredExtraKeys: [],
    notInCompiledMetric: [],
  },
  graduate: {
    objects: ["preference_rollout"],
    extraKeys: ["reason", "enrollmentId"],
    requiredExtraKeys: ["enrollmentId"],
    notInCompiledMetric: [],
  },
  expPrefChanged: {
    objects: ["preference_study"],
    // reason is "observer", "sideload" or "onEnroll".
    extraKeys: ["preferenceName", "reason", "enrollmentId"],
    requiredExtraKeys: ["enrollmentId"],
    notInCompiledMetric: [],
  },
  validationFailed: {
    objects: ["nimbus_experiment"],
    extraKeys: ["reason", "branch", "feature", "locale", "l10n_ids"],
    requiredExtraKeys: [],
    notInCompiledMetric: [],
  },
} as const satisfies Record<string, NormandyEventDefinition>;

interface NormandyEventDefinition {
  objects: readonly string[];
  extraKeys: readonly string[];
  /** Keys every event of the method carries (a subset of extraKeys). */
  requiredExtraKeys: readonly string[];
  /** Keys ESR 153's compiled `Glean.normandy.*` metric of the method does not have (a subset of extraKeys). */
  notInCompiledMetric: readonly string[];
}

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
