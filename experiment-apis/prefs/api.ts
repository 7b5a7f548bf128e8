/**
 * Parent script of `browser.experiments.prefs`: a thin translation onto `Services.prefs` (and, for the one
 * question that is not a pref, `Services.policies`). Bundled as an IIFE. Firefox reads the class from the
 * sandbox global under the manifest's `experiment_apis` key, "prefsExperiment" (telemetry/api.ts says why
 * keys are not the bare namespace). The manifest lists the "startup" event for it, so `onStartup()` re-applies
 * the stored default-branch values of active rollouts and studies before the background page runs.
 */
import {
  STARTUP_PREFS_BRANCHES,
  STARTUP_PREFS_ORDER,
  type AppliedStartupPrefs,
  type PrefBranch,
  type PrefType,
  type PrefValue,
  type PrefsApi,
  type StartupPrefApplication,
  type StartupPrefsSubtree,
} from "./interface.js";

declare global {
  var prefsExperiment: typeof ExtensionAPI;
}

/** Integer prefs are 32-bit signed in libpref; larger numbers would silently wrap. */
const INT_PREF_MIN = -(2 ** 31);
const INT_PREF_MAX = 2 ** 31 - 1;

/**
 * Set on the default branch only, which Firefox never saves: present at start-up means the add-on already
 * applied its startup prefs in this Firefox process (it was updated or re-enabled since).
 */
const APPLIED_IN_SESSION_MARKER = "extensions.recipeclient.startupPrefsAppliedInSession";

function prefBranch(branch: PrefBranch): GeckoPrefBranch {
  return branch === "default" ? Services.prefs.getDefaultBranch("") : Services.prefs;
}

function prefTypeName(type: number): PrefType {
  const prefs = Services.prefs;
  if (type === prefs.PREF_STRING) return "string";
  if (type === prefs.PREF_INT) return "integer";
  if (type === prefs.PREF_BOOL) return "boolean";
  return "invalid";
}

function prefTypeOfValue(value: PrefValue): PrefType {
  return typeof value === "number" ? "integer" : typeof value === "string" ? "string" : "boolean";
}

function readPref(branch: GeckoPrefBranch, name: string): PrefValue | null {
  switch (prefTypeName(branch.getPrefType(name))) {
    case "string":
      return branch.getStringPref(name);
    case "integer":
      return branch.getIntPref(name);
    case "boolean":
      return branch.getBoolPref(name);
    case "invalid":
      return null;
  }
}

/** Rejects numbers libpref cannot store; checked before writing so the message names the pref. */
function assertStorable(name: string, value: PrefValue): void {
  if (typeof value === "number" && !(Number.isInteger(value) && value >= INT_PREF_MIN && value <= INT_PREF_MAX)) {
    throw new ExtensionUtils.ExtensionError(
      `Cannot set pref "${name}" to ${value}: number prefs must be 32-bit integers`,
    );
  }
}

function writePref(branch: GeckoPrefBranch, name: string, value: PrefValue): void {
  switch (typeof value) {
    case "string":
      branch.setStringPref(name, value);
      return;
    case "boolean":
      branch.setBoolPref(name, value);
      return;
    case "number":
      branch.setIntPref(name, value);
      return;
  }
}

/** Reads `name` on the default branch only; null when the pref has no default value. */
function readDefaultPref(name: string): PrefValue | null {
  try {
    return readPref(Services.prefs.getDefaultBranch(""), name);
  } catch {
    return null; // a user-only pref
  }
}

/**
 * Copies every stored value of one subtree onto the default branch, as Normandy's `applyStartupPrefs` does at
 * Firefox start-up. A value whose type differs from the pref's type is skipped (libpref would refuse it).
 */
function applyStartupPrefs(subtree: StartupPrefsSubtree): AppliedStartupPrefs {
  const stored = Services.prefs.getBranch(STARTUP_PREFS_BRANCHES[subtree]);
  const defaults = Services.prefs.getDefaultBranch("");
  const applied: AppliedStartupPrefs = { previousDefaults: {}, skipped: [] };
  for (const name of stored.getChildList("")) {
    try {
      const value = readPref(stored, name);
      if (value === null) continue;
      const existingType = prefTypeName(Services.prefs.getPrefType(name));
      if (existingType !== "invalid" && existingType !== prefTypeOfValue(value)) {
        applied.skipped.push(name);
        continue;
      }
      const previous = readDefaultPref(name);
      writePref(defaults, name, value);
      applied.previousDefaults[name] = previous;
    } catch {
      applied.skipped.push(name);
    }
  }
  return applied;
}

/** Applies every subtree, rollouts first, and tells whether this is the first time in this Firefox process. */
function applyAllStartupPrefs(): StartupPrefApplication {
  const defaults = Services.prefs.getDefaultBranch("");
  const firstInSession = !defaults.getBoolPref(APPLIED_IN_SESSION_MARKER, false);
  const subtrees = Object.fromEntries(STARTUP_PREFS_ORDER.map((subtree) => [subtree, applyStartupPrefs(subtree)]));
  defaults.setBoolPref(APPLIED_IN_SESSION_MARKER, true);
  return {
    ...(subtrees as Record<StartupPrefsSubtree, AppliedStartupPrefs>),
    appliedAtMs: Services.telemetry.msSinceProcessStart(),
    firstInSession,
  };
}

/**
 * One pref observer for a listener's names. Firefox calls a pref observer for every pref whose name starts
 * with the observed one ("a.b" also for "a.bc" and "a.b.c"), so only exact names fire, and a name under
 * another watched name gets no observer of its own (it would fire twice).
 */
function observePrefs(names: readonly string[], onChange: (name: string) => void): () => void {
  const watched = new Set(names);
  const domains = [...watched].filter(
    (name) => ![...watched].some((other) => other !== name && name.startsWith(other)),
  );
  const observer: GeckoObserver = {
    observe(_subject, _topic, changed) {
      if (watched.has(changed)) onChange(changed);
    },
  };
  for (const domain of domains) Services.prefs.addObserver(domain, observer);
  return () => {
    for (const domain of domains) Services.prefs.removeObserver(domain, observer);
  };
}

type PrefFunctions = Omit<PrefsApi, "onPrefChanged" | "getStartupApplication">;

const prefFunctions: PrefFunctions = {
  async getPref(name, branch) {
    try {
      return readPref(prefBranch(branch), name);
    } catch {
      // The pref exists but has no value on this branch (e.g. a user-only pref read on "default").
      return null;
    }
  },

  async setPref(name, value, branch) {
    assertStorable(name, value);
    const existingType = prefTypeName(Services.prefs.getPrefType(name));
    try {
      writePref(prefBranch(branch), name, value);
    } catch (error) {
      // libpref refuses to change a pref's type; say so, and pass anything else on verbatim.
      const typeConflict = existingType !== "invalid" && existingType !== prefTypeOfValue(value);
      const reason = typeConflict ? `the pref already has type ${existingType}` : String(error);
      throw new ExtensionUtils.ExtensionError(
        `Cannot set pref "${name}" to ${JSON.stringify(value)} on the ${branch} branch: ${reason}`,
      );
    }
  },

  async clearUserPref(name) {
    Services.prefs.clearUserPref(name);
  },

  async prefHasUserValue(name) {
    return Services.prefs.prefHasUserValue(name);
  },

  async getPrefType(name) {
    return prefTypeName(Services.prefs.getPrefType(name));
  },

  async deletePref(name) {
    if (Services.prefs.prefHasUserValue(name)) {
      throw new ExtensionUtils.ExtensionError(`Cannot delete pref "${name}": it has a user value`);
    }
    if (Services.prefs.getChildList(`${name}.`).length > 0) {
      throw new ExtensionUtils.ExtensionError(
        `Cannot delete pref "${name}": deleting it would delete the prefs under "${name}." too`,
      );
    }
    Services.prefs.deleteBranch(name);
  },

  async setStartupPrefs(subtree, prefs) {
    const branch = STARTUP_PREFS_BRANCHES[subtree];
    const entries = Object.entries(prefs);
    // Check everything first, so a bad value never leaves the stored set half replaced.
    for (const [name, value] of entries) assertStorable(`${branch}${name}`, value);
    const stored = Services.prefs.getBranch(branch);
    // Cleared first: a user-only pref cannot change its type, and a cleared one no longer exists.
    for (const name of stored.getChildList("")) stored.clearUserPref(name);
    for (const [name, value] of entries) writePref(stored, name, value);
    // Firefox writes prefs.js a little after the last change; a crash in between would lose these values
    // (and the prefs changed just before) while the add-on's storage already says they were changed.
    Services.prefs.savePrefFile(null);
  },

  async isAllowedByPolicy(feature) {
    return Services.policies.isAllowed(feature);
  },
};

globalThis.prefsExperiment = class PrefsExperimentApi extends ExtensionAPI {
  private startupApplication: StartupPrefApplication | null = null;

  /** Runs at extension start-up, before the background page (manifest `events: ["startup"]`). */
  override onStartup(): void {
    this.startupApplication = applyAllStartupPrefs();
  }

  getAPI(context: GeckoExtensionContext) {
    const prefs: PrefsApi = {
      ...prefFunctions,
      getStartupApplication: async () => this.startupApplication,
      onPrefChanged: new ExtensionCommon.EventManager({
        context,
        name: "experiments.prefs.onPrefChanged",
        register: (fire, names: string[]) => observePrefs(names, (name) => fire.async(name)),
      }).api() as PrefsApi["onPrefChanged"],
    };
    return { experiments: { prefs } };
  }
};
