import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { STUDIES_OPT_OUT_PREF } from "../config/ClientConfig.js";

/** The enterprise-policy feature that blocks studies (set by the DisableFirefoxStudies policy). */
export const STUDIES_POLICY_FEATURE = "Shield";

/**
 * Why studies may not run now, or null when they may (Normandy's `BaseStudyAction._preExecution`): an
 * enterprise policy blocks them, or the user turned off "Allow Firefox to install and run studies". A
 * missing opt-out pref counts as allowed, as Normandy reads it with a default of true.
 */
export async function studiesDisabledReason(prefs: PrefsApi): Promise<string | null> {
  if (!(await prefs.isAllowedByPolicy(STUDIES_POLICY_FEATURE))) return "an enterprise policy disables studies";
  if ((await prefs.getPref(STUDIES_OPT_OUT_PREF, "user")) === false) return `studies are turned off (${STUDIES_OPT_OUT_PREF} is false)`;
  return null;
}
