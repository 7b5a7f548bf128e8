import type { PrefValue } from "../../experiment-apis/prefs/interface.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { WriteQueue } from "./WriteQueue.js";

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
}

interface StoredState {
  experiments: Record<string, PreferenceExperiment>;
}

const KEY = "preferenceExperiments";

/**
 * The durable record of every preference experiment this client enrolled in, by slug. Writes are
 * serialized and each change is a read-modify-write inside that queue, so a pref observer and a recipe run
 * updating the same experiment never lose each other's changes.
 */
export class PreferenceExperimentStore {
  private readonly queue = new WriteQueue();

  constructor(private readonly storage: KeyValueStorage) {}

  async get(slug: string): Promise<PreferenceExperiment | undefined> {
    return (await this.read()).experiments[slug];
  }

  async getAll(): Promise<PreferenceExperiment[]> {
    return Object.values((await this.read()).experiments);
  }

  async getAllActive(): Promise<PreferenceExperiment[]> {
    return (await this.getAll()).filter((experiment) => !experiment.expired);
  }

  /** Stores a new experiment; rejects when the slug is already stored. */
  add(experiment: PreferenceExperiment): Promise<void> {
    return this.write((state) => {
      if (Object.hasOwn(state.experiments, experiment.slug)) {
        throw new Error(`A preference experiment with the slug "${experiment.slug}" already exists`);
      }
      state.experiments[experiment.slug] = experiment;
    });
  }

  /** Forgets an experiment entirely: only for an enrollment that failed half-way and was undone. */
  remove(slug: string): Promise<void> {
    return this.write((state) => {
      delete state.experiments[slug];
    });
  }

  /** Applies `change` to the stored experiment and returns the result; rejects when there is none. */
  async update(slug: string, change: (experiment: PreferenceExperiment) => void): Promise<PreferenceExperiment> {
    let updated: PreferenceExperiment | undefined;
    await this.write((state) => {
      const experiment = state.experiments[slug];
      if (!experiment) throw new Error(`There is no preference experiment with the slug "${slug}"`);
      change(experiment);
      updated = experiment;
    });
    return updated!;
  }

  /**
   * Replaces every enrollment id with `marker`, as Normandy does when telemetry upload is turned off
   * (`onTelemetryDisabled`, marker "__NO_ENROLLMENT_ID__"), so no id can link later data to earlier data.
   */
  replaceEnrollmentIds(marker: string): Promise<void> {
    return this.write((state) => {
      for (const experiment of Object.values(state.experiments)) experiment.enrollmentId = marker;
    });
  }

  private write(change: (state: StoredState) => void): Promise<void> {
    return this.queue.run(async () => {
      const state = await this.load();
      change(state);
      await this.storage.set(KEY, state);
    });
  }

  /** The state once every write queued so far is done. */
  private async read(): Promise<StoredState> {
    await this.queue.idle();
    return this.load();
  }

  private async load(): Promise<StoredState> {
    return (await this.storage.get<StoredState>(KEY)) ?? { experiments: {} };
  }
}
