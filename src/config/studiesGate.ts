import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { STUDIES_OPT_OUT_PREF, type ClientConfig } from "./ClientConfig.js";

/** The enterprise-policy feature that blocks studies (set by the DisableFirefoxStudies policy). */
export const STUDIES_POLICY_FEATURE = "Shield";

/**
 * What keeps studies from running now, or null when nothing does (Normandy's
 * `BaseStudyAction._preExecution`): an enterprise policy blocks them, or the user turned off "Allow Firefox
 * to install and run studies". A missing opt-out pref counts as allowed, as Normandy reads it with a default
 * of true.
 */
export async function studiesBlocker(prefs: PrefsApi): Promise<"policy" | "opted-out" | null> {
  if (!(await prefs.isAllowedByPolicy(STUDIES_POLICY_FEATURE))) return "policy";
  if ((await prefs.getPref(STUDIES_OPT_OUT_PREF, "user")) === false) return "opted-out";
  return null;
}

/** Why studies may not run now, or null when they may (see `studiesBlocker`). */
export async function studiesDisabledReason(prefs: PrefsApi): Promise<string | null> {
  switch (await studiesBlocker(prefs)) {
    case "policy":
      return "an enterprise policy disables studies";
    case "opted-out":
      return `studies are turned off (${STUDIES_OPT_OUT_PREF} is false)`;
    case null:
      return null;
  }
}

/** Whether studies may run now: the client is switched on and nothing blocks studies. */
export async function studiesMayRun(config: ClientConfig, prefs: PrefsApi): Promise<boolean> {
  return config.enabled && (await studiesBlocker(prefs)) === null;
}
