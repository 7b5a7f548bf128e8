import type { PrefsApi, PrefValue, StartupPrefApplication } from "../../experiment-apis/prefs/interface.js";
import { QA_UNDO_REASON, setOwnProperty, type ForcedEnrollment } from "../core/index.js";
import { prefTypeOfValue } from "../prefs/prefValueType.js";
import { setDefault } from "../prefs/setDefault.js";
import { undoUnownedStartupPrefs } from "../prefs/undoUnownedStartupPrefs.js";
import type { PreferenceRollout, PreferenceRolloutStore, RolloutPreference } from "../stores/PreferenceRolloutStore.js";
import { NO_ENROLLMENT_ID_MARKER, type EnrollmentTelemetry } from "../telemetry/EnrollmentTelemetry.js";
import { NonFatalEnrollmentTelemetry } from "../telemetry/NonFatalEnrollmentTelemetry.js";

/**
 * Rollouts this build no longer applies, nor lets be rolled back: they graduate at start. Normandy's
 * `PreferenceRollouts.GRADUATION_SET`, for rollouts whose feature changed so that the automatic graduation
 * (built-in defaults equal to the rollout's values) could not notice the hand-off.
 */
export const GRADUATION_SET: ReadonlySet<string> = new Set([
  "pref-webrender-intel-rollout-70-release",
  "bug-1703186-rollout-http3-support-release-88-89",
  "rollout-doh-nightly-rollout-to-all-us-desktop-users-nightly-74-80-bug-1613481",
  "rollout-doh-beta-rollout-to-all-us-desktop-users-v2-beta-74-80-bug-1613489",
  "rollout-doh-us-staged-rollout-to-all-us-desktop-users-release-73-77-bug-1586331",
  "bug-1648229-rollout-comcast-steering-rollout-release-78-80",
  "bug-1732206-rollout-fission-release-rollout-release-94-95",
  "bug-1745237-rollout-fission-beta-96-97-rollout-beta-96-97",
  "bug-1750601-rollout-doh-steering-in-canada-staggered-starting-for-release-97-98",
  "bug-1758988-rollout-doh-enablment-to-new-countries-staggered-st-release-98-100",
  "bug-1758818-rollout-enabling-doh-in-new-countries-staggered-sta-release-98-100",
]);

/** Normandy's branch name for every rollout annotation. */
const ROLLOUT_BRANCH = "active";

/** One pref as a `preference-rollout` recipe gives it. */
export interface RolloutPreferenceArgument {
  preferenceName: string;
  value: PrefValue;
}

export interface PreferenceRolloutsDeps {
  prefs: PrefsApi;
  store: PreferenceRolloutStore;
  telemetry: EnrollmentTelemetry;
  warn(message: string): void;
  /** GRADUATION_SET unless a test gives another. */
  graduationSet?: ReadonlySet<string>;
  newEnrollmentId?(): string;
}

/** A default-branch write and the value that undoes it (null: no default). */
interface DefaultChange {
  name: string;
  to: PrefValue | null;
  from: PrefValue | null;
}

/**
 * Preference rollouts across runs (Normandy's `PreferenceRollouts` module and the work of its two actions,
 * reference §2.3): rolls a recipe's values out onto the default branch (user values always win), follows the
 * recipe's later edits, rolls back, graduates at start when Firefox's own defaults caught up, and keeps the
 * active values in the startup prefs the prefs API re-applies at every start. Rollouts are not studies: the
 * studies opt-out does not touch them.
 *
 * Every change writes the prefs first, then the record, then the startup prefs. Default-branch values vanish
 * at a restart, so a crash in between leaves the previous record and startup prefs, which the next run
 * compares with the recipe and applies again; a record written first could claim values nothing applies.
 */
export class PreferenceRollouts {
  /** Telemetry that fails is logged; it never changes what happens to a rollout. */
  private readonly telemetry: EnrollmentTelemetry;

  constructor(private readonly deps: PreferenceRolloutsDeps) {
    this.telemetry = new NonFatalEnrollmentTelemetry(deps.telemetry, deps.warn);
  }

  /**
   * At add-on start, before the first run: takes in the start-up re-application (graduating rollouts whose
   * prefs all match Firefox's built-in defaults), graduates the slugs of the graduation set, annotates the
   * rollouts still active (annotations do not survive a restart) and saves the startup prefs.
   */
  async init(): Promise<void> {
    const application = await this.deps.prefs.getStartupApplication();
    if (application) await this.takeInStartupApplication(application);
    // A forced rollout that ended just before a crash, before its record was forgotten.
    for (const rollout of await this.deps.store.getAll()) {
      if (rollout.forced) await this.forgetIfForced(rollout.slug);
    }
    for (const rollout of await this.deps.store.getAllActive()) {
      if (this.graduationSet.has(rollout.slug)) {
        await this.graduate(rollout, "in-graduation-set");
      } else {
        await this.reapplyDefaults(rollout);
        await this.annotate(rollout);
      }
    }
    await this.saveStartupPrefs();
  }

  /**
   * The store is the truth about an active rollout: a value the start-up did not re-apply (Firefox stopped
   * between recording the rollout, or its update, and saving the startup prefs) is set again. Otherwise the
   * record would say the value is applied, and no later run would ever apply it.
   */
  private async reapplyDefaults(rollout: PreferenceRollout): Promise<void> {
    for (const { preferenceName, value } of rollout.preferences) {
      if ((await this.deps.prefs.getPref(preferenceName, "default")) === value) continue;
      try {
        await setDefault(this.deps.prefs, preferenceName, value);
        this.deps.warn(
          `The default of ${preferenceName} (rollout ${rollout.slug}) was not re-applied at start-up; it is set again from the rollout's record`,
        );
      } catch (error) {
        this.deps.warn(`Cannot set the default of ${preferenceName} (rollout ${rollout.slug}) again: ${String(error)}`);
      }
    }
  }

  /**
   * A matching `preference-rollout` recipe: enrolls, or brings an existing rollout in line with the recipe;
   * `forced` only from QA's "Run here" (a forced rollout is left alone by everything else until QA's undo).
   * Throws, after recording `enrollFailed`, when a pref is held by another active rollout, has another type,
   * or when a new rollout would change nothing.
   */
  async rollOut(slug: string, preferences: RolloutPreferenceArgument[], forced?: ForcedEnrollment): Promise<void> {
    if (this.graduationSet.has(slug)) return;
    const existing = await this.deps.store.get(slug);
    // QA forced it here ("Run here"): its values are QA's choice until QA's undo, whatever the recipe says now.
    if (existing?.forced && existing.state === "active" && !forced) return;
    // Checked on every run, as Normandy does: a recipe that loses a conflict reports it each time.
    await this.verify(slug, preferences);
    if (!existing) {
      await this.enroll(slug, preferences, forced);
    } else if (existing.state === "rolled-back") {
      // Normandy marks a rolled-back rollout whose recipe changed active again but writes only the changed
      // prefs, so its record and the prefs disagree. A rollback is final (Normandy's documentation: a new
      // rollout needs a new slug), so the rollout is left as it is.
      this.deps.warn(`The rollout ${slug} was rolled back; it is not applied again (a new rollout needs a new slug)`);
    } else {
      await this.update(existing, preferences);
    }
  }

  /**
   * A matching `preference-rollback` recipe: puts an active rollout's prefs back to their previous defaults.
   * An unknown or already rolled-back rollout is left alone; a graduated one, or one in the graduation set,
   * cannot be rolled back (`unenrollFailed`, then throws).
   */
  async rollBack(slug: string): Promise<void> {
    const rollout = await this.deps.store.get(slug);
    if (rollout?.forced && rollout.state === "active") return; // QA's until QA's undo (see rollOut)
    if (this.graduationSet.has(slug)) {
      await this.telemetry.recordEvent("unenrollFailed", "preference_rollback", slug, {
        reason: "in-graduation-set",
        enrollmentId: rollout?.enrollmentId ?? NO_ENROLLMENT_ID_MARKER,
      });
      throw new Error(`Cannot roll back ${slug}: it is in the graduation set`);
    }
    switch (rollout?.state) {
      case undefined:
      case "rolled-back":
        return;
      case "graduated":
        await this.telemetry.recordEvent("unenrollFailed", "preference_rollback", slug, {
          reason: "graduated",
          enrollmentId: rollout.enrollmentId,
        });
        throw new Error(`Cannot roll back ${slug}: it has graduated`);
      case "active":
        await this.putBack(rollout, "rollback");
    }
  }

  /**
   * QA's undo of a forced rollout ("Run here"): its prefs back to their previous defaults, recorded as a rollback
   * with reason `qa-undo`, and the record forgotten, so QA can run it here again and a normal run may enroll this
   * client later as if QA had never touched it. Refuses a rollout that was not forced or is not active.
   */
  async undoForced(slug: string): Promise<void> {
    const rollout = await this.deps.store.get(slug);
    if (!rollout?.forced || rollout.state !== "active")
      throw new Error(`"${slug}" is not an active rollout forced by QA: there is nothing to undo`);
    await this.putBack(rollout, QA_UNDO_REASON);
  }

  /** Puts an active rollout's prefs back to their previous defaults and records it as rolled back. */
  private async putBack(rollout: PreferenceRollout, reason: string): Promise<void> {
    const { slug } = rollout;
    await this.changeDefaults(
      rollout.preferences.map(({ preferenceName, value, previousValue }) => ({
        name: preferenceName,
        to: previousValue,
        from: value,
      })),
    );
    await this.deps.store.update(slug, (stored) => {
      stored.state = "rolled-back";
    });
    await this.saveStartupPrefs();
    await this.telemetry.recordEvent("unenroll", "preference_rollback", slug, {
      reason,
      enrollmentId: rollout.enrollmentId,
    });
    await this.telemetry.setExperimentInactive(slug);
    await this.forgetIfForced(slug);
  }

  /** A forced rollout that ended (undone, graduated) does not spend the slug; see undoForced. */
  private async forgetIfForced(slug: string): Promise<void> {
    const stored = await this.deps.store.get(slug);
    if (stored?.forced && stored.state !== "active") await this.deps.store.remove(slug);
  }

  private get graduationSet(): ReadonlySet<string> {
    return this.deps.graduationSet ?? GRADUATION_SET;
  }

  /** No pref may be held by another active rollout, and each value must fit the pref's existing type. */
  private async verify(slug: string, preferences: RolloutPreferenceArgument[]): Promise<void> {
    const managed = new Set<string>();
    for (const other of await this.deps.store.getAllActive()) {
      if (other.slug !== slug) for (const { preferenceName } of other.preferences) managed.add(preferenceName);
    }
    for (const { preferenceName, value } of preferences) {
      if (managed.has(preferenceName)) {
        await this.telemetry.recordEvent("enrollFailed", "preference_rollout", slug, {
          reason: "conflict",
          preference: preferenceName,
        });
        throw new Error(
          `Cannot start rollout ${slug}: the pref ${preferenceName} is already managed by another rollout`,
        );
      }
      const existingType = await this.deps.prefs.getPrefType(preferenceName);
      const valueType = prefTypeOfValue(value);
      // Normandy's reason has a space, unlike the studies' "invalid-type". A number libpref cannot store is
      // refused here too (Normandy would truncate it while writing).
      if (valueType === "invalid" || (existingType !== "invalid" && existingType !== valueType)) {
        await this.telemetry.recordEvent("enrollFailed", "preference_rollout", slug, {
          reason: "invalid type",
          preference: preferenceName,
        });
        const problem =
          valueType === "invalid"
            ? "is not a string, a boolean or a 32-bit integer"
            : `does not fit the pref's type ${existingType}`;
        throw new Error(
          `Cannot start rollout ${slug} on ${preferenceName}: the value ${JSON.stringify(value)} ${problem}`,
        );
      }
    }
  }

  private async enroll(slug: string, requested: RolloutPreferenceArgument[], forced?: ForcedEnrollment): Promise<void> {
    const preferences: RolloutPreference[] = [];
    for (const { preferenceName, value } of requested) {
      preferences.push({
        preferenceName,
        value,
        previousValue: await this.deps.prefs.getPref(preferenceName, "default"),
      });
    }
    if (preferences.every(({ value, previousValue }) => value === previousValue)) {
      await this.telemetry.recordEvent("enrollFailed", "preference_rollout", slug, { reason: "would-be-no-op" });
      throw new Error(`The new rollout ${slug} does not change any pref`);
    }
    const rollout: PreferenceRollout = {
      slug,
      state: "active",
      preferences,
      enrollmentId: this.deps.newEnrollmentId?.() ?? crypto.randomUUID(),
      ...(forced ? { forced } : {}),
    };
    await this.changeDefaults(
      preferences.map(({ preferenceName, value, previousValue }) => ({
        name: preferenceName,
        to: value,
        from: previousValue,
      })),
    );
    await this.deps.store.add(rollout);
    await this.saveStartupPrefs();
    await this.annotate(rollout);
    await this.telemetry.recordEvent("enroll", "preference_rollout", slug, { enrollmentId: rollout.enrollmentId });
  }

  /**
   * Applies the recipe's edits: prefs it no longer names get their previous default back, new or changed
   * values are set, and each kept pref keeps the previous value recorded for it. A graduated rollout whose
   * recipe changed becomes active again.
   */
  private async update(existing: PreferenceRollout, requested: RolloutPreferenceArgument[]): Promise<void> {
    const before = new Map(existing.preferences.map((preference) => [preference.preferenceName, preference]));
    const named = new Set(requested.map(({ preferenceName }) => preferenceName));
    const preferences: RolloutPreference[] = [];
    const changes: DefaultChange[] = [];
    for (const { preferenceName, previousValue, value } of existing.preferences) {
      if (!named.has(preferenceName)) changes.push({ name: preferenceName, to: previousValue, from: value });
    }
    for (const { preferenceName, value } of requested) {
      const old = before.get(preferenceName);
      const previousValue = old ? old.previousValue : await this.deps.prefs.getPref(preferenceName, "default");
      preferences.push({ preferenceName, value, previousValue });
      if (old?.value !== value)
        changes.push({ name: preferenceName, to: value, from: old ? old.value : previousValue });
    }
    if (changes.length === 0) return;

    await this.changeDefaults(changes);
    const updated = await this.deps.store.update(existing.slug, (stored) => {
      stored.state = "active";
      stored.preferences = preferences;
    });
    await this.saveStartupPrefs();
    await this.telemetry.recordEvent("update", "preference_rollout", existing.slug, {
      previousState: existing.state,
      enrollmentId: existing.enrollmentId,
    });
    if (existing.state === "graduated") await this.annotate(updated);
  }

  /**
   * Normandy's `recordOriginalValues`, on the first start of a Firefox session only (later starts find the
   * add-on's own values on the default branch): each rolled-out pref's previous value becomes its built-in
   * default, perhaps new after a Firefox update, and a rollout whose values all equal the built-in defaults
   * graduates. A value re-applied for a pref no active rollout owns is undone.
   */
  private async takeInStartupApplication(application: StartupPrefApplication): Promise<void> {
    const { previousDefaults } = application.rollouts;
    const active = await this.deps.store.getAllActive();
    if (application.firstInSession) {
      for (const { slug } of active) {
        const rollout = await this.deps.store.update(slug, (stored) => {
          for (const preference of stored.preferences) {
            // A pref skipped for its type has no built-in default to learn; it keeps its previous value.
            if (Object.hasOwn(previousDefaults, preference.preferenceName))
              preference.previousValue = previousDefaults[preference.preferenceName] ?? null;
          }
        });
        const allMatch = rollout.preferences.every(
          ({ preferenceName, value, previousValue }) =>
            Object.hasOwn(previousDefaults, preferenceName) && value === previousValue,
        );
        if (allMatch) await this.graduate(rollout, "all-prefs-match");
      }
    }
    const owned = new Set(active.flatMap((rollout) => rollout.preferences.map(({ preferenceName }) => preferenceName)));
    await undoUnownedStartupPrefs(
      this.deps.prefs,
      application.rollouts,
      (name) => owned.has(name),
      "rollout",
      this.deps.warn,
    );
  }

  /** The add-on stops managing the rollout's prefs; their defaults stay as they are for this session. */
  private async graduate(rollout: PreferenceRollout, reason: "all-prefs-match" | "in-graduation-set"): Promise<void> {
    await this.deps.store.update(rollout.slug, (stored) => {
      stored.state = "graduated";
    });
    await this.telemetry.recordEvent("graduate", "preference_rollout", rollout.slug, {
      reason,
      enrollmentId: rollout.enrollmentId,
    });
    await this.forgetIfForced(rollout.slug);
  }

  /**
   * Writes each default in order; when one fails, those written are put back as they were and the error is
   * passed on, so a failed run leaves the prefs as the record describes them.
   */
  private async changeDefaults(changes: DefaultChange[]): Promise<void> {
    const done: DefaultChange[] = [];
    try {
      for (const change of changes) {
        await setDefault(this.deps.prefs, change.name, change.to);
        done.push(change);
      }
    } catch (error) {
      for (const change of done.reverse()) {
        await setDefault(this.deps.prefs, change.name, change.from).catch((undoError: unknown) =>
          this.deps.warn(`Putting back the default of ${change.name} failed: ${String(undoError)}`),
        );
      }
      throw error;
    }
  }

  /** The values of the active rollouts, for the prefs API to re-apply at the next start. */
  private async saveStartupPrefs(): Promise<void> {
    const startupPrefs: Record<string, PrefValue> = {};
    for (const rollout of await this.deps.store.getAllActive()) {
      for (const { preferenceName, value } of rollout.preferences) setOwnProperty(startupPrefs, preferenceName, value);
    }
    await this.deps.prefs.setStartupPrefs("rollouts", startupPrefs);
  }

  private annotate(rollout: PreferenceRollout): Promise<void> {
    return this.telemetry.setExperimentActive(rollout.slug, ROLLOUT_BRANCH, {
      type: "normandy-prefrollout",
      enrollmentId: rollout.enrollmentId,
    });
  }
}
