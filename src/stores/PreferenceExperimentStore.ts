import type { PrefValue } from "../../experiment-apis/prefs/interface.js";
import { isForcedEnrollmentField, type ForcedEnrollment } from "../core/index.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { SlugRecordStore } from "./SlugRecordStore.js";
import { isPlainObject } from "./StoredRecords.js";

export type PreferenceType = "string" | "integer" | "boolean";
export type PreferenceBranchType = "default" | "user";

/** One pref a preference experiment sets (Normandy's Preference object). */
export interface ExperimentPreference {
  /** The value the study sets. */
  preferenceValue: PrefValue;
  preferenceType: PreferenceType;
  /**
   * What the pref's `preferenceBranchType` branch held before enrollment, null when it held nothing. For
   * the user branch that is the user value only (not the effective value, as in Normandy): restoring the
   * effective value would pin the default of the day as a user value.
   */
  previousPreferenceValue: PrefValue | null;
  preferenceBranchType: PreferenceBranchType;
  /** The user (or something else) changed the pref away from the study's value; it is then left alone. */
  overridden: boolean;
}

/** A preference experiment, active or expired (Normandy's Experiment record, reference §7). */
export interface PreferenceExperiment {
  slug: string;
  /** The action that owns the experiment and ends it when its recipe is gone, e.g. "PreferenceExperimentAction". */
  actionName: string;
  branch: string;
  /** True once unenrolled; a slug is enrolled at most once, so the record stays. */
  expired: boolean;
  /** ISO date of the last run that saw the recipe. */
  lastSeen: string;
  preferences: Record<string, ExperimentPreference>;
  /** "exp" or "exp-highpop"; the telemetry annotation type is "normandy-" + this. */
  experimentType: string;
  /** Null for legacy single-preference experiments. */
  userFacingName: string | null;
  userFacingDescription: string | null;
  /** ISO date after which a temporary error (signature, filter, no recipes) ends the experiment. */
  temporaryErrorDeadline: string | null;
  /** A UUID sent with the experiment's telemetry; the marker once telemetry upload was turned off. */
  enrollmentId: string;
  /** Set when QA forced this enrollment (not a field of Normandy's record). */
  forced?: ForcedEnrollment;
}

/**
 * The durable record of every preference experiment this client enrolled in, by slug, stored as Normandy's
 * file is shaped: `{experiments: {[slug]: experiment}}`.
 */
export class PreferenceExperimentStore extends SlugRecordStore<PreferenceExperiment> {
  constructor(storage: KeyValueStorage) {
    super(
      storage,
      { key: "preferenceExperiments", field: "experiments", noun: "preference experiment" },
      isPreferenceExperiment,
    );
  }

  async getAllActive(): Promise<PreferenceExperiment[]> {
    return (await this.getAll()).filter((experiment) => !experiment.expired);
  }
}

/** What the rules rely on: the state, the branch, and each pref with the branch it was set on. */
function isPreferenceExperiment(value: { [field: string]: unknown }): boolean {
  const { preferences } = value;
  return (
    isForcedEnrollmentField(value.forced) &&
    typeof value.expired === "boolean" &&
    typeof value.branch === "string" &&
    isPlainObject(preferences) &&
    Object.values(preferences).every(
      (preference) =>
        isPlainObject(preference) &&
        (preference.preferenceBranchType === "default" || preference.preferenceBranchType === "user"),
    )
  );
}
