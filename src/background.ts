/**
 * The add-on's background page: wires the real experiment APIs and storage into the runner, schedules runs,
 * and answers the extension pages. No rules live here.
 */
import { ActionsManager } from "./actions/ActionsManager.js";
import type { BaseAction } from "./actions/BaseAction.js";
import { ConsoleLogAction } from "./actions/ConsoleLogAction.js";
import { PreferenceExperimentAction, type PreferenceExperimentActionDeps } from "./actions/PreferenceExperimentAction.js";
import { PreferenceRollbackAction } from "./actions/PreferenceRollbackAction.js";
import { PreferenceRolloutAction } from "./actions/PreferenceRolloutAction.js";
import { SinglePreferenceExperimentAction } from "./actions/SinglePreferenceExperimentAction.js";
import { browser } from "./apis/browserApis.js";
import { loadClientConfig, STUDIES_OPT_OUT_PREF } from "./config/ClientConfig.js";
import { createCachedVerifier } from "./core/index.js";
import { ChangeNoticeListener } from "./delivery/ChangeNoticeListener.js";
import { checkConnection } from "./delivery/connectionCheck.js";
import { baseCapabilities } from "./context/capabilities.js";
import { fetchClassification } from "./context/classifyClient.js";
import { ClientContext } from "./context/ClientContext.js";
import { ClientIdentity } from "./context/ClientIdentity.js";
import { NO_ENROLLMENTS } from "./context/EnrollmentSummaries.js";
import { evaluatePlaygroundFilter } from "./context/FilterPlayground.js";
import type { BackgroundRequest, BackgroundState, PageNotice, StudiesState } from "./messages.js";
import { RecipeRunner, type Logger } from "./runner/RecipeRunner.js";
import type { RunReport } from "./runner/RunReport.js";
import { RunScheduler } from "./runner/RunScheduler.js";
import { CollectionStateStore } from "./stores/CollectionStateStore.js";
import { EventLogStore } from "./stores/EventLogStore.js";
import { IntakeQueueStore } from "./stores/IntakeQueueStore.js";
import { PreferenceExperimentStore } from "./stores/PreferenceExperimentStore.js";
import { PreferenceRolloutStore } from "./stores/PreferenceRolloutStore.js";
import { storageAreaAdapter } from "./stores/KeyValueStorage.js";
import { RunHistoryStore } from "./stores/RunHistoryStore.js";
import { PreferenceRollouts } from "./rollouts/PreferenceRollouts.js";
import { PreferenceExperiments } from "./studies/PreferenceExperiments.js";
import { StudiesOptOut } from "./studies/StudiesOptOut.js";
import { studiesDisabledReason } from "./studies/studiesGate.js";
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
const preferenceRolloutStore = new PreferenceRolloutStore(storage);
uploadState.onUploadDisabled(() => preferenceExperimentStore.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER));
uploadState.onUploadDisabled(() => preferenceRolloutStore.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER));
uploadState.watch();
intake.start();

const identity = new ClientIdentity(prefs);
const clientContext = new ClientContext({
  api: clientContextApi,
  identity,
  classify: async () => fetchClassification((await loadConfig()).apiUrl),
  enrollments: {
    ...NO_ENROLLMENTS,
    // `normandy.rollouts.pref`: every rollout by slug, whatever its state (Normandy's ClientEnvironment).
    rollouts: async () => ({ pref: Object.fromEntries((await preferenceRolloutStore.getAll()).map((rollout) => [rollout.slug, rollout])), addon: {} }),
  },
  warn: log.warn,
});

const enrollmentTelemetry = new EnrollmentTelemetryRecorder(telemetry, events);
const preferenceRollouts = new PreferenceRollouts({ prefs, store: preferenceRolloutStore, telemetry: enrollmentTelemetry, warn: log.warn });
const preferenceExperiments = new PreferenceExperiments({
  prefs,
  store: preferenceExperimentStore,
  telemetry: enrollmentTelemetry,
  warn: log.warn,
});
// Before the first run, rollouts first as in Normandy: take in the start-up re-application (graduations,
// sideloads), annotations and pref observers; then end every study if the user has opted out of them.
const studiesReady = preferenceRollouts
  .init()
  .catch((error: unknown) => log.error(`Cannot take in the preference rollouts: ${String(error)}`))
  .then(() => preferenceExperiments.init())
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
      ["preference-rollout", new PreferenceRolloutAction(preferenceRollouts)],
      ["preference-rollback", new PreferenceRollbackAction(preferenceRollouts)],
    ]),
  );
}

const runner = new RecipeRunner({
  loadConfig,
  checkSignature: createCachedVerifier(),
  createFilterContext: () => clientContext.startRun(),
  filterPrefs: prefs,
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
        preferenceRollouts: await preferenceRolloutStore.getAll(),
        startup: await prefs.getStartupApplication(),
        backgroundStartedAt: performance.timeOrigin,
        studiesEnabled: (await loadConfig()).enabled && (await studiesDisabledReason(prefs)) === null,
      };
      return studies;
    }
    case "get-config":
      return loadConfig();
    case "check-connection":
      return checkConnection((await loadConfig()).serverUrl);
    case "evaluate-filter":
      return evaluatePlaygroundFilter(request.expression, clientContext.startRun(), prefs);
    case "remove-preference-study":
      await preferenceExperiments.stop(request.slug, { reason: "individual-opt-out" });
      return null;
  }
}

browser.runtime.onMessage.addListener((message: unknown) => answer(message as BackgroundRequest));

/** Tells open extension pages about a change they cannot see in storage; no open page is not an error. */
function notifyPages(notice: PageNotice): void {
  browser.runtime.sendMessage(notice).catch(() => undefined);
}
prefs.onPrefChanged.addListener(() => notifyPages({ type: "studies-enabled-changed" }), [STUDIES_OPT_OUT_PREF]);

void new RunScheduler(
  (trigger) => run(trigger),
  async () => (await loadConfig()).runIntervalSeconds,
).start();
