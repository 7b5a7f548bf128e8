import type {
  AddonFacts,
  AppFacts,
  ArchivedPingEntry,
  Attribution,
  ClientContextApi,
  PluginFacts,
  TelemetryPing,
} from "../../experiment-apis/clientContext/interface.js";

type FunctionName = keyof ClientContextApi;

/**
 * A Firefox ESR 153 on Linux, in memory. Counts every call, and can make a function fail (`failing`) or never
 * answer (`hanging`), to exercise laziness, once-per-run and time limits.
 */
export class FakeClientContextApi implements ClientContextApi {
  app: AppFacts = {
    version: "153.7.0esr",
    channel: "esr",
    locale: "en-US",
    distribution: "default",
    doNotTrack: false,
    syncSetup: true,
    syncDesktopDevices: 2,
    syncMobileDevices: 1,
    platform: "linux",
    os: { name: "Linux", version: "6.1.0", windowsBuildNumber: null },
    appinfo: {
      ID: "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}",
      name: "Firefox",
      vendor: "Mozilla",
      version: "153.7.0",
      appBuildID: "20261103151912",
      platformVersion: "153.7.0",
      platformBuildID: "20261103151912",
      OS: "Linux",
      XPCOMABI: "x86_64-gcc3",
      widgetToolkit: "gtk",
      lastAppVersion: null,
      lastAppBuildID: null,
      inSafeMode: false,
    },
  };
  homeRegion: string | null = "DE";
  defaultBrowser = true;
  searchEngine: string | null = "google-b-e";
  addons: Record<string, AddonFacts> = {
    "recipe-client@normandy-qa.dev": {
      id: "recipe-client@normandy-qa.dev",
      isActive: true,
      name: "Recipe Client",
      type: "extension",
      version: "0.1.0",
      installDate: "2026-01-02T03:04:05.000Z",
    },
  };
  plugins: Record<string, PluginFacts> = {};
  /** The telemetry archive, in its order; `archivePing` adds to it. */
  readonly archive: TelemetryPing[] = [];
  /** Null: Firefox records no telemetry (then it has no current environment either). */
  currentMainPing: TelemetryPing | null = telemetryPing("main", "live", "2026-07-01T00:00:00.000Z");
  /** Linux: Firefox has no attribution. */
  attribution: Attribution | null = null;

  readonly calls = new Map<FunctionName, number>();
  readonly failing = new Map<FunctionName, string>();
  readonly hanging = new Set<FunctionName>();

  callsTo(name: FunctionName): number {
    return this.calls.get(name) ?? 0;
  }

  getAppFacts = () => this.answer("getAppFacts", this.app);
  getHomeRegion = () => this.answer("getHomeRegion", this.homeRegion);
  isDefaultBrowser = () => this.answer("isDefaultBrowser", this.defaultBrowser);
  getDefaultSearchEngine = () => this.answer("getDefaultSearchEngine", this.searchEngine);
  getAddons = () => this.answer("getAddons", this.addons);
  getPlugins = () => this.answer("getPlugins", this.plugins);
  getArchivedPingList = () =>
    this.answer(
      "getArchivedPingList",
      this.archive.map(({ id, type, creationDate }): ArchivedPingEntry => ({
        id,
        type,
        timestampCreated: Date.parse(creationDate),
      })),
    );
  getArchivedPing = async (id: string) => {
    const ping = this.archive.find((archived) => archived.id === id);
    if (!ping) throw new Error(`no archived ping ${id}`);
    return this.answer("getArchivedPing", ping);
  };
  getCurrentMainPing = () => this.answer("getCurrentMainPing", this.currentMainPing);
  getCurrentEnvironment = () => this.answer("getCurrentEnvironment", this.currentMainPing?.environment ?? null);
  getAttribution = () => this.answer("getAttribution", this.attribution);

  /** Archives a ping of `type` created at `creationDate`, with `profileCreationDate` (days since the epoch). */
  archivePing(type: string, id: string, creationDate: string, profileCreationDate = 18_000): TelemetryPing {
    const ping = telemetryPing(type, id, creationDate, profileCreationDate);
    this.archive.push(ping);
    return ping;
  }

  private answer<T>(name: FunctionName, value: T): Promise<T> {
    this.calls.set(name, this.callsTo(name) + 1);
    if (this.hanging.has(name)) return new Promise<T>(() => undefined);
    const failure = this.failing.get(name);
    if (failure !== undefined) return Promise.reject(new Error(failure));
    // A copy, as the real API's JSON crossing gives.
    return Promise.resolve(structuredClone(value));
  }
}

/** A ping shaped like Firefox's (format version 4), with an environment. */
export function telemetryPing(
  type: string,
  id: string,
  creationDate: string,
  profileCreationDate = 18_000,
): TelemetryPing {
  return {
    type,
    id,
    creationDate,
    version: 4,
    application: { name: "Firefox", version: "153.7.0", channel: "esr" },
    payload: {},
    environment: {
      build: { applicationName: "Firefox", version: "153.7.0" },
      partner: { distributionId: null },
      system: { memoryMB: 8192, cpu: { count: 4 } },
      settings: { telemetryEnabled: false, blocklistEnabled: true, defaultSearchEngine: "google-b-e" },
      profile: { creationDate: profileCreationDate, firstUseDate: profileCreationDate },
      addons: { activeAddons: {} },
    },
  };
}
