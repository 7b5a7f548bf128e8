/**
 * Parent script of `browser.experiments.prefs`: a thin translation onto `Services.prefs`.
 * Bundled as an IIFE. Firefox reads the class from the sandbox global under the manifest's
 * `experiment_apis` key, "prefsExperiment" (telemetry/api.ts says why keys are not the bare namespace).
 */
import type { PrefBranch, PrefType, PrefValue, PrefsApi } from "./interface.js";

declare global {
  var prefsExperiment: typeof ExtensionAPI;
}

/** Integer prefs are 32-bit signed in libpref; larger numbers would silently wrap. */
const INT_PREF_MIN = -(2 ** 31);
const INT_PREF_MAX = 2 ** 31 - 1;

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

const prefsApi: PrefsApi = {
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
};

globalThis.prefsExperiment = class PrefsExperimentApi extends ExtensionAPI {
  getAPI(_context: GeckoExtensionContext) {
    return { experiments: { prefs: prefsApi } };
  }
};
