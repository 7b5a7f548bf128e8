/**
 * Parent script of `browser.experiments.clientContext`: reads what Firefox knows about itself and returns it
 * as plain JSON, the way Normandy's `ClientEnvironment` reads it (ESR 153
 * `components-utils/ClientEnvironment.sys.mjs`). Modules are imported on first use, so a call only loads
 * what it reads. Bundled as an IIFE under the manifest key "clientContextExperiment" (telemetry/api.ts says
 * why keys are not the bare namespace).
 */
import type {
  AddonFacts,
  AppFacts,
  AppInfo,
  ArchivedPingEntry,
  Attribution,
  ClientContextApi,
  OsInfo,
  PluginFacts,
  TelemetryEnvironment,
  TelemetryPing,
} from "./interface.js";

declare global {
  var clientContextExperiment: typeof ExtensionAPI;
}

/** The members of Firefox's modules this script calls (ESR 153 locations, see the experiments notes §1.6). */
interface GeckoAddon {
  readonly id: string;
  readonly isActive: boolean;
  readonly name: string;
  readonly type: string;
  readonly version: string | null;
  readonly description: string | null;
  readonly installDate: Date | null | undefined;
}
interface Modules {
  "resource://gre/modules/UpdateUtils.sys.mjs": { UpdateUtils: { getUpdateChannel(includePartners: boolean): string } };
  "resource://gre/modules/Region.sys.mjs": { Region: { readonly home: string | null } };
  "moz-src:///browser/components/shell/ShellService.sys.mjs": { ShellService: { isDefaultBrowser(): boolean } };
  "moz-src:///toolkit/components/search/SearchService.sys.mjs": {
    SearchService: { getDefault(): Promise<{ readonly telemetryId: string } | null> };
  };
  "resource://gre/modules/AddonManager.sys.mjs": {
    AddonManager: { getAllAddons(): Promise<GeckoAddon[]>; getAddonsByTypes(types: string[]): Promise<GeckoAddon[]> };
  };
  "resource://gre/modules/components-utils/WindowsVersionInfo.sys.mjs": {
    WindowsVersionInfo: { get(options: { throwOnError: boolean }): { buildNumber: number | null } };
  };
  "resource://gre/modules/TelemetryArchive.sys.mjs": {
    TelemetryArchive: {
      promiseArchivedPingList(): Promise<ArchivedPingEntry[]>;
      promiseArchivedPingById(id: string): Promise<TelemetryPing>;
    };
  };
  "resource://gre/modules/TelemetryController.sys.mjs": {
    TelemetryController: { getCurrentPingData(): TelemetryPing | null };
  };
  "resource://gre/modules/TelemetryEnvironment.sys.mjs": {
    TelemetryEnvironment: { readonly currentEnvironment: TelemetryEnvironment };
  };
  "moz-src:///browser/components/attribution/AttributionCode.sys.mjs": {
    AttributionCode: { getAttrDataAsync(): Promise<Attribution | null> };
  };
}

function load<Url extends keyof Modules>(url: Url): Modules[Url] {
  return ChromeUtils.importESModule<Modules[Url]>(url);
}

/** Runs `read`; a failure reaches the extension with its message (any other error becomes "unexpected"). */
async function reading<T>(what: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new ExtensionUtils.ExtensionError(`Cannot read ${what}: ${String(error)}`);
  }
}

/** One appinfo getter, null when it throws (XPCOMABI does on ABIs Firefox has no name for). */
function appInfoValue<Key extends keyof AppInfo>(key: Key): AppInfo[Key] | null {
  try {
    return (Services.appinfo[key] as AppInfo[Key] | undefined) ?? null;
  } catch {
    return null;
  }
}

const APP_INFO_KEYS: readonly (keyof AppInfo)[] = [
  "ID",
  "name",
  "vendor",
  "version",
  "appBuildID",
  "platformVersion",
  "platformBuildID",
  "OS",
  "XPCOMABI",
  "widgetToolkit",
  "lastAppVersion",
  "lastAppBuildID",
  "inSafeMode",
];

function appInfo(): AppInfo {
  return Object.fromEntries(APP_INFO_KEYS.map((key) => [key, appInfoValue(key)])) as unknown as AppInfo;
}

function osVersion(): string | null {
  try {
    const version = Services.sysinfo.getProperty("version");
    return version === null || version === undefined ? null : String(version);
  } catch {
    return null; // this system has no such property
  }
}

function osInfo(): OsInfo {
  const windowsBuildNumber =
    AppConstants.platform === "win"
      ? load("resource://gre/modules/components-utils/WindowsVersionInfo.sys.mjs").WindowsVersionInfo.get({
          throwOnError: false,
        }).buildNumber
      : null;
  return { name: Services.appinfo.OS, version: osVersion(), windowsBuildNumber };
}

function appFacts(): AppFacts {
  const prefs = Services.prefs;
  return {
    version: AppConstants.MOZ_APP_VERSION_DISPLAY,
    channel: load("resource://gre/modules/UpdateUtils.sys.mjs").UpdateUtils.getUpdateChannel(false),
    locale: Services.locale.appLocaleAsBCP47,
    distribution: prefs.getDefaultBranch("").getStringPref("distribution.id", "default"),
    doNotTrack: prefs.getBoolPref("privacy.donottrackheader.enabled", false),
    syncSetup: prefs.prefHasUserValue("services.sync.username"),
    syncDesktopDevices: prefs.getIntPref("services.sync.clients.devices.desktop", 0),
    syncMobileDevices: prefs.getIntPref("services.sync.clients.devices.mobile", 0),
    platform: AppConstants.platform,
    os: osInfo(),
    appinfo: appInfo(),
  };
}

function isoDate(date: Date | null | undefined): string | null {
  const time = date ? new Date(date).getTime() : NaN;
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function addonFacts(addon: GeckoAddon): AddonFacts {
  const { id, isActive, name, type, version } = addon;
  return { id, isActive, name, type, version, installDate: isoDate(addon.installDate) };
}

const clientContextApi: ClientContextApi = {
  getAppFacts: () => reading("the application facts", appFacts),

  getHomeRegion: () => reading("the home region", () => load("resource://gre/modules/Region.sys.mjs").Region.home),

  isDefaultBrowser: () =>
    reading("whether Firefox is the default browser", () =>
      load("moz-src:///browser/components/shell/ShellService.sys.mjs").ShellService.isDefaultBrowser(),
    ),

  getDefaultSearchEngine: () =>
    reading("the default search engine", async () => {
      const { SearchService } = load("moz-src:///toolkit/components/search/SearchService.sys.mjs");
      return (await SearchService.getDefault())?.telemetryId ?? null;
    }),

  getAddons: () =>
    reading("the installed add-ons", async () => {
      const addons = await load("resource://gre/modules/AddonManager.sys.mjs").AddonManager.getAllAddons();
      return Object.fromEntries(addons.map((addon) => [addon.id, addonFacts(addon)]));
    }),

  getPlugins: () =>
    reading("the plugins", async () => {
      const plugins = await load("resource://gre/modules/AddonManager.sys.mjs").AddonManager.getAddonsByTypes([
        "plugin",
      ]);
      return Object.fromEntries(
        plugins.map(({ name, description, version }): [string, PluginFacts] => [name, { name, description, version }]),
      );
    }),

  getArchivedPingList: () =>
    reading("the telemetry archive", async () => {
      const list = await load(
        "resource://gre/modules/TelemetryArchive.sys.mjs",
      ).TelemetryArchive.promiseArchivedPingList();
      return list.map(({ id, type, timestampCreated }) => ({ id, type, timestampCreated }));
    }),

  getArchivedPing: (id) =>
    reading(`the archived ping ${id}`, () =>
      load("resource://gre/modules/TelemetryArchive.sys.mjs").TelemetryArchive.promiseArchivedPingById(id),
    ),

  getCurrentMainPing: () =>
    reading("the current main ping", () =>
      load("resource://gre/modules/TelemetryController.sys.mjs").TelemetryController.getCurrentPingData(),
    ),

  getCurrentEnvironment: () =>
    reading("the telemetry environment", () =>
      // getCurrentPingData() gives no ping, hence no environment, under the same condition.
      Services.telemetry.canRecordBase
        ? load("resource://gre/modules/TelemetryEnvironment.sys.mjs").TelemetryEnvironment.currentEnvironment
        : null,
    ),

  getAttribution: () =>
    reading("the install attribution", () =>
      load("moz-src:///browser/components/attribution/AttributionCode.sys.mjs").AttributionCode.getAttrDataAsync(),
    ),
};

globalThis.clientContextExperiment = class ClientContextExperimentApi extends ExtensionAPI {
  getAPI(_context: GeckoExtensionContext) {
    return { experiments: { clientContext: clientContextApi } };
  }
};
