/**
 * A whole client wired like the background page (every action, the real runner, studies, rollouts and
 * stores) over in-memory Firefox (prefs, add-ons, telemetry) and storage, against a real server over HTTP.
 * Filters' regExpMatch is the add-on's memoized, time-limited one, in a worker thread. Add-on packages come from an
 * in-memory catalogue (extensionApiId 1 and 2), not from the server.
 */
import { createHash } from "node:crypto";
import { createActionTable } from "../../src/actions/actionTable.js";
import { STUDIES_OPT_OUT_PREF, type ClientConfig } from "../../src/config/ClientConfig.js";
import { createCachedVerifier, memoizedRegExpMatch, timeLimitedRegExpMatch } from "../../src/core/index.js";
import type { ExtensionDetails } from "../../src/core/index.js";
import { DeliveryError } from "../../src/delivery/DeliveryError.js";
import { AddonRollouts } from "../../src/rollouts/AddonRollouts.js";
import { PreferenceRollouts } from "../../src/rollouts/PreferenceRollouts.js";
import { staticFilterContext } from "./staticFilterContext.js";
import { RecipeRunner } from "../../src/runner/RecipeRunner.js";
import { AddonRolloutStore } from "../../src/stores/AddonRolloutStore.js";
import { AddonStudyStore } from "../../src/stores/AddonStudyStore.js";
import { EventLogStore } from "../../src/stores/EventLogStore.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { PreferenceRolloutStore } from "../../src/stores/PreferenceRolloutStore.js";
import { StoreQuarantine } from "../../src/stores/StoreQuarantine.js";
import { AddonStudies } from "../../src/studies/AddonStudies.js";
import { PreferenceExperiments } from "../../src/studies/PreferenceExperiments.js";
import { FakeAddonsApi } from "./FakeAddonsApi.js";
import { FakeEnrollmentTelemetry } from "./FakeEnrollmentTelemetry.js";
import { FakePrefsApi } from "./FakePrefsApi.js";
import { FakeTelemetryApi } from "./FakeTelemetryApi.js";
import { heartbeatClient } from "./heartbeatClient.js";
import { MemoryStorage } from "./MemoryStorage.js";
import { nodeMatchWorker } from "./nodeMatchWorker.js";
import { runnerRecords } from "./runnerRecords.js";

/** The extensionApiIds of the packages the in-memory catalogue offers. */
export const CATALOGUE_EXTENSION_IDS = [1, 2] as const;

/** Where the client's recipes come from: a Remote Settings URL and the root its signatures chain to. */
export interface RecipeSource {
  serverUrl: string;
  rootHash: string;
}

/** The client's own prefs: bookkeeping, not something a recipe changed. */
const OWN_PREFS = "extensions.recipeclient.";

/** What Firefox ships: studies allowed. */
const BUILT_IN_DEFAULTS = { [STUDIES_OPT_OUT_PREF]: true };

/** What outlives a restart: Firefox's prefs and add-ons, the add-on's storage. */
interface Profile {
  prefs: FakePrefsApi;
  addons: FakeAddonsApi;
  storage: MemoryStorage;
}

function freshProfile(): Profile {
  const prefs = new FakePrefsApi();
  for (const [name, value] of Object.entries(BUILT_IN_DEFAULTS)) prefs.defaults.set(name, value);
  return { prefs, addons: new FakeAddonsApi(), storage: new MemoryStorage() };
}

export type InMemoryClient = Awaited<ReturnType<typeof inMemoryClient>>;

/** A client started on a fresh profile, or on `profile` (a restart). */
export async function inMemoryClient(
  source: RecipeSource,
  configOverrides: Partial<ClientConfig> = {},
  profile: Profile = freshProfile(),
) {
  const { prefs, addons, storage } = profile;
  const initialPrefs = new Map(Object.entries(BUILT_IN_DEFAULTS));
  const packages = new Map<number, ExtensionDetails>();
  for (const id of CATALOGUE_EXTENSION_IDS) {
    const addonId = `fuzz-addon-${id}@recipe-client.test`;
    const url = `http://fuzz.test/extensions/${id}.xpi`;
    const sha256 = createHash("sha256").update(addonId).digest("hex");
    addons.serve(url, { id: addonId, version: "1.0", sha256, size: 1000 });
    packages.set(id, {
      id,
      name: addonId,
      xpi: url,
      extension_id: addonId,
      version: "1.0",
      hash: sha256,
      hash_algorithm: "sha256",
      size: 1000,
    });
  }
  const extensionDetails = async (extensionApiId: number) => {
    const details = packages.get(extensionApiId);
    if (!details) throw new DeliveryError("server", `extension/${extensionApiId}/: HTTP 404 Not Found`);
    return details;
  };

  const telemetry = new FakeTelemetryApi();
  const enrollmentTelemetry = new FakeEnrollmentTelemetry();
  const eventLog = new EventLogStore(storage);
  const warnings: string[] = [];
  const warn = (message: string) => void warnings.push(message);
  const stores = {
    preferenceExperiments: new PreferenceExperimentStore(storage),
    preferenceRollouts: new PreferenceRolloutStore(storage),
    addonStudies: new AddonStudyStore(storage),
    addonRollouts: new AddonRolloutStore(storage),
  };
  const preferenceExperiments = new PreferenceExperiments({
    prefs,
    store: stores.preferenceExperiments,
    telemetry: enrollmentTelemetry,
    warn,
  });
  const preferenceRollouts = new PreferenceRollouts({
    prefs,
    store: stores.preferenceRollouts,
    telemetry: enrollmentTelemetry,
    warn,
  });
  const addonStudies = new AddonStudies({
    addons,
    store: stores.addonStudies,
    telemetry: enrollmentTelemetry,
    extensionDetails,
    notifyUnenroll: async () => "answered",
    info: () => undefined,
    warn,
  });
  const addonRollouts = new AddonRollouts({
    addons,
    store: stores.addonRollouts,
    telemetry: enrollmentTelemetry,
    extensionDetails,
    warn,
  });
  await preferenceRollouts.init();
  await addonRollouts.init();
  await preferenceExperiments.init();
  await addonStudies.init();

  const config: ClientConfig = {
    enabled: true,
    serverUrl: source.serverUrl,
    recipeSigner: "normandy.content-signature.mozilla.org",
    collectionSigner: "remote-settings.content-signature.mozilla.org",
    rootHash: source.rootHash,
    runIntervalSeconds: 21600,
    fetchTimeoutMs: 30_000,
    apiUrl: "http://fuzz.test/api/v1/",
    noticesUrl: "",
    intakeUrl: "",
    ...configOverrides,
  };
  const attributes = {
    version: "153.7.0",
    locale: "en-US",
    channel: "esr",
    userId: "8d6ee3ee-4c37-4e3b-9d64-9a4e1e0d0b7a",
    isFirstRun: false,
  };
  const consoleLogged: string[] = [];
  const heartbeat = heartbeatClient({
    storage,
    prefs,
    telemetry,
    preferenceStudies: stores.preferenceExperiments,
    addonStudies: stores.addonStudies,
    userId: attributes.userId,
  });
  const runner = new RecipeRunner({
    loadConfig: async () => config,
    checkSignature: createCachedVerifier(),
    createFilterContext: () => staticFilterContext(attributes),
    filterPrefs: prefs,
    regExpMatch: memoizedRegExpMatch(timeLimitedRegExpMatch(nodeMatchWorker)),
    createActions: () =>
      createActionTable({
        prefs,
        preferenceExperiments,
        preferenceExperimentStore: stores.preferenceExperiments,
        preferenceRollouts,
        addonStudies,
        addonStudyStore: stores.addonStudies,
        addonRollouts,
        userId: async () => attributes.userId,
        consoleLog: (message) => void consoleLogged.push(message),
        heartbeat: heartbeat.deps,
        warn,
      }),
    baseCapabilities: ["capabilities-v1"],
    ...runnerRecords(telemetry, eventLog, storage),
    log: { info: () => undefined, warn, error: warn },
  });

  return {
    runner,
    config,
    stores,
    prefs,
    addons,
    storage,
    consoleLogged,
    heartbeat,
    warnings,

    /**
     * What the "nothing lost" rule forbids: a pref that differs from its value before the client started
     * and that no active study or rollout owns, and an installed add-on no active study or rollout owns.
     * Reads the stores afresh, as the next start would.
     */
    async untrackedChanges(): Promise<string[]> {
      await prefs.settled();
      await addons.settled();
      const owned = new Set<string>();
      for (const experiment of await new PreferenceExperimentStore(storage).getAllActive()) {
        for (const name of Object.keys(experiment.preferences)) owned.add(`pref ${name}`);
      }
      for (const rollout of await new PreferenceRolloutStore(storage).getAllActive()) {
        for (const { preferenceName } of rollout.preferences) owned.add(`pref ${preferenceName}`);
      }
      for (const study of await new AddonStudyStore(storage).getAllActive())
        if (study.addonId) owned.add(`add-on ${study.addonId}`);
      for (const rollout of await new AddonRolloutStore(storage).getAllActive()) owned.add(`add-on ${rollout.addonId}`);

      const changed: string[] = [];
      for (const name of new Set([...prefs.defaults.keys(), ...prefs.user.keys(), ...initialPrefs.keys()])) {
        if (name.startsWith(OWN_PREFS)) continue;
        const now = prefs.user.get(name) ?? prefs.defaults.get(name);
        if (now !== initialPrefs.get(name)) changed.push(`pref ${name}`);
      }
      for (const addonId of addons.installed.keys()) changed.push(`add-on ${addonId}`);
      return changed.filter((change) => !owned.has(change));
    },

    /** Quarantine notes: a store the client wrote itself must never read back as damaged. */
    quarantineNotes: () => new StoreQuarantine(storage).notes(),

    /** What `restartInMemoryClient` starts again from. */
    started: { source, configOverrides, profile },
  };
}

/** Firefox restarts (or was killed): a new client over the same profile, started up. */
export function restartInMemoryClient({ started }: InMemoryClient): Promise<InMemoryClient> {
  started.profile.prefs.restart(BUILT_IN_DEFAULTS);
  started.profile.addons.restart();
  return inMemoryClient(started.source, started.configOverrides, started.profile);
}
