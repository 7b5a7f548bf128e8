import type { TelemetryApi } from "../../experiment-apis/telemetry/interface.js";
import type { RecipeRunnerDeps } from "../../src/runner/RecipeRunner.js";
import { CollectionStateStore } from "../../src/stores/CollectionStateStore.js";
import type { KeyValueStorage } from "../../src/stores/KeyValueStorage.js";
import { RunHistoryStore } from "../../src/stores/RunHistoryStore.js";
import { ServerBackoffStore } from "../../src/stores/ServerBackoffStore.js";
import { ClientPingRecorder } from "../../src/telemetry/ClientPingRecorder.js";
import type { EventSink } from "../../src/telemetry/EventSink.js";
import { RunTelemetry } from "../../src/telemetry/RunTelemetry.js";
import { Uptake } from "../../src/telemetry/Uptake.js";

/** What a runner records of its runs: telemetry, run history, the last applied changeset, the server's backoff. */
export type RunnerRecords = Pick<
  RecipeRunnerDeps,
  "uptake" | "runTelemetry" | "history" | "collectionState" | "backoff"
>;

/** The runner's records over `telemetry`, the event log and `storage`, wired as src/background.ts wires them. */
export function runnerRecords(telemetry: TelemetryApi, eventLog: EventSink, storage: KeyValueStorage): RunnerRecords {
  return {
    uptake: new Uptake(telemetry, eventLog),
    runTelemetry: new RunTelemetry(new ClientPingRecorder(telemetry, eventLog)),
    history: new RunHistoryStore(storage),
    collectionState: new CollectionStateStore(storage),
    backoff: new ServerBackoffStore(storage),
  };
}
