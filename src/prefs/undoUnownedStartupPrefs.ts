import type { AppliedStartupPrefs, PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { setDefault } from "./setDefault.js";

/**
 * The part of taking in a start-up re-application (`PrefsApi.getStartupApplication`) that rollouts and
 * studies share: a pref re-applied although no active enrollment owns it any more (the add-on stopped
 * between ending the enrollment and saving its startup prefs) gets back the default it had before, and a
 * pref skipped for its type is reported. The owned prefs are each engine's own business.
 */
export async function undoUnownedStartupPrefs(
  prefs: PrefsApi,
  applied: AppliedStartupPrefs,
  isOwned: (name: string) => boolean,
  /** "rollout" or "study", for the warnings. */
  kind: string,
  warn: (message: string) => void,
): Promise<void> {
  for (const [name, previousDefault] of Object.entries(applied.previousDefaults)) {
    if (isOwned(name)) continue;
    try {
      await setDefault(prefs, name, previousDefault);
    } catch (error) {
      warn(`Restoring the default of ${name}, which no active ${kind} owns, failed: ${String(error)}`);
    }
  }
  for (const name of applied.skipped)
    warn(`The stored ${kind} value of ${name} has the wrong type; it was not applied`);
}
