import type { PrefBranch, PrefsApi, PrefType, PrefValue } from "../../experiment-apis/prefs/interface.js";

/** In-memory prefs with Firefox's two branches: the effective value is the user value, else the default. */
export class FakePrefsApi implements PrefsApi {
  readonly defaults = new Map<string, PrefValue>();
  readonly user = new Map<string, PrefValue>();

  async getPref(name: string, branch: PrefBranch): Promise<PrefValue | null> {
    if (branch === "default") return this.defaults.get(name) ?? null;
    return this.user.get(name) ?? this.defaults.get(name) ?? null;
  }

  async setPref(name: string, value: PrefValue, branch: PrefBranch): Promise<void> {
    if (typeof value === "number" && !Number.isInteger(value)) throw new Error(`${name}: ${value} is not an integer`);
    (branch === "default" ? this.defaults : this.user).set(name, value);
  }

  async clearUserPref(name: string): Promise<void> {
    this.user.delete(name);
  }

  async prefHasUserValue(name: string): Promise<boolean> {
    return this.user.has(name);
  }

  async getPrefType(name: string): Promise<PrefType> {
    const value = this.user.get(name) ?? this.defaults.get(name);
    if (value === undefined) return "invalid";
    return typeof value === "number" ? "integer" : (typeof value as "string" | "boolean");
  }
}
