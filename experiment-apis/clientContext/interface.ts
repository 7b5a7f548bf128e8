/**
 * The `browser.experiments.clientContext` namespace: what Firefox knows about itself that a recipe filter can
 * read as `normandy.<attribute>` (reference §3.3). Each function returns plain JSON in the shape Firefox
 * holds it; turning that into Normandy's attributes (os flags, Dates, device totals) is done in
 * `src/context/`, where it is unit-tested. The cheap, synchronous reads come together in `getAppFacts`;
 * everything that may be slow or fail on its own (region, shell, search, add-ons, telemetry, attribution) has
 * its own function so a filter only pays for what it reads. Declared once here; implemented by the parent script (`api.ts`) and
 * by the fake in `test/fakes/`. `schema.json` must agree (checked by `test/unit/schemas.test.ts`).
 */
import type { ParameterNames } from "../schemaContract.js";

/** Facts read synchronously from constants and prefs, in one round trip. */
export interface AppFacts {
  /** `AppConstants.MOZ_APP_VERSION_DISPLAY`, e.g. "153.7.0esr". */
  version: string;
  /** `UpdateUtils.getUpdateChannel(false)`: "release", "esr", "beta", "nightly", "default", … */
  channel: string;
  /** `Services.locale.appLocaleAsBCP47`, e.g. "en-US". */
  locale: string;
  /** The default branch's `distribution.id`, "default" when there is none. */
  distribution: string;
  /** Pref `privacy.donottrackheader.enabled`. */
  doNotTrack: boolean;
  /** Whether `services.sync.username` has a user value. */
  syncSetup: boolean;
  /** Prefs `services.sync.clients.devices.desktop` / `.mobile`, 0 when unset. */
  syncDesktopDevices: number;
  syncMobileDevices: number;
  /** `AppConstants.platform`: "linux", "win", "macosx", "android", … */
  platform: string;
  os: OsInfo;
  appinfo: AppInfo;
}

export interface OsInfo {
  /** `Services.appinfo.OS`: "Linux", "WINNT", "Darwin", "Android", … */
  name: string;
  /** `Services.sysinfo` "version" (kernel version on Linux, NT version on Windows, Darwin version on macOS). */
  version: string | null;
  /** From `WindowsVersionInfo`; null on other systems or when Windows does not say. */
  windowsBuildNumber: number | null;
}

/** A JSON copy of `Services.appinfo` (nsIXULAppInfo + nsIXULRuntime); null where Firefox throws. */
export interface AppInfo {
  ID: string | null;
  name: string | null;
  vendor: string | null;
  version: string | null;
  appBuildID: string | null;
  platformVersion: string | null;
  platformBuildID: string | null;
  OS: string | null;
  XPCOMABI: string | null;
  widgetToolkit: string | null;
  lastAppVersion: string | null;
  lastAppBuildID: string | null;
  inSafeMode: boolean | null;
}

/** One installed add-on, from `AddonManager.getAllAddons()`. */
export interface AddonFacts {
  id: string;
  isActive: boolean;
  name: string;
  type: string;
  version: string | null;
  /** ISO 8601 (dates do not survive the schema's JSON); null when Firefox has none (some built-in add-ons). */
  installDate: string | null;
}

/** One plugin (GMP: OpenH264, Widevine, …), from `AddonManager.getAddonsByTypes(["plugin"])`. */
export interface PluginFacts {
  name: string;
  description: string | null;
  /** Null until the plugin is downloaded. */
  version: string | null;
}

/** One entry of Firefox's telemetry archive (`TelemetryArchive.promiseArchivedPingList()`). */
export interface ArchivedPingEntry {
  id: string;
  type: string;
  /** Milliseconds since the epoch. */
  timestampCreated: number;
}

/**
 * A telemetry ping as Firefox assembles and archives it (format version 4): an archived one from
 * `TelemetryArchive.promiseArchivedPingById`, the live main ping from `TelemetryController.getCurrentPingData()`.
 * Only the members filters are known to read are spelled out; the rest is whatever Firefox put there.
 */
export interface TelemetryPing {
  type: string;
  id: string;
  /** ISO 8601. */
  creationDate: string;
  version: number;
  application: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** Absent from pings submitted without `addEnvironment`. */
  environment?: TelemetryEnvironment;
  [member: string]: unknown;
}

/** `TelemetryEnvironment.currentEnvironment` as a ping carries it. */
export interface TelemetryEnvironment {
  build: Record<string, unknown>;
  partner: Record<string, unknown>;
  system: Record<string, unknown>;
  settings: Record<string, unknown>;
  /** Days since the epoch (Firefox's ProfileAge, `times.json`). */
  profile: { creationDate?: number; firstUseDate?: number; resetDate?: number };
  addons: Record<string, unknown>;
  [section: string]: unknown;
}

/**
 * The install attribution `AttributionCode.getAttrDataAsync()` gives: the keys of the installer's attribution
 * code (source, medium, campaign, content, experiment, variation, ua, dltoken, msstoresignedin, msclkid,
 * dlsource), each present only when the code had it.
 */
export type Attribution = Record<string, string | boolean>;

export interface ClientContextApi {
  getAppFacts(): Promise<AppFacts>;
  /** `Region.home` (ISO 3166 alpha-2), null while Firefox has not determined it. */
  getHomeRegion(): Promise<string | null>;
  /** `ShellService.isDefaultBrowser()`. */
  isDefaultBrowser(): Promise<boolean>;
  /** The default search engine's `telemetryId` (what Normandy's `searchEngine` is), null without one. */
  getDefaultSearchEngine(): Promise<string | null>;
  /** Every installed add-on, by id. */
  getAddons(): Promise<Record<string, AddonFacts>>;
  /** Every plugin, by name. */
  getPlugins(): Promise<Record<string, PluginFacts>>;
  /** Every ping in Firefox's telemetry archive (kept ~180 days), in the archive's order. */
  getArchivedPingList(): Promise<ArchivedPingEntry[]>;
  /** One archived ping, by its id from `getArchivedPingList`. */
  getArchivedPing(id: string): Promise<TelemetryPing>;
  /**
   * The main ping as Firefox would submit it now (`TelemetryController.getCurrentPingData()`); null while Firefox
   * records no telemetry at all (`Services.telemetry.canRecordBase` false). Gathering its payload (histograms,
   * scalars) takes 20 to 80 ms of the parent's main thread.
   */
  getCurrentMainPing(): Promise<TelemetryPing | null>;
  /**
   * The environment that ping would carry (`TelemetryEnvironment.currentEnvironment`, well under a millisecond),
   * null when there would be no ping (as above).
   */
  getCurrentEnvironment(): Promise<TelemetryEnvironment | null>;
  /** The install attribution; null where Firefox has none (on Linux, always: only Windows and macOS installers attribute). */
  getAttribution(): Promise<Attribution | null>;
}

/** Parameter names of each function, in schema order (see `../schemaContract.ts`). */
export const CLIENT_CONTEXT_API_PARAMETERS = {
  getAppFacts: [],
  getHomeRegion: [],
  isDefaultBrowser: [],
  getDefaultSearchEngine: [],
  getAddons: [],
  getPlugins: [],
  getArchivedPingList: [],
  getArchivedPing: ["id"],
  getCurrentMainPing: [],
  getCurrentEnvironment: [],
  getAttribution: [],
} as const satisfies ParameterNames<ClientContextApi>;
