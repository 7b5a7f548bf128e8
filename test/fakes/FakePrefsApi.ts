import {
  STARTUP_PREFS_BRANCHES,
  STARTUP_PREFS_ORDER,
  type AppliedStartupPrefs,
  type PrefBranch,
  type PrefsApi,
  type PrefType,
  type PrefValue,
  type StartupPrefApplication,
  type StartupPrefsSubtree,
} from "../../experiment-apis/prefs/interface.js";

type PrefListener = (name: string) => void;

/** libpref's integer prefs are 32-bit; the parent script refuses any other number (its `assertStorable`). */
const INT_PREF_MIN = -(2 ** 31);
const INT_PREF_MAX = 2 ** 31 - 1;

function assertStorable(name: string, value: PrefValue): void {
  if (typeof value === "number" && !(Number.isInteger(value) && value >= INT_PREF_MIN && value <= INT_PREF_MAX)) {
    throw new Error(`Cannot set pref "${name}" to ${value}: number prefs must be 32-bit integers`);
  }
}

/**
 * In-memory prefs with Firefox's two branches: the effective value is the user value, else the default.
 * Like libpref, a pref keeps its type (writing another type throws) and observers hear of a change of a
 * pref's effective value; like the extension API, they hear of it asynchronously (`settled()` waits).
 * `restart()` plays a Firefox restart: defaults back to the shipped ones, observers gone, then the
 * parent script's start-up re-application of the stored rollout and study values; `restartAddon()` plays
 * the add-on starting again within one Firefox session (the defaults it set are still there).
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
  /** The user values as prefs.js last saved them. */
  private savedUser = new Map<string, PrefValue>();
  private pending: Promise<unknown>[] = [];

  async getPref(name: string, branch: PrefBranch): Promise<PrefValue | null> {
    if (branch === "default") return this.defaults.get(name) ?? null;
    return this.effective(name);
  }

  async setPref(name: string, value: PrefValue, branch: PrefBranch): Promise<void> {
    assertStorable(name, value);
    const type = this.typeOf(name);
    if (type !== "invalid" && type !== typeOfValue(value))
      throw new Error(`${name}: the pref already has type ${type}`);
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

  async setStartupPrefs(subtree: StartupPrefsSubtree, prefs: Record<string, PrefValue>): Promise<void> {
    const branch = STARTUP_PREFS_BRANCHES[subtree];
    // Checked first, as the parent script does, so a bad value never leaves the stored set half replaced.
    for (const [name, value] of Object.entries(prefs)) assertStorable(`${branch}${name}`, value);
    for (const name of [...this.user.keys()]) {
      if (name.startsWith(branch)) this.user.delete(name);
    }
    for (const [name, value] of Object.entries(prefs)) this.user.set(`${branch}${name}`, value);
    this.savedUser = new Map(this.user);
  }

  /**
   * A crash: user values changed since the pref file was last saved (by `setStartupPrefs`, as the real API
   * saves it there) are lost, as Firefox writes prefs.js a little after each change. Call before `restart()`.
   */
  loseUnsavedChanges(): void {
    this.user.clear();
    for (const [name, value] of this.savedUser) this.user.set(name, value);
  }

  /** The stored values of one subtree, by pref name (what the next start-up will apply). */
  startupPrefs(subtree: StartupPrefsSubtree): Record<string, PrefValue> {
    const branch = STARTUP_PREFS_BRANCHES[subtree];
    return Object.fromEntries(
      [...this.user]
        .filter(([name]) => name.startsWith(branch))
        .map(([name, value]) => [name.slice(branch.length), value]),
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
      // The schema's `minItems: 1`: Firefox refuses a listener for no pref at all.
      if (names.length === 0) throw new Error("onPrefChanged.addListener: names must name at least one pref");
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
   * defines, maybe new ones after an update), listeners are gone; then the stored values are applied to the
   * default branch as the parent script's `onStartup()` does.
   */
  restart(shippedDefaults: Record<string, PrefValue> = {}): void {
    this.defaults.clear();
    for (const [name, value] of Object.entries(shippedDefaults)) this.defaults.set(name, value);
    this.start(true);
  }

  /** The add-on starting again within the same Firefox session: the defaults stay as they are. */
  restartAddon(): void {
    this.start(false);
  }

  private start(firstInSession: boolean): void {
    this.listeners.clear();
    this.pending = [];
    const applied = Object.fromEntries(
      STARTUP_PREFS_ORDER.map((subtree) => [subtree, this.applyStartupPrefs(subtree)]),
    );
    this.startupApplication = {
      ...(applied as Record<StartupPrefsSubtree, AppliedStartupPrefs>),
      appliedAtMs: ++this.msSinceProcessStart,
      firstInSession,
    };
  }

  private applyStartupPrefs(subtree: StartupPrefsSubtree): AppliedStartupPrefs {
    const applied: AppliedStartupPrefs = { previousDefaults: {}, skipped: [] };
    for (const [name, value] of Object.entries(this.startupPrefs(subtree))) {
      const type = this.typeOf(name);
      if (type !== "invalid" && type !== typeOfValue(value)) {
        applied.skipped.push(name);
        continue;
      }
      applied.previousDefaults[name] = this.defaults.get(name) ?? null;
      this.defaults.set(name, value);
    }
    return applied;
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
