/**
 * The add-on's background page: wires the real experiment APIs and storage into the runner, schedules runs,
 * and answers the extension pages. No rules live here.
 */
import { ActionsManager } from "./actions/ActionsManager.js";
import type { BaseAction } from "./actions/BaseAction.js";
import { ConsoleLogAction } from "./actions/ConsoleLogAction.js";
import { PreferenceExperimentAction, type PreferenceExperimentActionDeps } from "./actions/PreferenceExperimentAction.js";
import { SinglePreferenceExperimentAction } from "./actions/SinglePreferenceExperimentAction.js";
import { browser } from "./apis/browserApis.js";
import { loadClientConfig } from "./config/ClientConfig.js";
import { createCachedVerifier } from "./core/index.js";
import { ChangeNoticeListener } from "./delivery/ChangeNoticeListener.js";
import { baseCapabilities } from "./context/capabilities.js";
import { fetchClassification } from "./context/classifyClient.js";
import { ClientContext } from "./context/ClientContext.js";
import { ClientIdentity } from "./context/ClientIdentity.js";
import { NO_ENROLLMENTS } from "./context/EnrollmentSummaries.js";
import type { BackgroundRequest, BackgroundState, StudiesState } from "./messages.js";
import { RecipeRunner, type Logger } from "./runner/RecipeRunner.js";
import type { RunReport } from "./runner/RunReport.js";
import { RunScheduler } from "./runner/RunScheduler.js";
import { CollectionStateStore } from "./stores/CollectionStateStore.js";
import { EventLogStore } from "./stores/EventLogStore.js";
import { IntakeQueueStore } from "./stores/IntakeQueueStore.js";
import { PreferenceExperimentStore } from "./stores/PreferenceExperimentStore.js";
import { storageAreaAdapter } from "./stores/KeyValueStorage.js";
import { RunHistoryStore } from "./stores/RunHistoryStore.js";
import { PreferenceExperiments } from "./studies/PreferenceExperiments.js";
import { StudiesOptOut } from "./studies/StudiesOptOut.js";
import { NO_ENROLLMENT_ID_MARKER } from "./telemetry/EnrollmentTelemetry.js";
import { EnrollmentTelemetryRecorder } from "./telemetry/EnrollmentTelemetryRecorder.js";
import { allOf } from "./telemetry/EventSink.js";
import { intakeEnvelopeSource } from "./telemetry/intakeEnvelope.js";
import { IntakeUploader } from "./telemetry/IntakeUploader.js";
import { TelemetryUploadState } from "./telemetry/TelemetryUploadState.js";
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

// Telemetry: every recorded event goes to the local log, and to the intake while upload is enabled.
const uploadState = new TelemetryUploadState(prefs, log.warn);
const intake = new IntakeUploader({
  queue: new IntakeQueueStore(storage),
  uploadState,
  intakeUrl: async () => (await loadConfig()).intakeUrl,
  envelope: intakeEnvelopeSource(prefs, { addonVersion: browser.runtime.getManifest().version, locale: browser.i18n.getUILanguage() }),
  warn: log.warn,
});
const events = allOf(eventLog, intake);
const preferenceExperimentStore = new PreferenceExperimentStore(storage);
uploadState.onUploadDisabled(() => preferenceExperimentStore.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER));
uploadState.watch();
intake.start();

const identity = new ClientIdentity(prefs);
const clientContext = new ClientContext({
  api: clientContextApi,
  identity,
  classify: async () => fetchClassification((await loadConfig()).apiUrl),
  enrollments: NO_ENROLLMENTS,
  warn: log.warn,
});

const preferenceExperiments = new PreferenceExperiments({
  prefs,
  store: preferenceExperimentStore,
  telemetry: new EnrollmentTelemetryRecorder(telemetry, events),
  warn: log.warn,
});
// Before the first run: take in the start-up re-application, sideloads, annotations and pref observers;
// then end every study if the user has opted out of them.
const studiesReady = preferenceExperiments
  .init()
  .then(() => new StudiesOptOut(prefs, (reason) => preferenceExperiments.stopAll(reason), log.warn).start())
  .catch((error: unknown) => log.error(`Cannot take in the preference studies: ${String(error)}`));
const preferenceStudyDeps: PreferenceExperimentActionDeps = {
  prefs,
  experiments: preferenceExperiments,
  store: preferenceExperimentStore,
  userId: () => identity.userId(),
  warn: log.warn,
};

function createActions(): ActionsManager {
  const singlePreferenceExperiment = new SinglePreferenceExperimentAction(preferenceStudyDeps);
  return new ActionsManager(
    new Map<string, BaseAction>([
      // console-log writes the bare message, as Normandy's ConsoleLogAction does.
      ["console-log", new ConsoleLogAction((message) => console.log(message))],
      ["multi-preference-experiment", new PreferenceExperimentAction(preferenceStudyDeps)],
      // Legacy names of the single-preference shape; one action serves both.
      ["single-preference-experiment", singlePreferenceExperiment],
      ["preference-experiment", singlePreferenceExperiment],
    ]),
  );
}

const runner = new RecipeRunner({
  loadConfig,
  checkSignature: createCachedVerifier(),
  createFilterContext: () => clientContext.startRun(),
  createActions,
  baseCapabilities: baseCapabilities(),
  uptake: new Uptake(telemetry, events),
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
  await studiesReady;
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
    case "get-studies": {
      const studies: StudiesState = {
        preferenceExperiments: await preferenceExperimentStore.getAll(),
        startup: await prefs.getStartupApplication(),
        backgroundStartedAt: performance.timeOrigin,
      };
      return studies;
    }
  }
}

browser.runtime.onMessage.addListener((message: unknown) => answer(message as BackgroundRequest));

void new RunScheduler(
  (trigger) => run(trigger),
  async () => (await loadConfig()).runIntervalSeconds,
).start();
