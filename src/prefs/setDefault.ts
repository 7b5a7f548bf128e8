import type { PrefsApi, PrefValue } from "../../experiment-apis/prefs/interface.js";

/**
 * Sets a pref's default-branch value; null takes the default away by deleting the pref, which is how a pref
 * that had no default before the add-on changed it is restored: Normandy cannot undo such a default until
 * the next restart (bug 1502410). With a user value on top the pref is left alone, since deleting would take
 * the user's value too; the default is gone at the next restart, as no startup pref holds it any more.
 */
export async function setDefault(prefs: PrefsApi, name: string, value: PrefValue | null): Promise<void> {
  if (value !== null) {
    await prefs.setPref(name, value, "default");
  } else if (!(await prefs.prefHasUserValue(name))) {
    await prefs.deletePref(name);
  }
}
