import { isPendingChange, type PendingAddonChange } from "../addons/PendingAddonChange.js";
import { isForcedEnrollmentField, type ForcedEnrollment } from "../core/index.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { RecordStore } from "./RecordStore.js";
import { isPlainObject } from "./StoredRecords.js";

/** The add-on a study installed; all null for a branch without an add-on. */
export interface StudyAddonFields {
  addonVersion: string | null;
  /** Where the package was downloaded from. */
  addonUrl: string | null;
  /** The server's number for the package (the branch's `extensionApiId`). */
  extensionApiId: number | null;
  extensionHash: string | null;
  extensionHashAlgorithm: string | null;
}

/** An add-on study, active or ended (Normandy's AddonStudies record, reference §7), keyed by recipe id. */
export interface AddonStudy extends StudyAddonFields {
  recipeId: number;
  slug: string;
  userFacingName: string;
  userFacingDescription: string;
  branch: string;
  /** False once ended; a recipe enrolls at most once, so the record stays. */
  active: boolean;
  /** The study add-on's id; null for a branch without an add-on. */
  addonId: string | null;
  /** ISO dates. */
  studyStartDate: string;
  studyEndDate: string | null;
  /** ISO date after which a temporary error (signature, filter, no recipes) ends the study. */
  temporaryErrorDeadline: string | null;
  /** A UUID sent with the study's telemetry; the marker once telemetry upload was turned off. */
  enrollmentId: string;
  /** An add-on change started but not known to be finished; see PendingAddonChange. Null almost always. */
  pendingChange: PendingAddonChange<StudyAddonFields> | null;
  /** Set when QA forced this enrollment from the console's "Run here" (not a field of Normandy's record). */
  forced?: ForcedEnrollment;
}

/**
 * The durable record of every add-on study this client enrolled in. This is the read API for pages:
 * `getAll()` (ended ones included) and `getAllActive()`. A record with a `pendingChange` is an install or
 * uninstall in progress (or, before start-up has settled it, one a crash interrupted).
 */
export class AddonStudyStore {
  private readonly records: RecordStore<AddonStudy>;

  constructor(storage: KeyValueStorage) {
    this.records = new RecordStore(
      storage,
      { key: "addonStudies", field: "records", noun: "add-on study" },
      (key) => `add-on study for recipe ${key}`,
      isAddonStudy,
    );
  }

  get(recipeId: number): Promise<AddonStudy | undefined> {
    return this.records.get(String(recipeId));
  }

  getAll(): Promise<AddonStudy[]> {
    return this.records.getAll();
  }

  async getAllActive(): Promise<AddonStudy[]> {
    return (await this.getAll()).filter((study) => study.active);
  }

  /** Stores a new study; rejects when the recipe already has one. */
  add(study: AddonStudy): Promise<void> {
    return this.records.add(String(study.recipeId), study);
  }

  update(recipeId: number, change: (study: AddonStudy) => void): Promise<AddonStudy> {
    return this.records.update(String(recipeId), change);
  }

  /** Forgets a study entirely: only for an enrollment that never completed. */
  remove(recipeId: number): Promise<void> {
    return this.records.remove(String(recipeId));
  }

  /** Replaces every enrollment id with `marker` (telemetry upload was turned off; see RecordStore). */
  replaceEnrollmentIds(marker: string): Promise<void> {
    return this.records.replaceEnrollmentIds(marker);
  }
}

/** What the rules rely on: the recipe it is stored under, the state, the add-on, any add-on change in progress. */
function isAddonStudy(value: unknown, key: string): value is AddonStudy {
  return (
    isPlainObject(value) &&
    typeof value.recipeId === "number" &&
    String(value.recipeId) === key &&
    typeof value.slug === "string" &&
    typeof value.active === "boolean" &&
    (value.addonId === null || typeof value.addonId === "string") &&
    typeof value.enrollmentId === "string" &&
    isPendingChange(value.pendingChange) &&
    isForcedEnrollmentField(value.forced)
  );
}
