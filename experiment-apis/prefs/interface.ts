/**
 * The `browser.experiments.prefs` namespace: read and write Firefox preferences on either branch, observe
 * them, and keep the default-branch values of active rollouts and studies across restarts. Declared once here;
 * implemented by the parent script (`api.ts`) and by the in-memory fake in `test/fakes/`. `schema.json`
 * must agree with this file (checked by `test/unit/schemas.test.ts`).
 */
import type { EventParameterNames, ExperimentEvent, ParameterNames } from "../schemaContract.js";
import type { PrefBranch, PrefType, PrefValue } from "../../src/core/prefTypes.js";

export type { PrefBranch, PrefType, PrefValue };

/** The two kinds of enrollment whose default-branch values are kept across restarts. */
export type StartupPrefsSubtree = "rollouts" | "experiments";

/**
 * Where the default-branch values of active rollouts and preference studies are kept between sessions (on
 * the user branch, which Firefox saves), like Normandy's `app.normandy.startupRolloutPrefs.<pref>` and
 * `app.normandy.startupExperimentPrefs.<pref>`.
 */
export const STARTUP_PREFS_BRANCHES = {
  rollouts: "extensions.recipeclient.startupRolloutPrefs.",
  experiments: "extensions.recipeclient.startupExperimentPrefs.",
} as const satisfies Record<StartupPrefsSubtree, string>;

/** The order the subtrees are applied in, Normandy's: a study on a rolled-out pref wins over the rollout. */
export const STARTUP_PREFS_ORDER: readonly StartupPrefsSubtree[] = ["rollouts", "experiments"];

/** What the start-up re-application did with one subtree. */
export interface AppliedStartupPrefs {
  /**
   * Every pref copied onto the default branch, with the default it had just before (null: none), equal to
   * the stored value or not (Normandy's "original values").
   */
  previousDefaults: Record<string, PrefValue | null>;
  /** Prefs left alone because the stored value's type differs from the pref's existing type. */
  skipped: string[];
}

/**
 * What the parent script did at extension start-up, before the background page ran: every pref under each
 * of STARTUP_PREFS_BRANCHES was copied onto the default branch, rollouts first.
 */
export interface StartupPrefApplication extends Record<StartupPrefsSubtree, AppliedStartupPrefs> {
  /** When the values were applied, in ms since Firefox's process start. */
  appliedAtMs: number;
  /**
   * True when this was the first application in this Firefox process, so the previous defaults are
   * Firefox's built-in ones. False when the add-on started again within the session (updated, re-enabled):
   * the default branch then still held the values the add-on had set, and they say nothing about the
   * built-in defaults.
   */
  firstInSession: boolean;
}

export interface PrefsApi {
  /** The pref's value on `branch` ("user" reads the effective value), or null when it has none. */
  getPref(name: string, branch: PrefBranch): Promise<PrefValue | null>;
  /** Writes `value` with the type of the JS value (integers for whole numbers). */
  setPref(name: string, value: PrefValue, branch: PrefBranch): Promise<void>;
  clearUserPref(name: string): Promise<void>;
  prefHasUserValue(name: string): Promise<boolean>;
  getPrefType(name: string): Promise<PrefType>;
  /**
   * Removes a pref that has a default value but no user value, as if Firefox had never defined it: the only
   * way to undo a default-branch value on a pref that did not exist. Rejects when the pref has a user value
   * or child prefs (`<name>.…`), which libpref's deleteBranch would remove as well.
   */
  deletePref(name: string): Promise<void>;
  /**
   * Replaces everything under `STARTUP_PREFS_BRANCHES[subtree]` with `prefs` (pref name → default-branch value),
   * then saves the pref file, so these values and every pref changed before survive a crash from then on.
   */
  setStartupPrefs(subtree: StartupPrefsSubtree, prefs: Record<string, PrefValue>): Promise<void>;
  /** What the start-up re-application did in this extension start, or null when it did not run. */
  getStartupApplication(): Promise<StartupPrefApplication | null>;
  /** `Services.policies.isAllowed(feature)`: false when an enterprise policy blocks it (e.g. "Shield"). */
  isAllowedByPolicy(feature: string): Promise<boolean>;
  /**
   * Fires with a pref's name whenever its value changes on either branch (or it is created or removed),
   * for the prefs named when the listener was added; prefs that only share a prefix do not fire.
   */
  onPrefChanged: ExperimentEvent<[name: string], [names: string[]]>;
}

/** Parameter names of each function, in schema order (see `../schemaContract.ts`). */
export const PREFS_API_PARAMETERS = {
  getPref: ["name", "branch"],
  setPref: ["name", "value", "branch"],
  clearUserPref: ["name"],
  prefHasUserValue: ["name"],
  getPrefType: ["name"],
  deletePref: ["name"],
  setStartupPrefs: ["subtree", "prefs"],
  getStartupApplication: [],
  isAllowedByPolicy: ["feature"],
} as const satisfies ParameterNames<PrefsApi>;

/** Listener and extra parameter names of each event, in schema order. */
export const PREFS_API_EVENTS = {
  onPrefChanged: { parameters: ["name"], extraParameters: ["names"] },
} as const satisfies EventParameterNames<PrefsApi>;
