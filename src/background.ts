/**
 * The add-on's background page: wires the real experiment APIs and storage into the runner, schedules runs,
 * and answers the extension pages. No rules live here.
 */
import { ActionsManager } from "./actions/ActionsManager.js";
import { ConsoleLogAction } from "./actions/ConsoleLogAction.js";
import { browser } from "./apis/browserApis.js";
import { loadClientConfig } from "./config/ClientConfig.js";
import { createCachedVerifier } from "./core/index.js";
import { ChangeNoticeListener } from "./delivery/ChangeNoticeListener.js";
import { baseCapabilities } from "./context/capabilities.js";
import { fetchClassification } from "./context/classifyClient.js";
import { ClientContext } from "./context/ClientContext.js";
import { ClientIdentity } from "./context/ClientIdentity.js";
import { NO_ENROLLMENTS } from "./context/EnrollmentSummaries.js";
import type { BackgroundRequest, BackgroundState } from "./messages.js";
import { RecipeRunner, type Logger } from "./runner/RecipeRunner.js";
import type { RunReport } from "./runner/RunReport.js";
import { RunScheduler } from "./runner/RunScheduler.js";
import { CollectionStateStore } from "./stores/CollectionStateStore.js";
import { EventLogStore } from "./stores/EventLogStore.js";
import { storageAreaAdapter } from "./stores/KeyValueStorage.js";
import { RunHistoryStore } from "./stores/RunHistoryStore.js";
import { Uptake } from "./telemetry/Uptake.js";

const { prefs, telemetry, clientContext: clientContextApi } = browser.experiments;
const storage = storageAreaAdapter(browser.storage.local);
const eventLog = new EventLogStore(storage);
const history = new RunHistoryStore(storage);

const log: Logger = {
  info: (message) => console.info(`[recipe-client] ${message}`),
  warn: (message) => console.warn(`[recipe-client] ${message}`),
  error: (message) => console.error(`[recipe-client] ${message}`),
};

const loadConfig = () => loadClientConfig(prefs, log.warn);

const identity = new ClientIdentity(prefs);
const clientContext = new ClientContext({
  api: clientContextApi,
  identity,
  classify: async () => fetchClassification((await loadConfig()).apiUrl),
  enrollments: NO_ENROLLMENTS,
  warn: log.warn,
});

const runner = new RecipeRunner({
  loadConfig,
  checkSignature: createCachedVerifier(),
  createFilterContext: () => clientContext.startRun(),
  // console-log writes the bare message, as Normandy's ConsoleLogAction does.
  createActions: () => new ActionsManager(new Map([["console-log", new ConsoleLogAction((message) => console.log(message))]])),
  baseCapabilities: baseCapabilities(),
  uptake: new Uptake(telemetry, eventLog),
  history,
  collectionState: new CollectionStateStore(storage),
  log,
});

const notices = new ChangeNoticeListener(() => void run("notice"));

/**
 * A run; the first one that succeeds ends `normandy.isFirstRun` (Normandy ends it after its first run).
 * Change notices are listened to from the end of the first run on, so the notice a fresh connection brings
 * for the collection just applied does not cause a second run.
 */
async function run(trigger: string): Promise<RunReport> {
  const report = await runner.run(trigger);
  if (report.runnerStatus === "success") await identity.markFirstRunComplete();
  if (report.collectionTimestamp !== undefined) notices.applied(report.collectionTimestamp);
  notices.listen((await loadConfig()).noticesUrl);
  return report;
}

async function answer(request: BackgroundRequest): Promise<unknown> {
  switch (request.type) {
    case "run-now":
      return run("manual");
    case "get-state": {
      const { events, dropped } = await eventLog.read();
      const state: BackgroundState = { runs: await history.list(), events, droppedEvents: dropped };
      return state;
    }
    case "get-context":
      return clientContext.snapshot();
  }
}

browser.runtime.onMessage.addListener((message: unknown) => answer(message as BackgroundRequest));

void new RunScheduler(
  (trigger) => run(trigger),
  async () => (await loadConfig()).runIntervalSeconds,
).start();
