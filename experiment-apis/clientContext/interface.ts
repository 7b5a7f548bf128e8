/**
 * The `browser.experiments.clientContext` namespace: what Firefox knows about itself that a recipe filter can
 * read as `normandy.<attribute>` (reference §3.3). Each function returns plain JSON in the shape Firefox
 * holds it; turning that into Normandy's attributes (os flags, Dates, device totals) is done in
 * `src/context/`, where it is unit-tested. The cheap, synchronous reads come together in `getAppFacts`;
 * everything that may be slow or fail on its own (region, shell, search, add-ons) has its own function so a
 * filter only pays for what it reads. Declared once here; implemented by the parent script (`api.ts`) and
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
}

/** Parameter names of each function, in schema order (see `../schemaContract.ts`). */
export const CLIENT_CONTEXT_API_PARAMETERS = {
  getAppFacts: [],
  getHomeRegion: [],
  isDefaultBrowser: [],
  getDefaultSearchEngine: [],
  getAddons: [],
  getPlugins: [],
} as const satisfies ParameterNames<ClientContextApi>;
