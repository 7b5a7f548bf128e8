/** Firefox preference values as the prefs experiment API passes them, and the parts of it filters read. */
export type PrefBranch = "default" | "user";
export type PrefValue = string | number | boolean;
export type PrefType = "string" | "integer" | "boolean" | "invalid";

/** What the preference transforms of filters read. "user" reads the effective value (user, else default). */
export interface FilterPrefsReader {
  getPref(name: string, branch: PrefBranch): Promise<PrefValue | null>;
  prefHasUserValue(name: string): Promise<boolean>;
  getPrefType(name: string): Promise<PrefType>;
}
