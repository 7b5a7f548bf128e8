import {
  STARTUP_EXPERIMENT_PREFS_BRANCH,
  type PrefBranch,
  type PrefsApi,
  type PrefType,
  type PrefValue,
  type StartupPrefApplication,
} from "../../experiment-apis/prefs/interface.js";

type PrefListener = (name: string) => void;

/**
 * In-memory prefs with Firefox's two branches: the effective value is the user value, else the default.
 * Like libpref, a pref keeps its type (writing another type throws) and observers hear of a change of a
 * pref's effective value; like the extension API, they hear of it asynchronously (`settled()` waits).
 * `restart()` plays a Firefox restart: defaults back to the shipped ones, observers gone, then the
 * parent script's start-up re-application of the stored study values.
 */
export class FakePrefsApi implements PrefsApi {
  readonly defaults = new Map<string, PrefValue>();
  readonly user = new Map<string, PrefValue>();
  /** Features an enterprise policy blocks (e.g. "Shield"). */
  readonly blockedByPolicy = new Set<string>();
  startupApplication: StartupPrefApplication | null = null;
  /** Process clock for `appliedAtMs`. */
  msSinceProcessStart = 0;

  private readonly listeners = new Map<PrefListener, Set<string>>();
  private pending: Promise<unknown>[] = [];

  async getPref(name: string, branch: PrefBranch): Promise<PrefValue | null> {
    if (branch === "default") return this.defaults.get(name) ?? null;
    return this.effective(name);
  }

  async setPref(name: string, value: PrefValue, branch: PrefBranch): Promise<void> {
    if (typeof value === "number" && !Number.isInteger(value)) throw new Error(`${name}: ${value} is not an integer`);
    const type = this.typeOf(name);
    if (type !== "invalid" && type !== typeOfValue(value)) throw new Error(`${name}: the pref already has type ${type}`);
    this.changing(name, () => (branch === "default" ? this.defaults : this.user).set(name, value));
  }

  async clearUserPref(name: string): Promise<void> {
    this.changing(name, () => this.user.delete(name));
  }

  async prefHasUserValue(name: string): Promise<boolean> {
    return this.user.has(name);
  }

  async getPrefType(name: string): Promise<PrefType> {
    return this.typeOf(name);
  }

  async deletePref(name: string): Promise<void> {
    if (this.user.has(name)) throw new Error(`Cannot delete pref "${name}": it has a user value`);
    if ([...this.defaults.keys(), ...this.user.keys()].some((other) => other.startsWith(`${name}.`))) {
      throw new Error(`Cannot delete pref "${name}": it has child prefs`);
    }
    this.changing(name, () => this.defaults.delete(name));
  }

  async setStartupExperimentPrefs(prefs: Record<string, PrefValue>): Promise<void> {
    for (const name of [...this.user.keys()]) {
      if (name.startsWith(STARTUP_EXPERIMENT_PREFS_BRANCH)) this.user.delete(name);
    }
    for (const [name, value] of Object.entries(prefs)) this.user.set(`${STARTUP_EXPERIMENT_PREFS_BRANCH}${name}`, value);
  }

  /** The stored study values, by pref name (what the next start-up will apply). */
  startupExperimentPrefs(): Record<string, PrefValue> {
    return Object.fromEntries(
      [...this.user]
        .filter(([name]) => name.startsWith(STARTUP_EXPERIMENT_PREFS_BRANCH))
        .map(([name, value]) => [name.slice(STARTUP_EXPERIMENT_PREFS_BRANCH.length), value]),
    );
  }

  async getStartupApplication(): Promise<StartupPrefApplication | null> {
    return this.startupApplication;
  }

  async isAllowedByPolicy(feature: string): Promise<boolean> {
    return !this.blockedByPolicy.has(feature);
  }

  readonly onPrefChanged = {
    addListener: (listener: PrefListener, names: string[]) => {
      this.listeners.set(listener, new Set(names));
    },
    removeListener: (listener: PrefListener) => {
      this.listeners.delete(listener);
    },
    hasListener: (listener: PrefListener) => this.listeners.has(listener),
  };

  /** How many listeners currently watch `name`. */
  listenerCount(name: string): number {
    return [...this.listeners.values()].filter((names) => names.has(name)).length;
  }

  /** Resolves once every notification so far has been delivered and its listener's work is done. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await Promise.allSettled(batch);
    }
  }

  /**
   * A Firefox restart: user values stay, the defaults are `shippedDefaults` (the prefs Firefox itself
   * defines, maybe new ones after an update), listeners are gone; then the stored study values are applied
   * to the default branch as the parent script's `onStartup()` does.
   */
  restart(shippedDefaults: Record<string, PrefValue> = {}): void {
    this.listeners.clear();
    this.pending = [];
    this.defaults.clear();
    for (const [name, value] of Object.entries(shippedDefaults)) this.defaults.set(name, value);
    const application: StartupPrefApplication = { appliedAtMs: ++this.msSinceProcessStart, changed: {}, skipped: [] };
    for (const [name, value] of Object.entries(this.startupExperimentPrefs())) {
      const type = this.typeOf(name);
      if (type !== "invalid" && type !== typeOfValue(value)) {
        application.skipped.push(name);
        continue;
      }
      const previous = this.defaults.get(name) ?? null;
      if (previous === value) continue;
      this.defaults.set(name, value);
      application.changed[name] = previous;
    }
    this.startupApplication = application;
  }

  /** Runs a write and notifies the observers of `name` when its effective value changed. */
  private changing(name: string, write: () => void): void {
    const before = this.effective(name);
    write();
    if (this.effective(name) === before) return;
    for (const [listener, names] of this.listeners) {
      if (names.has(name)) this.pending.push(Promise.resolve().then(() => listener(name)));
    }
  }

  private effective(name: string): PrefValue | null {
    return this.user.get(name) ?? this.defaults.get(name) ?? null;
  }

  private typeOf(name: string): PrefType {
    const value = this.user.get(name) ?? this.defaults.get(name);
    return value === undefined ? "invalid" : typeOfValue(value);
  }
}

function typeOfValue(value: PrefValue): PrefType {
  return typeof value === "number" ? "integer" : (typeof value as "string" | "boolean");
}
