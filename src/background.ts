/**
 * The add-on's background page: wires the real experiment APIs and storage into the runner, schedules runs,
 * and answers the extension pages. No rules live here.
 */
import { ActionsManager } from "./actions/ActionsManager.js";
import { ConsoleLogAction } from "./actions/ConsoleLogAction.js";
import { browser } from "./apis/browserApis.js";
import { loadClientConfig } from "./config/ClientConfig.js";
import { createCachedVerifier } from "./core/index.js";
import type { BackgroundRequest, BackgroundState } from "./messages.js";
import { filterContextFor, type ClientFacts } from "./runner/filterContext.js";
import { RecipeRunner, type Logger } from "./runner/RecipeRunner.js";
import { RunScheduler } from "./runner/RunScheduler.js";
import { CollectionStateStore } from "./stores/CollectionStateStore.js";
import { EventLogStore } from "./stores/EventLogStore.js";
import { storageAreaAdapter } from "./stores/KeyValueStorage.js";
import { RunHistoryStore } from "./stores/RunHistoryStore.js";
import { Uptake } from "./telemetry/Uptake.js";

const { prefs, telemetry } = browser.experiments;
const storage = storageAreaAdapter(browser.storage.local);
const eventLog = new EventLogStore(storage);
const history = new RunHistoryStore(storage);

const log: Logger = {
  info: (message) => console.info(`[recipe-client] ${message}`),
  warn: (message) => console.warn(`[recipe-client] ${message}`),
  error: (message) => console.error(`[recipe-client] ${message}`),
};

const loadConfig = () => loadClientConfig(prefs, log.warn);

async function clientFacts(): Promise<ClientFacts> {
  const info = await browser.runtime.getBrowserInfo();
  return { version: info.version, locale: browser.i18n.getUILanguage() };
}

const runner = new RecipeRunner({
  loadConfig,
  checkSignature: createCachedVerifier(),
  filterContext: async (recipe) => filterContextFor(await clientFacts(), recipe),
  // console-log writes the bare message, as Normandy's ConsoleLogAction does.
  createActions: () => new ActionsManager(new Map([["console-log", new ConsoleLogAction((message) => console.log(message))]])),
  baseCapabilities: ["capabilities-v1", "jexl.context.env", "jexl.context.normandy"],
  uptake: new Uptake(telemetry, eventLog),
  history,
  collectionState: new CollectionStateStore(storage),
  log,
});

async function answer(request: BackgroundRequest): Promise<unknown> {
  switch (request.type) {
    case "run-now":
      return runner.run("manual");
    case "get-state": {
      const { events, dropped } = await eventLog.read();
      const state: BackgroundState = { runs: await history.list(), events, droppedEvents: dropped };
      return state;
    }
  }
}

browser.runtime.onMessage.addListener((message: unknown) => answer(message as BackgroundRequest));

void new RunScheduler(
  (trigger) => runner.run(trigger),
  async () => (await loadConfig()).runIntervalSeconds,
).start();
