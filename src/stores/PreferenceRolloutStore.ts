import type { PrefValue } from "../../experiment-apis/prefs/interface.js";
import { isForcedEnrollmentField, type ForcedEnrollment } from "../core/index.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { SlugRecordStore } from "./SlugRecordStore.js";
import { isPlainObject } from "./StoredRecords.js";

/**
 * `active`: the add-on manages the prefs. `rolled-back`: a rollback recipe put the previous defaults back.
 * `graduated`: Firefox's built-in defaults caught up with the rollout (or the slug is in the graduation set),
 * so the add-on no longer manages the prefs.
 */
export type RolloutState = "active" | "rolled-back" | "graduated";

/** One pref of a rollout (Normandy's PreferenceSpec); always on the default branch. */
export interface RolloutPreference {
  preferenceName: string;
  /** The default-branch value the rollout sets. */
  value: PrefValue;
  /** The default the pref would have without the rollout (its built-in default), null when it has none. */
  previousValue: PrefValue | null;
}

/** A preference rollout in any state (Normandy's PreferenceRollout record, reference §7). */
export interface PreferenceRollout {
  slug: string;
  state: RolloutState;
  preferences: RolloutPreference[];
  /** A UUID sent with the rollout's telemetry; the marker once telemetry upload was turned off. */
  enrollmentId: string;
  /** Set when QA forced this rollout from the console's "Run here" (not a field of Normandy's record). */
  forced?: ForcedEnrollment;
}

/** The durable record of every preference rollout this client took part in, by slug. */
export class PreferenceRolloutStore extends SlugRecordStore<PreferenceRollout> {
  constructor(storage: KeyValueStorage) {
    super(storage, { key: "preferenceRollouts", field: "rollouts", noun: "preference rollout" }, isPreferenceRollout);
  }

  async getAllActive(): Promise<PreferenceRollout[]> {
    return (await this.getAll()).filter((rollout) => rollout.state === "active");
  }
}

const ROLLOUT_STATES: readonly unknown[] = ["active", "rolled-back", "graduated"] satisfies RolloutState[];

/** What the rules rely on: the state, and the name of each pref. */
function isPreferenceRollout(value: { [field: string]: unknown }): boolean {
  const { preferences } = value;
  return (
    isForcedEnrollmentField(value.forced) &&
    ROLLOUT_STATES.includes(value.state) &&
    Array.isArray(preferences) &&
    preferences.every((preference) => isPlainObject(preference) && typeof preference.preferenceName === "string")
  );
}
