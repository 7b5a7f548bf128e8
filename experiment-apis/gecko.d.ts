/**
 * Hand-written ambient declarations for the chrome globals our experiment parent scripts use. Firefox
 * loads each script into the ext-*.js sandbox (ESR 153 `ExtensionCommon.sys.mjs` `_createExtGlobal`),
 * whose globals include `Services`, `ChromeUtils`, `Cu`, `Glean`, `ExtensionAPI` and a lazy
 * `ExtensionUtils`. Only the members we call are declared, with the shapes Gecko's XPIDL gives them.
 */

/** `nsIPrefBranch`: the root branch and `getDefaultBranch("")` share this shape. */
interface GeckoPrefBranch {
  readonly PREF_INVALID: number;
  readonly PREF_STRING: number;
  readonly PREF_INT: number;
  readonly PREF_BOOL: number;
  /** The pref's type, PREF_INVALID when it does not exist; the type does not depend on the branch. */
  getPrefType(name: string): number;
  /** The getters throw when the pref has no value on this branch. */
  getStringPref(name: string): string;
  getIntPref(name: string): number;
  getBoolPref(name: string): boolean;
  /** The setters throw when the pref already exists with another type. */
  setStringPref(name: string, value: string): void;
  setIntPref(name: string, value: number): void;
  setBoolPref(name: string, value: boolean): void;
  prefHasUserValue(name: string): boolean;
  clearUserPref(name: string): void;
  /** Names of every pref starting with `startingAt` (relative to this branch's root). */
  getChildList(startingAt: string): string[];
  /**
   * Removes `startingAt` and every pref under `startingAt.` from libpref entirely, both values. Firefox
   * notifies `domain` observers of every pref whose name starts with `domain`, so observers filter by name.
   */
  deleteBranch(startingAt: string): void;
  addObserver(domain: string, observer: GeckoObserver): void;
  removeObserver(domain: string, observer: GeckoObserver): void;
}

/** `nsIObserver`; for pref observers `data` is the changed pref's name. */
interface GeckoObserver {
  observe(subject: unknown, topic: string, data: string): void;
}

/** `nsIPrefService`, i.e. `Services.prefs`. */
interface GeckoPrefService extends GeckoPrefBranch {
  getDefaultBranch(root: string): GeckoPrefBranch;
  /** The user-branch view of prefs under `root`. */
  getBranch(root: string): GeckoPrefBranch;
  /** Writes prefs.js now (null: the profile's own file), instead of soon after the last change. */
  savePrefFile(file: null): void;
}

/** `nsIFOG`, i.e. `Services.fog` (main process only). */
interface GeckoFog {
  /**
   * Registers a Glean metric at run time (JOG). `lifetime` is JSON: `'"ping"'`, not `"ping"`.
   * `extraArgs` is JSON too, e.g. `{"allowed_extra_keys": [...]}` for events.
   */
  registerRuntimeMetric(
    type: string,
    category: string,
    name: string,
    pings: string[],
    lifetime: string,
    disabled: boolean,
    extraArgs?: string,
  ): void;
  /** Glean's experiment annotation; `extra` holds strings only (Normandy: `type`, `enrollmentId`). */
  setExperimentActive(experimentId: string, branch: string, extra?: Record<string, string>): void;
  setExperimentInactive(experimentId: string): void;
}

declare const Services: {
  readonly prefs: GeckoPrefService;
  readonly fog: GeckoFog;
  readonly telemetry: { msSinceProcessStart(): number; readonly canRecordBase: boolean };
  readonly appinfo: GeckoAppInfo;
  readonly locale: { readonly appLocaleAsBCP47: string };
  /** `nsISystemInfo`; `getProperty` throws for a property this system does not have. */
  readonly sysinfo: { getProperty(name: string): unknown };
  /** Enterprise policies: `isAllowed(feature)` is false when a policy blocks it (e.g. "Shield"). */
  readonly policies: { isAllowed(feature: string): boolean };
};

declare const ChromeUtils: {
  /** Loads a system ES module (`resource://…` or `moz-src:///…`); throws when the URL does not exist. */
  importESModule<T = Record<string, unknown>>(url: string): T;
};

declare const Cu: {
  /** Copies a value into `target`'s compartment, e.g. to turn privileged objects into plain data. */
  cloneInto<T>(value: T, target: object): T;
};

/** A Glean event metric, as seen from privileged JS. */
interface GleanEventMetric {
  record(extra?: Record<string, string>): void;
  testGetValue(pingName?: string): GleanEventRecord[] | null;
}

/** A Glean quantity metric (one label of a labeled quantity). */
interface GleanQuantityMetric {
  set(value: number): void;
  testGetValue(pingName?: string): number | null;
}

/** A Glean timing distribution; a sample is in the metric's time unit, `testGetValue()` sums nanoseconds. */
interface GleanTimingDistributionMetric {
  accumulateSingleSample(sample: number): void;
  testGetValue(pingName?: string): { sum: number; count: number; values: Record<string, number> } | null;
}

/** A labeled quantity: indexing with a label gives that label's quantity. */
interface GleanLabeledQuantityMetric {
  readonly [label: string]: GleanQuantityMetric | undefined;
}

interface GleanEventRecord {
  category: string;
  name: string;
  timestamp: number;
  extra?: Record<string, string>;
}

/**
 * Glean's metrics by camelCased category and metric name. A name Glean does not know reads as
 * undefined, including runtime metrics that have not been registered yet.
 */
declare const Glean: { readonly [category: string]: { readonly [metric: string]: unknown } | undefined };

/** `ExtensionUtils.ExtensionError`: the only error type whose message reaches the extension. */
declare const ExtensionUtils: {
  readonly ExtensionError: new (message: string) => Error;
};

/** The parts of Firefox's `Extension` object the scripts read. */
interface GeckoExtension {
  readonly id: string;
  readonly isPrivileged: boolean;
}

/** An extension context (background page, extension tab, …) handed to `getAPI`. */
interface GeckoExtensionContext {
  readonly extension: GeckoExtension;
}

/** Base class of every API module; Firefox constructs one per extension start. */
declare abstract class ExtensionAPI {
  constructor(extension: GeckoExtension);
  readonly extension: GeckoExtension;
  /** Called once per extension context; the result is merged into that context's `browser`. */
  abstract getAPI(context: GeckoExtensionContext): object;
  /** Called at extension start, only when the manifest's `parent.events` contains "startup". */
  onStartup?(): void;
  /** `isAppShutdown` is true when Firefox itself is quitting. */
  onShutdown?(isAppShutdown: boolean): void;
}

/** Getters with a fallback: they return `defaultValue` instead of throwing when the pref has no value. */
interface GeckoPrefBranch {
  getStringPref(name: string, defaultValue: string): string;
  getIntPref(name: string, defaultValue: number): number;
  getBoolPref(name: string, defaultValue: boolean): boolean;
}

/** `Services.appinfo` (nsIXULAppInfo + nsIXULRuntime). Some getters throw, e.g. XPCOMABI on unknown ABIs. */
interface GeckoAppInfo {
  readonly ID: string;
  readonly name: string;
  readonly vendor: string;
  readonly version: string;
  readonly appBuildID: string;
  readonly platformVersion: string;
  readonly platformBuildID: string;
  readonly OS: string;
  readonly XPCOMABI: string;
  readonly widgetToolkit: string;
  readonly lastAppVersion: string | null;
  readonly lastAppBuildID: string | null;
  readonly inSafeMode: boolean;
}

/** Build-time constants (a global of the ext-*.js sandbox). */
declare const AppConstants: {
  /** The version as users see it, e.g. "153.7.0esr". */
  readonly MOZ_APP_VERSION_DISPLAY: string;
  /** "linux", "win", "macosx", "android", … */
  readonly platform: string;
};

/** The part of `ExtensionCommon.EventManager` an experiment event needs. */
interface GeckoEventFire {
  /** Calls the extension's listener asynchronously with JSON-cloned arguments. */
  async(...args: unknown[]): void;
}

declare const ExtensionCommon: {
  EventManager: new <Extra extends unknown[]>(params: {
    context: GeckoExtensionContext;
    /** Used in error messages, e.g. "experiments.prefs.onPrefChanged". */
    name: string;
    /** Runs for each listener the extension adds (with the schema's extraParameters); returns its unregister. */
    register: (fire: GeckoEventFire, ...extra: Extra) => () => void;
  }) => { api(): object };
};

/** The parent scripts' console: messages go to the browser console. */
declare const console: { warn(...data: unknown[]): void };
