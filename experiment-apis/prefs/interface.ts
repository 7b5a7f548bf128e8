/**
 * The `browser.experiments.prefs` namespace: read and write Firefox preferences on either branch.
 * Declared once here; implemented by the parent script (`api.ts`) and by the in-memory fake in
 * `test/fakes/`. `schema.json` must agree with this file (checked by `test/unit/schemas.test.ts`).
 */
import type { ParameterNames } from "../schemaContract.js";

export type PrefBranch = "default" | "user";
export type PrefValue = string | number | boolean;
export type PrefType = "string" | "integer" | "boolean" | "invalid";

export interface PrefsApi {
  /** The pref's value on `branch` ("user" reads the effective value), or null when it has none. */
  getPref(name: string, branch: PrefBranch): Promise<PrefValue | null>;
  /** Writes `value` with the type of the JS value (integers for whole numbers). */
  setPref(name: string, value: PrefValue, branch: PrefBranch): Promise<void>;
  clearUserPref(name: string): Promise<void>;
  prefHasUserValue(name: string): Promise<boolean>;
  getPrefType(name: string): Promise<PrefType>;
}

/** Parameter names of each function, in schema order (see `../schemaContract.ts`). */
export const PREFS_API_PARAMETERS = {
  getPref: ["name", "branch"],
  setPref: ["name", "value", "branch"],
  clearUserPref: ["name"],
  prefHasUserValue: ["name"],
  getPrefType: ["name"],
} as const satisfies ParameterNames<PrefsApi>;
