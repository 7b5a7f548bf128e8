import type {
  AddonFacts,
  AppFacts,
  Attribution,
  PluginFacts,
  TelemetryEnvironment,
  TelemetryPing,
} from "../../experiment-apis/clientContext/interface.js";
import type { Classification } from "./classifyClient.js";
import type { ExperimentSlugs, RecordsByKind } from "./EnrollmentSummaries.js";
import { normandyOs } from "./normandyOs.js";
import { liveTelemetry } from "./telemetryPings.js";

/** What the attributes are computed from. ClientContext asks each source at most once per run. */
export interface ContextSources {
  app(): Promise<AppFacts>;
  /** Null when the server could not classify this client (the failure is logged). */
  classification(): Promise<Classification | null>;
  homeRegion(): Promise<string | null>;
  isDefaultBrowser(): Promise<boolean>;
  searchEngine(): Promise<string | null>;
  addons(): Promise<Record<string, AddonFacts>>;
  plugins(): Promise<Record<string, PluginFacts>>;
  userId(): Promise<string>;
  isFirstRun(): Promise<boolean>;
  experiments(): Promise<ExperimentSlugs>;
  studies(): Promise<RecordsByKind>;
  rollouts(): Promise<RecordsByKind>;
  /** The most recent archived telemetry ping of each type, by type. */
  archivedPings(): Promise<Record<string, TelemetryPing>>;
  /** The environment of the main ping Firefox would submit now; null when it would submit none. */
  currentEnvironment(): Promise<TelemetryEnvironment | null>;
  /** That whole main ping (slow: its payload), asked for only when a filter reads more than its environment. */
  currentMainPing(): Promise<TelemetryPing | null>;
  attribution(): Promise<Attribution | null>;
  /** The client's clock. */
  now(): Date;
}

/** `normandy.addons[id]`: what Firefox reports, with Normandy's Date for the install date. */
export interface NormandyAddon extends Omit<AddonFacts, "installDate"> {
  installDate: Date | null;
}

function normandyAddons(addons: Record<string, AddonFacts>): Record<string, NormandyAddon> {
  return Object.fromEntries(
    Object.entries(addons).map(([id, addon]) => [
      id,
      { ...addon, installDate: addon.installDate === null ? null : new Date(addon.installDate) },
    ]),
  );
}

const fromApp =
  <Value>(pick: (app: AppFacts) => Value) =>
  async (sources: ContextSources): Promise<Value> =>
    pick(await sources.app());

/**
 * Every `normandy.<name>` / `env.<name>` attribute (Normandy's `ClientEnvironment` getters, reference §3.3)
 * and how it is computed. `recipe` is not here: it is per recipe, not per client (see filterContext.ts).
 * None of these values leaves the client: they exist only for filters and the QA console's pages.
 */
export const CONTEXT_ATTRIBUTES = {
  userId: (sources: ContextSources) => sources.userId(),
  randomizationId: (sources: ContextSources) => sources.userId(),
  // Deliberately lenient where Normandy is not: without the server's answer, the country is Firefox's
  // home region (what Normandy's base ClientEnvironment uses) and the request time the client's clock,
  // rather than failing every filter that reads them.
  country: async (sources: ContextSources) => (await sources.classification())?.country ?? (await sources.homeRegion()),
  request_time: async (sources: ContextSources) => (await sources.classification())?.requestTime ?? sources.now(),
  version: fromApp((app) => app.version),
  channel: fromApp((app) => app.channel),
  locale: fromApp((app) => app.locale),
  distribution: fromApp((app) => app.distribution),
  doNotTrack: fromApp((app) => app.doNotTrack),
  syncSetup: fromApp((app) => app.syncSetup),
  syncDesktopDevices: fromApp((app) => app.syncDesktopDevices),
  syncMobileDevices: fromApp((app) => app.syncMobileDevices),
  syncTotalDevices: fromApp((app) => app.syncDesktopDevices + app.syncMobileDevices),
  os: fromApp((app) => normandyOs(app.platform, app.os)),
  appinfo: fromApp((app) => app.appinfo),
  formFactor: fromApp((app) => (["android", "ios"].includes(app.platform) ? "phone" : "desktop")),
  isDefaultBrowser: (sources: ContextSources) => sources.isDefaultBrowser(),
  searchEngine: (sources: ContextSources) => sources.searchEngine(),
  addons: async (sources: ContextSources) => normandyAddons(await sources.addons()),
  plugins: (sources: ContextSources) => sources.plugins(),
  isFirstRun: (sources: ContextSources) => sources.isFirstRun(),
  experiments: (sources: ContextSources) => sources.experiments(),
  studies: (sources: ContextSources) => sources.studies(),
  rollouts: (sources: ContextSources) => sources.rollouts(),
  telemetry: (sources: ContextSources) => sources.archivedPings(),
  liveTelemetry: async (sources: ContextSources) =>
    liveTelemetry(await sources.currentEnvironment(), () => sources.currentMainPing()),
  // Deliberately an empty object where Normandy gives null (always, on Linux): a filter such as
  // `normandy.attribution.source == "x"` then does not match, rather than failing with a filter error.
  attribution: async (sources: ContextSources) => (await sources.attribution()) ?? {},
} satisfies Record<string, (sources: ContextSources) => Promise<unknown>>;

export type ContextAttributeName = keyof typeof CONTEXT_ATTRIBUTES;

export const CONTEXT_ATTRIBUTE_NAMES = Object.keys(CONTEXT_ATTRIBUTES) as ContextAttributeName[];
