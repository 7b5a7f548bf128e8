/**
 * The add-on's background page: wires the real experiment APIs and storage into the runner, schedules runs,
 * and answers the extension pages. No rules live here.
 */
import type { Runtime } from "webextension-polyfill";
import { createActionTable } from "./actions/actionTable.js";
import { showSurveyNow, type ShowHeartbeatActionDeps } from "./actions/ShowHeartbeatAction.js";
import { browser } from "./apis/browserApis.js";
import { loadClientConfig, STUDIES_OPT_OUT_PREF } from "./config/ClientConfig.js";
import { createCachedVerifier, errorMessage, memoizedRegExpMatch, timeLimitedRegExpMatch } from "./core/index.js";
import { ChangeNoticeListener } from "./delivery/ChangeNoticeListener.js";
import { checkConnection } from "./delivery/connectionCheck.js";
import { fetchExtensionDetails } from "./delivery/extensionDetails.js";
import { baseCapabilities } from "./context/capabilities.js";
import { fetchClassification } from "./context/classifyClient.js";
import { ClientContext } from "./context/ClientContext.js";
import { ClientIdentity } from "./context/ClientIdentity.js";
import { HeartbeatSurveys } from "./heartbeat/HeartbeatSurveys.js";
import { postAnswerFacts, studyBranchLookup, surveyDurationMs } from "./heartbeat/surveyContext.js";
import { evaluatePlaygroundFilter, evaluateRecipeFilter } from "./context/FilterPlayground.js";
import type { BackgroundRequest, BackgroundState, PageNotice, StudiesState, SurveysState } from "./messages.js";
import { MANUAL_TRIGGER, RecipeRunner, RUNNER_DISABLED, type Logger } from "./runner/RecipeRunner.js";
import type { RunReport } from "./core/index.js";
import { RunScheduler } from "./runner/RunScheduler.js";
import { RecipeRunHere } from "./runner/RecipeRunHere.js";
import { AddonRolloutStore } from "./stores/AddonRolloutStore.js";
import { AddonStudyStore } from "./stores/AddonStudyStore.js";
import { CollectionStateStore } from "./stores/CollectionStateStore.js";
import { EventLogStore } from "./stores/EventLogStore.js";
import { HeartbeatStore } from "./stores/HeartbeatStore.js";
import { IntakeQueueStore } from "./stores/IntakeQueueStore.js";
import { PreferenceExperimentStore } from "./stores/PreferenceExperimentStore.js";
import type { ForcedEnrollment } from "./core/index.js";
import { PreferenceRolloutStore } from "./stores/PreferenceRolloutStore.js";
import { storageAreaAdapter } from "./stores/KeyValueStorage.js";
import { RunHistoryStore } from "./stores/RunHistoryStore.js";
import { ServerBackoffStore } from "./stores/ServerBackoffStore.js";
import { StoreQuarantine } from "./stores/StoreQuarantine.js";
import { AddonRollouts } from "./rollouts/AddonRollouts.js";
import { PreferenceRollouts } from "./rollouts/PreferenceRollouts.js";
import { AddonStudies } from "./studies/AddonStudies.js";
import { PreferenceExperiments } from "./studies/PreferenceExperiments.js";
import { StudiesOptOut } from "./studies/StudiesOptOut.js";
import { answerStudyAddon, notifyUnenroll } from "./studies/studyAddonMessages.js";
import { studyEndings } from "./studies/studyEndings.js";
import { studiesMayRun } from "./config/studiesGate.js";
import { NO_ENROLLMENT_ID_MARKER } from "./telemetry/EnrollmentTelemetry.js";
import { ClientPingRecorder } from "./telemetry/ClientPingRecorder.js";
import { EnrollmentTelemetryRecorder } from "./telemetry/EnrollmentTelemetryRecorder.js";
import { allOf, oneAfterAnother } from "./telemetry/EventSink.js";
import { clientStatus, healthPing } from "./telemetry/healthPing.js";
import { intakeClientId, intakeEnvelopeSource } from "./telemetry/intakeEnvelope.js";
import { IntakeUploader } from "./telemetry/IntakeUploader.js";
import { MessagingTelemetry } from "./telemetry/MessagingTelemetry.js";
import { RunTelemetry } from "./telemetry/RunTelemetry.js";
import { StartupSteps } from "./telemetry/StartupSteps.js";
import { TelemetryUploadState } from "./telemetry/TelemetryUploadState.js";
import { Uptake } from "./telemetry/Uptake.js";
import { browserMatchWorker, REGEXP_WORKER_PATH } from "./workers/browserMatchWorker.js";

const { prefs, telemetry, clientContext: clientContextApi, addons, notificationBar } = browser.experiments;
const storage = storageAreaAdapter(browser.storage.local);
const history = new RunHistoryStore(storage);

const log: Logger = {
  info: (message) => console.info(`[recipe-client] ${message}`),
  warn: (message) => console.warn(`[recipe-client] ${message}`),
  error: (message) => console.error(`[recipe-client] ${message}`),
};

// When this Firefox process started, once: the log's events count ms from it (see eventSessions.ts).
const processStart = telemetry.msSinceProcessStart().then(
  (sinceStart) => Date.now() - sinceStart,
  (error: unknown) => {
    log.warn(`The process start is unknown, so this session's events have no clock time: ${errorMessage(error)}`);
    return null;
  },
);
const eventLog = new EventLogStore(storage, { processStart });

const loadConfig = () => loadClientConfig(prefs, log.warn);

// Telemetry: every recorded event goes to the local log, and to the intake while upload is enabled.
const addonVersion = browser.runtime.getManifest().version;
const clientId = intakeClientId(prefs);
const uploadState = new TelemetryUploadState(prefs, storage, log.warn);
const intake = new IntakeUploader({
  queue: new IntakeQueueStore(storage),
  uploadState,
  intakeUrl: async () => (await loadConfig()).intakeUrl,
  envelope: intakeEnvelopeSource(clientId, { addonVersion, locale: browser.i18n.getUILanguage() }),
  warn: log.warn,
});
const events = allOf(eventLog, intake);
const clientPings = new ClientPingRecorder(telemetry, events);
const preferenceExperimentStore = new PreferenceExperimentStore(storage);
const preferenceRolloutStore = new PreferenceRolloutStore(storage);
uploadState.onUploadDisabled(() => preferenceExperimentStore.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER));
uploadState.onUploadDisabled(() => preferenceRolloutStore.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER));
const addonStudyStore = new AddonStudyStore(storage);
const addonRolloutStore = new AddonRolloutStore(storage);
uploadState.onUploadDisabled(() => addonStudyStore.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER));
uploadState.onUploadDisabled(() => addonRolloutStore.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER));
uploadState.watch();
intake.start();

const identity = new ClientIdentity(prefs);
const clientContext = new ClientContext({
  api: clientContextApi,
  identity,
  classify: async () => fetchClassification((await loadConfig()).apiUrl),
  enrollments: {
    // `normandy.experiments`: slugs of preference experiments, all / active / expired (Normandy's ClientEnvironment).
    experiments: async () => {
      const experiments = await preferenceExperimentStore.getAll();
      const slugs = (expired: boolean) =>
        experiments.filter((experiment) => experiment.expired === expired).map(({ slug }) => slug);
      return { all: experiments.map(({ slug }) => slug), active: slugs(false), expired: slugs(true) };
    },
    // `normandy.studies` and `normandy.rollouts`: every record by slug, whatever its state (Normandy's ClientEnvironment).
    studies: async () => ({
      pref: bySlug(await preferenceExperimentStore.getAll()),
      addon: bySlug(await addonStudyStore.getAll()),
    }),
    rollouts: async () => ({
      pref: bySlug(await preferenceRolloutStore.getAll()),
      addon: bySlug(await addonRolloutStore.getAll()),
    }),
  },
  warn: log.warn,
});

function bySlug<Enrollment extends { slug: string }>(records: Enrollment[]): Record<string, Enrollment> {
  return Object.fromEntries(records.map((record) => [record.slug, record]));
}

// The event log last: an enrollment event found in the log is in the intake queue too, which start-up repair
// relies on when it records an interrupted add-on change's event once (recordEventOnce).
const enrollmentTelemetry = new EnrollmentTelemetryRecorder(telemetry, oneAfterAnother(intake, eventLog), (matches) =>
  eventLog.newest(matches),
);
const extensionDetails = async (extensionApiId: number) =>
  fetchExtensionDetails((await loadConfig()).apiUrl, extensionApiId);
const addonStudies = new AddonStudies({
  addons,
  store: addonStudyStore,
  telemetry: enrollmentTelemetry,
  extensionDetails,
  notifyUnenroll: (addonId, reason) =>
    notifyUnenroll((id, notice) => browser.runtime.sendMessage(id, notice), addonId, reason),
  info: log.info,
  warn: log.warn,
});
const addonRollouts = new AddonRollouts({
  addons,
  store: addonRolloutStore,
  telemetry: enrollmentTelemetry,
  extensionDetails,
  warn: log.warn,
});
const preferenceRollouts = new PreferenceRollouts({
  prefs,
  store: preferenceRolloutStore,
  telemetry: enrollmentTelemetry,
  warn: log.warn,
});
const preferenceExperiments = new PreferenceExperiments({
  prefs,
  store: preferenceExperimentStore,
  telemetry: enrollmentTelemetry,
  warn: log.warn,
});
// Before the first run, rollouts first as in Normandy: take in the start-up re-application (graduations,
// sideloads), annotations and pref observers; then end every study if the user has opted out of them.
// Add-on rollouts and studies settle what a crash interrupted (see PendingAddonChange) before any run.
// A step that fails is reported as ADDON_INIT_FAILED and the next one still runs.
const startup = new StartupSteps({ pings: clientPings, error: log.error });
const studiesReady = (async () => {
  await startup.run("PREFERENCE_ROLLOUTS", () => preferenceRollouts.init());
  await startup.run("ADDON_ROLLOUTS", () => addonRollouts.init());
  await startup.run("PREFERENCE_STUDIES", () => preferenceExperiments.init());
  await startup.run("ADDON_STUDIES", () => addonStudies.init());
  await startup.run("STUDIES_OPT_OUT", () => new StudiesOptOut(prefs, endAllStudies, log.warn).start());
})();

/** The studies opt-out ends every study of both kinds. */
async function endAllStudies(reason: string): Promise<void> {
  await preferenceExperiments.stopAll(reason);
  await addonStudies.stopAll(reason);
}
// Heartbeat surveys: the bars shown in this session, and what was shown and answered across sessions.
const heartbeatStore = new HeartbeatStore(storage);
const surveys = new HeartbeatSurveys({
  bar: notificationBar,
  store: heartbeatStore,
  telemetry: new MessagingTelemetry(clientPings, async () => ({
    clientId: await clientId.get(),
    addonVersion,
    locale: browser.i18n.getUILanguage(),
  })),
  submitHeartbeatPing: (ping) => telemetry.submitHeartbeatPing(ping),
  surveyDurationMs: () => surveyDurationMs(prefs),
  now: () => Date.now(),
  newFlowId: () => crypto.randomUUID(),
  timers: { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as number) },
  warn: log.warn,
});

const heartbeat: ShowHeartbeatActionDeps = {
  surveys,
  store: heartbeatStore,
  userId: () => identity.userId(),
  postAnswerFacts: () => postAnswerFacts(clientContextApi),
  studyBranch: studyBranchLookup(preferenceExperimentStore, addonStudyStore),
  now: () => Date.now(),
  info: log.info,
};

const createActions = (forced?: ForcedEnrollment) =>
  createActionTable(
    {
      prefs,
      preferenceExperiments,
      preferenceExperimentStore,
      preferenceRollouts,
      addonStudies,
      addonStudyStore,
      addonRollouts,
      userId: () => identity.userId(),
      // console-log writes the bare message, as Normandy's ConsoleLogAction does.
      consoleLog: (message) => console.log(message),
      heartbeat,
      warn: log.warn,
    },
    forced,
  );

// Filters' regExpMatch runs in a worker that is stopped when a match takes too long (a hostile pattern);
// results are remembered, so the same match is not sent to the worker again in every recipe and every run.
const regExpMatch = memoizedRegExpMatch(
  timeLimitedRegExpMatch(browserMatchWorker(browser.runtime.getURL(REGEXP_WORKER_PATH))),
);

const runner = new RecipeRunner({
  loadConfig,
  checkSignature: createCachedVerifier(),
  createFilterContext: (timer) => clientContext.startRun(timer),
  filterPrefs: prefs,
  regExpMatch,
  createActions: () => createActions(),
  baseCapabilities: baseCapabilities(),
  uptake: new Uptake(telemetry, events),
  runTelemetry: new RunTelemetry(clientPings),
  history,
  collectionState: new CollectionStateStore(storage),
  backoff: new ServerBackoffStore(storage),
  log,
});

const runHere = new RecipeRunHere({
  runner,
  createActions,
  createFilterContext: () => clientContext.startRun(),
  filterPrefs: prefs,
  regExpMatch,
  baseCapabilities: baseCapabilities(),
  prefs,
  experiments: preferenceExperiments,
  store: preferenceExperimentStore,
  addonStudies,
  addonStudyStore,
  rollouts: preferenceRollouts,
  rolloutStore: preferenceRolloutStore,
  addons,
  pings: clientPings,
  disabledReason: async () => ((await loadConfig()).enabled ? null : RUNNER_DISABLED),
  eventLog,
  now: () => new Date(),
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
      return run(MANUAL_TRIGGER);
    case "get-state": {
      const { events, dropped, sessions } = await eventLog.read();
      const quarantine = await new StoreQuarantine(storage).notes();
      const state: BackgroundState = {
        runs: await history.list(),
        events,
        droppedEvents: dropped,
        eventSessions: sessions,
        quarantine,
      };
      return state;
    }
    case "get-context":
      return clientContext.snapshot();
    case "get-studies": {
      const preferenceExperiments = await preferenceExperimentStore.getAll();
      const prefNames = [
        ...new Set(preferenceExperiments.flatMap((experiment) => Object.keys(experiment.preferences))),
      ];
      const studies: StudiesState = {
        preferenceExperiments,
        preferenceRollouts: await preferenceRolloutStore.getAll(),
        addonStudies: await addonStudyStore.getAll(),
        addonRollouts: await addonRolloutStore.getAll(),
        startup: await prefs.getStartupApplication(),
        backgroundStartedAt: performance.timeOrigin,
        studiesEnabled: await studiesMayRun(await loadConfig(), prefs),
        prefValues: Object.fromEntries(
          await Promise.all(prefNames.map(async (name) => [name, await prefs.getPref(name, "user")] as const)),
        ),
        endings: studyEndings((await eventLog.read()).events),
      };
      return studies;
    }
    case "get-config":
      return loadConfig();
    case "get-status":
      return clientStatus(await loadConfig(), prefs);
    case "check-connection":
      return checkConnection((await loadConfig()).serverUrl);
    case "evaluate-filter":
      return evaluatePlaygroundFilter(request.expression, clientContext.startRun(), { prefs, regExpMatch });
    case "explain-recipe": {
      const recipe = (await runner.verifiedRecipes()).find(({ id }) => id === request.recipeId);
      if (!recipe)
        return {
          ok: false,
          error: `recipe ${request.recipeId} is not in the last collection that verified: run again first`,
        };
      return evaluateRecipeFilter(recipe, clientContext.startRun(), { prefs, regExpMatch });
    }
    case "remove-preference-study":
      await preferenceExperiments.stop(request.slug, { reason: "individual-opt-out" });
      return null;
    case "remove-addon-study":
      await addonStudies.stop(request.recipeId, "individual-opt-out");
      return null;
    case "get-surveys": {
      const surveysState: SurveysState = {
        published: (await runner.verifiedRecipes())
          .filter((recipe) => recipe.action === "show-heartbeat")
          .map((recipe) => ({
            recipeId: recipe.id,
            name: recipe.name,
            surveyId: String(recipe.arguments.surveyId),
            message: String(recipe.arguments.message),
          })),
        states: await heartbeatStore.getAll(),
      };
      return surveysState;
    }
    case "show-survey": {
      // Only a recipe of the verified collection whose own signature verifies: never one the page made up.
      const recipe = (await runner.verifiedRecipes()).find(({ id }) => id === request.recipeId);
      if (!recipe) throw new Error(`recipe ${request.recipeId} is not in the verified collection`);
      await showSurveyNow(recipe, heartbeat);
      return null;
    }
    case "run-here-candidates":
      await studiesReady;
      return runHere.candidates();
    case "run-here":
      await studiesReady;
      return runHere.run(request.request);
    case "undo-run-here":
      await studiesReady;
      return runHere.undo(request.slug);
  }
}

browser.runtime.onMessage.addListener((message: unknown) => answer(message as BackgroundRequest));
// Study add-ons ask for their study or end it (studyAddonMessages.ts); Firefox names the sender.
browser.runtime.onMessageExternal.addListener((message: unknown, sender: Runtime.MessageSender) =>
  answerStudyAddon(addonStudies, sender.id, message),
);

/** Tells open extension pages about a change they cannot see in storage; no open page is not an error. */
function notifyPages(notice: PageNotice): void {
  browser.runtime.sendMessage(notice).catch(() => undefined);
}
prefs.onPrefChanged.addListener(() => notifyPages({ type: "studies-enabled-changed" }), [STUDIES_OPT_OUT_PREF]);

/** The health ping: once per start of the client (each Firefox start, and each install, enable or update). */
async function reportHealth(): Promise<void> {
  const app = await clientContextApi.getAppFacts();
  await clientPings.record(
    await healthPing({ config: await loadConfig(), prefs, app, clientId: await clientId.get(), addonVersion }),
  );
}
reportHealth().catch((error: unknown) => log.warn(`Cannot send the health ping: ${String(error)}`));

void new RunScheduler(
  (trigger) => run(trigger),
  async () => (await loadConfig()).runIntervalSeconds,
).start();
