import { QA_UNDO_REASON, type ForcedEnrollment } from "../core/index.js";
import type { PrefsApi, PrefValue } from "../../experiment-apis/prefs/interface.js";
import type { ExperimentAnnotationType } from "../../experiment-apis/telemetry/interface.js";
import type {
  PreferenceExperiment,
  PreferenceExperimentStore,
  PreferenceType,
} from "../stores/PreferenceExperimentStore.js";
import { setOwnProperty } from "../core/index.js";
import { SerialQueue } from "../core/index.js";
import { prefTypeOfValue } from "../prefs/prefValueType.js";
import { setDefault } from "../prefs/setDefault.js";
import { undoUnownedStartupPrefs } from "../prefs/undoUnownedStartupPrefs.js";
import type {
  EnrollmentEventExtra,
  EnrollmentEventMethod,
  EnrollmentEventObject,
  EnrollmentTelemetry,
} from "../telemetry/EnrollmentTelemetry.js";
import { NonFatalEnrollmentTelemetry } from "../telemetry/NonFatalEnrollmentTelemetry.js";

/** TelemetryEnvironment allows 20 characters for an experiment type, "normandy-" included. */
const ANNOTATION_PREFIX = "normandy-";
const MAX_EXPERIMENT_TYPE_LENGTH = 20 - ANNOTATION_PREFIX.length;
/** Legacy Telemetry's limit on an extra value, which Normandy applies to `prefBranch`. */
const PREF_BRANCH_EXTRA_LENGTH = 80;
const PREFERENCE_TYPES: readonly string[] = ["string", "integer", "boolean"] satisfies PreferenceType[];

/** One pref of a branch, as a recipe gives it (still to be checked: recipes are not trusted on types). */
export interface BranchPreference {
  preferenceType: string;
  /** Absent means "default", the schema's default (Normandy applies it here too). */
  preferenceBranchType?: string;
  preferenceValue: PrefValue;
}

export interface StartOptions {
  slug: string;
  actionName: string;
  branch: string;
  preferences: Record<string, BranchPreference>;
  /** "exp" or "exp-highpop"; annotated as "normandy-" + this. */
  experimentType?: string;
  userFacingName: string | null;
  userFacingDescription: string | null;
  /** QA forced this enrollment from the console's "Run here". */
  forced?: ForcedEnrollment;
}

export interface StopOptions {
  /** Put the prefs back as they were before enrollment (default true). */
  resetValue?: boolean;
  /** The `reason` of the unenroll event, e.g. "recipe-not-seen" (default "unknown", as in Normandy). */
  reason?: string;
  changedPref?: string;
}

/** An enrollment refused by one of Normandy's checks; the `enrollFailed` event has been recorded. */
export class EnrollmentRefused extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "EnrollmentRefused";
  }
}

/** An unenrollment of an experiment that is missing or already over; the `unenrollFailed` event has been recorded. */
export class UnenrollmentRefused extends Error {
  constructor(
    readonly reason: "does-not-exist" | "already-unenrolled",
    message: string,
  ) {
    super(message);
    this.name = "UnenrollmentRefused";
  }
}

export interface PreferenceExperimentsDeps {
  prefs: PrefsApi;
  store: PreferenceExperimentStore;
  telemetry: EnrollmentTelemetry;
  warn(message: string): void;
  now?(): Date;
  newEnrollmentId?(): string;
}

/**
 * Preference experiments across runs (Normandy's `PreferenceExperiments` module): enrolls (checks, applies
 * the branch's prefs, records), watches the prefs for changes by the user, unenrolls (restores), and keeps
 * the default-branch values in the startup prefs the prefs API re-applies at every start. The per-run
 * decisions (enroll? unenroll? why?) are the action's; this holds what must outlive a run.
 *
 * Operations that change prefs run one at a time, so a pref observer never sees a half-done enrollment or
 * unenrollment.
 */
export class PreferenceExperiments {
  private readonly observers = new Map<string, (name: string) => Promise<void>>();
  /** Runs the operations that change prefs one at a time. */
  private readonly operations = new SerialQueue();

  /** Telemetry that fails is logged; it never changes what happens to a study. */
  private readonly telemetry: EnrollmentTelemetry;

  constructor(private readonly deps: PreferenceExperimentsDeps) {
    this.telemetry = new NonFatalEnrollmentTelemetry(deps.telemetry, deps.warn);
  }

  /**
   * At add-on start, before the first run: takes in what the start-up re-application did, checks for
   * prefs changed while the add-on was not running ("sideload"), annotates every active experiment again
   * (annotations do not survive a restart) and starts watching their prefs.
   */
  init(): Promise<void> {
    return this.exclusive(async () => {
      await this.takeInStartupApplication();
      // A forced enrollment that ended just before a crash, before its record was forgotten (see `unenroll`).
      for (const experiment of await this.deps.store.getAll()) {
        if (experiment.forced && experiment.expired) await this.deps.store.remove(experiment.slug);
      }
      for (const experiment of await this.deps.store.getAllActive()) {
        await this.reapplyDefaults(experiment);
        for (const [name, preference] of Object.entries(experiment.preferences)) {
          if (!preference.overridden && (await this.deps.prefs.getPref(name, "user")) !== preference.preferenceValue) {
            await this.recordPrefChange(experiment.slug, name, "sideload");
          }
        }
        await this.annotate(experiment);
        await this.startObserver(experiment.slug);
      }
      await this.saveStartupPrefs();
    });
  }

  /** Enrolls, or records `enrollFailed` and throws EnrollmentRefused. */
  start(options: StartOptions): Promise<PreferenceExperiment> {
    return this.exclusive(() => this.enroll(options));
  }

  /** Unenrolls, or records `unenrollFailed` and throws UnenrollmentRefused. */
  stop(slug: string, options: StopOptions = {}): Promise<void> {
    return this.exclusive(() => this.unenroll(slug, options));
  }

  /**
   * QA's undo of a forced enrollment ("Run here"): unenrolls with reason `qa-undo` (prefs put back, the
   * unenroll event recorded; the record is then forgotten, as any forced one's: see `unenroll`). Refuses a study
   * that was not forced or has ended.
   */
  undoForced(slug: string): Promise<void> {
    return this.exclusive(async () => {
      const experiment = await this.deps.store.get(slug);
      if (!experiment?.forced || experiment.expired)
        throw new Error(`"${slug}" is not an active enrollment forced by QA: there is nothing to undo`);
      await this.unenroll(slug, { reason: QA_UNDO_REASON });
    });
  }

  /** Unenrolls every active experiment, whichever action owns it (the studies opt-out: "general-opt-out"). */
  stopAll(reason: string): Promise<void> {
    return this.exclusive(async () => {
      for (const experiment of await this.deps.store.getAllActive()) {
        try {
          await this.unenroll(experiment.slug, { reason });
        } catch (error) {
          this.deps.warn(`Cannot unenroll from ${experiment.slug}: ${String(error)}`);
        }
      }
    });
  }

  private async enroll(options: StartOptions): Promise<PreferenceExperiment> {
    const { slug, branch, experimentType = "exp" } = options;
    const { prefs, store } = this.deps;
    const refuse = async (reason: string, message: string, extra: EnrollmentEventExtra<"enrollFailed"> = {}) => {
      await this.report("enrollFailed", slug, { reason, ...extra });
      return new EnrollmentRefused(reason, message);
    };

    // A slug enrolls once, ever: an expired record still counts.
    if (await store.get(slug))
      throw await refuse("name-conflict", `A preference experiment with the slug "${slug}" already exists`);
    const active = await store.getAllActive();
    const conflict = Object.keys(options.preferences).find((name) =>
      active.some((other) => Object.hasOwn(other.preferences, name)),
    );
    if (conflict !== undefined) {
      throw await refuse(
        "pref-conflict",
        `Another preference experiment for the pref "${conflict}" is currently active`,
      );
    }
    if (experimentType.length > MAX_EXPERIMENT_TYPE_LENGTH) {
      throw await refuse(
        "experiment-type-too-long",
        `experimentType must be at most ${MAX_EXPERIMENT_TYPE_LENGTH} characters; "${experimentType}" is ${experimentType.length}`,
      );
    }

    // Every pref is checked, and its previous value read, before any is changed.
    const experiment: PreferenceExperiment = {
      slug,
      actionName: options.actionName,
      branch,
      expired: false,
      lastSeen: this.now().toJSON(),
      preferences: {},
      experimentType,
      userFacingName: options.userFacingName,
      userFacingDescription: options.userFacingDescription,
      temporaryErrorDeadline: null,
      enrollmentId: this.deps.newEnrollmentId?.() ?? crypto.randomUUID(),
      ...(options.forced ? { forced: options.forced } : {}),
    };
    for (const [name, { preferenceType, preferenceBranchType = "default", preferenceValue }] of Object.entries(
      options.preferences,
    )) {
      if (preferenceBranchType !== "default" && preferenceBranchType !== "user") {
        throw await refuse("invalid-branch", `Invalid value for preferenceBranchType: ${preferenceBranchType}`, {
          prefBranch: String(preferenceBranchType).slice(0, PREF_BRANCH_EXTRA_LENGTH),
        });
      }
      if (!PREFERENCE_TYPES.includes(preferenceType)) {
        throw await refuse("invalid-type", `Invalid preferenceType provided (given "${preferenceType}")`);
      }
      const existingType = await prefs.getPrefType(name);
      if (existingType !== "invalid" && existingType !== preferenceType) {
        throw await refuse(
          "invalid-type",
          `The pref "${name}" has type ${existingType}, but the study declares ${preferenceType}`,
        );
      }
      // Normandy does not check the value against the declared type, and a mismatch then fails half-way
      // through applying the branch, leaving prefs changed that no record knows of. We refuse up front.
      if (prefTypeOfValue(preferenceValue) !== preferenceType) {
        throw await refuse(
          "invalid-type",
          `The value ${JSON.stringify(preferenceValue)} for "${name}" is not a ${preferenceType}`,
        );
      }
      const hasUserValue = await prefs.prefHasUserValue(name);
      setOwnProperty(experiment.preferences, name, {
        preferenceValue,
        preferenceType: preferenceType as PreferenceType,
        previousPreferenceValue:
          preferenceBranchType === "default"
            ? await prefs.getPref(name, "default")
            : hasUserValue
              ? await prefs.getPref(name, "user")
              : null,
        preferenceBranchType,
        // A user value on a default-branch pref wins: the default is left untouched (Normandy bug 1416003).
        overridden: preferenceBranchType === "default" && hasUserValue,
      });
    }

    // Recorded before any pref changes, so a crash in between leaves a record that can restore them.
    await store.add(experiment);
    try {
      for (const [name, preference] of Object.entries(experiment.preferences)) {
        if (!preference.overridden)
          await prefs.setPref(name, preference.preferenceValue, preference.preferenceBranchType);
      }
    } catch (error) {
      await this.restorePrefs(experiment);
      await store.remove(slug);
      throw error;
    }
    await this.saveStartupPrefs();
    await this.startObserver(slug);
    await this.annotate(experiment);
    await this.report("enroll", slug, { experimentType, branch, enrollmentId: experiment.enrollmentId });
    for (const [name, preference] of Object.entries(experiment.preferences)) {
      if (preference.overridden)
        await this.report("expPrefChanged", slug, {
          preferenceName: name,
          reason: "onEnroll",
          enrollmentId: experiment.enrollmentId,
        });
    }
    return experiment;
  }

  private async unenroll(
    slug: string,
    { resetValue = true, reason = "unknown", changedPref }: StopOptions,
  ): Promise<void> {
    const { store } = this.deps;
    const changed = changedPref === undefined ? {} : { changedPref };
    const experiment = await store.get(slug);
    if (!experiment) {
      await this.report("unenrollFailed", slug, { reason: "does-not-exist", originalReason: reason, ...changed });
      throw new UnenrollmentRefused("does-not-exist", `There is no preference experiment with the slug "${slug}"`);
    }
    if (experiment.expired) {
      await this.report("unenrollFailed", slug, {
        reason: "already-unenrolled",
        originalReason: reason,
        enrollmentId: experiment.enrollmentId,
        ...changed,
      });
      throw new UnenrollmentRefused("already-unenrolled", `The preference experiment "${slug}" has already ended`);
    }
    this.stopObserver(slug);
    if (resetValue) await this.restorePrefs(experiment);
    // Saving the startup prefs saves the pref file, and it must happen before the record says the study
    // ended: Firefox writes prefs a little after they change, the add-on's storage at once, and a crash in
    // between would leave an ended study whose prefs were never put back, which nothing would ever undo.
    await this.saveStartupPrefs(slug);
    await store.update(slug, (stored) => {
      stored.expired = true;
      stored.temporaryErrorDeadline = null;
    });
    await this.telemetry.setExperimentInactive(slug);
    await this.report("unenroll", slug, {
      didResetValue: resetValue ? "true" : "false",
      branch: experiment.branch,
      reason,
      enrollmentId: experiment.enrollmentId,
      ...changed,
    });
    // A forced enrollment (QA's "Run here") does not spend the slug, however it ends (QA's undo, the studies
    // opt-out): QA can run it here again, and a normal run may enroll this client as if QA had never touched it.
    if (experiment.forced) await store.remove(slug);
  }

  /**
   * Puts each pref back on its branch. A user-branch pref the user changed keeps the user's value; on the
   * default branch the user's value (a user value) is never touched, only the default is restored.
   */
  private async restorePrefs(experiment: PreferenceExperiment): Promise<void> {
    const { prefs } = this.deps;
    for (const [name, { previousPreferenceValue, preferenceBranchType, overridden }] of Object.entries(
      experiment.preferences,
    )) {
      if (overridden && preferenceBranchType === "user") continue;
      try {
        if (preferenceBranchType === "default") {
          await setDefault(prefs, name, previousPreferenceValue);
        } else if (previousPreferenceValue !== null) {
          await prefs.setPref(name, previousPreferenceValue, "user");
        } else {
          await prefs.clearUserPref(name);
        }
      } catch (error) {
        this.deps.warn(`Cannot restore the pref ${name} of ${experiment.slug}: ${String(error)}`);
      }
    }
  }

  /**
   * The store is the truth about an active study: a default-branch value the start-up did not re-apply
   * (Firefox stopped between recording the enrollment and saving the startup prefs) is set again, rather
   * than the study taking its own missing value for the user's change (a "sideload", as Normandy would).
   */
  private async reapplyDefaults(experiment: PreferenceExperiment): Promise<void> {
    const { prefs, warn } = this.deps;
    for (const [name, { preferenceBranchType, preferenceValue, overridden }] of Object.entries(
      experiment.preferences,
    )) {
      if (
        preferenceBranchType !== "default" ||
        overridden ||
        (await prefs.getPref(name, "default")) === preferenceValue
      )
        continue;
      try {
        await prefs.setPref(name, preferenceValue, "default");
        warn(
          `The default of ${name} (study ${experiment.slug}) was not re-applied at start-up; it is set again from the study's record`,
        );
      } catch (error) {
        warn(`Cannot set the default of ${name} (study ${experiment.slug}) again: ${String(error)}`);
      }
    }
  }

  /** Marks a pref as changed away from the study's value; the study goes on, the pref is left alone. */
  private async recordPrefChange(slug: string, name: string, reason: "observer" | "sideload"): Promise<void> {
    const experiment = await this.deps.store.update(slug, (stored) => {
      stored.preferences[name]!.overridden = true;
    });
    await this.saveStartupPrefs();
    await this.report("expPrefChanged", slug, { preferenceName: name, reason, enrollmentId: experiment.enrollmentId });
  }

  private async startObserver(slug: string): Promise<void> {
    const experiment = await this.deps.store.get(slug);
    const names = Object.entries(experiment?.preferences ?? {})
      .filter(([, preference]) => !preference.overridden)
      .map(([name]) => name);
    if (names.length === 0) return;
    // Returns its promise (Firefox ignores it) so an in-memory fake can wait for the work to finish.
    const listener = (name: string) =>
      this.exclusive(() => this.onPrefChanged(slug, name)).catch((error: unknown) =>
        this.deps.warn(`Cannot record a change of ${name} in ${slug}: ${String(error)}`),
      );
    this.observers.set(slug, listener);
    this.deps.prefs.onPrefChanged.addListener(listener, names);
  }

  private stopObserver(slug: string): void {
    const listener = this.observers.get(slug);
    if (!listener) return;
    this.deps.prefs.onPrefChanged.removeListener(listener);
    this.observers.delete(slug);
  }

  /**
   * A watched pref changed. Notifications arrive asynchronously, so the stored state decides: only a change
   * of an active, not yet overridden pref away from the study's value counts (the effective value, as
   * Normandy compares it).
   */
  private async onPrefChanged(slug: string, name: string): Promise<void> {
    const experiment = await this.deps.store.get(slug);
    const preference = experiment?.preferences[name];
    if (!experiment || experiment.expired || !preference || preference.overridden) return;
    if ((await this.deps.prefs.getPref(name, "user")) === preference.preferenceValue) return;
    await this.recordPrefChange(slug, name, "observer");
  }

  /**
   * The default-branch values of active experiments, for the prefs API to re-apply at the next start.
   * Overridden prefs are left out (Normandy keeps them): their default was not set at enrollment, or the
   * user has since chosen another value, and re-applying would change a default the study does not own.
   */
  private async saveStartupPrefs(ending?: string): Promise<void> {
    const startupPrefs: Record<string, PrefValue> = {};
    for (const experiment of await this.deps.store.getAllActive()) {
      if (experiment.slug === ending) continue;
      for (const [name, preference] of Object.entries(experiment.preferences)) {
        if (preference.preferenceBranchType === "default" && !preference.overridden)
          setOwnProperty(startupPrefs, name, preference.preferenceValue);
      }
    }
    await this.deps.prefs.setStartupPrefs("experiments", startupPrefs);
  }

  /**
   * Normandy's `recordOriginalValues`: on the first start of a Firefox session, the defaults the re-application
   * replaced are the prefs' built-in defaults (perhaps new after a Firefox update), so unenrolling restores
   * those. A value re-applied for a pref no active experiment owns is undone.
   */
  private async takeInStartupApplication(): Promise<void> {
    const application = await this.deps.prefs.getStartupApplication();
    if (!application) return;
    const owners = new Map<string, string>();
    for (const experiment of await this.deps.store.getAllActive()) {
      for (const [name, preference] of Object.entries(experiment.preferences)) {
        if (preference.preferenceBranchType === "default") owners.set(name, experiment.slug);
      }
    }
    const { previousDefaults } = application.experiments;
    if (application.firstInSession) {
      for (const [name, owner] of owners) {
        if (!Object.hasOwn(previousDefaults, name)) continue;
        await this.deps.store.update(owner, (stored) => {
          stored.preferences[name]!.previousPreferenceValue = previousDefaults[name] ?? null;
        });
      }
    }
    await undoUnownedStartupPrefs(
      this.deps.prefs,
      application.experiments,
      (name) => owners.has(name),
      "study",
      this.deps.warn,
    );
  }

  private async annotate(experiment: PreferenceExperiment): Promise<void> {
    const type = `${ANNOTATION_PREFIX}${experiment.experimentType}` as ExperimentAnnotationType;
    await this.telemetry.setExperimentActive(experiment.slug, experiment.branch, {
      type,
      enrollmentId: experiment.enrollmentId,
    });
  }

  private report<Method extends EnrollmentEventMethod>(
    method: Method,
    slug: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void> {
    // Every method this module records exists for the object preference_study.
    const object = "preference_study" as EnrollmentEventObject<Method>;
    return this.telemetry.recordEvent(method, object, slug, extra);
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return this.operations.run(operation);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
