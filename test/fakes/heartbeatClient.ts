/**
 * `show-heartbeat`'s collaborators over in-memory Firefox, wired as the background page wires them: the
 * fake notification bar, the fake telemetry API (messaging pings and Firefox's heartbeat ping), the event
 * log, a manual clock and timers that fire only when the test advances the clock.
 */
import type { ShowHeartbeatActionDeps } from "../../src/actions/ShowHeartbeatAction.js";
import { HeartbeatSurveys, type Timers } from "../../src/heartbeat/HeartbeatSurveys.js";
import { postAnswerFacts, studyBranchLookup, surveyDurationMs } from "../../src/heartbeat/surveyContext.js";
import type { AddonStudyStore } from "../../src/stores/AddonStudyStore.js";
import { EventLogStore } from "../../src/stores/EventLogStore.js";
import { HeartbeatStore } from "../../src/stores/HeartbeatStore.js";
import type { KeyValueStorage } from "../../src/stores/KeyValueStorage.js";
import type { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { ClientPingRecorder } from "../../src/telemetry/ClientPingRecorder.js";
import { MessagingTelemetry } from "../../src/telemetry/MessagingTelemetry.js";
import { FakeClientContextApi } from "./FakeClientContextApi.js";
import { FakeNotificationBarApi } from "./FakeNotificationBarApi.js";
import type { FakePrefsApi } from "./FakePrefsApi.js";
import type { FakeTelemetryApi } from "./FakeTelemetryApi.js";

export const HEARTBEAT_CLIENT_ID = "0b5c8f5e-8a55-4b0e-9f6c-4f1f0c6c2a11";

/** Timers on a manual clock: `advance(ms)` moves it and fires what came due, in order. */
export class ManualTimers implements Timers {
  now = Date.UTC(2026, 11, 7, 12);
  private nextHandle = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  set(callback: () => void, ms: number): number {
    const handle = this.nextHandle++;
    this.pending.set(handle, { at: this.now + ms, callback });
    return handle;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, timer]) => timer.at <= until)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = until;
  }
}

export interface HeartbeatClientOptions {
  storage: KeyValueStorage;
  prefs: FakePrefsApi;
  telemetry: FakeTelemetryApi;
  preferenceStudies: PreferenceExperimentStore;
  addonStudies: AddonStudyStore;
  userId: string;
  /** Defaults to a fresh one; pass the previous one to play a Firefox restart with windows still there. */
  bar?: FakeNotificationBarApi;
  timers?: ManualTimers;
}

export function heartbeatClient(options: HeartbeatClientOptions) {
  const { storage, prefs, telemetry } = options;
  const bar = options.bar ?? new FakeNotificationBarApi();
  const timers = options.timers ?? new ManualTimers();
  const clientContext = new FakeClientContextApi();
  const eventLog = new EventLogStore(storage);
  const store = new HeartbeatStore(storage);
  const info: string[] = [];
  const warnings: string[] = [];
  const now = () => timers.now;
  let flows = 0;
  const surveys = new HeartbeatSurveys({
    bar,
    store,
    telemetry: new MessagingTelemetry(new ClientPingRecorder(telemetry, eventLog), async () => ({
      clientId: HEARTBEAT_CLIENT_ID,
      addonVersion: "0.1.0",
      locale: "en-US",
    })),
    submitHeartbeatPing: (ping) => telemetry.submitHeartbeatPing(ping),
    surveyDurationMs: () => surveyDurationMs(prefs),
    now,
    newFlowId: () => `00000000-0000-4000-8000-${String(++flows).padStart(12, "0")}`,
    timers,
    warn: (message) => void warnings.push(message),
  });
  const deps: ShowHeartbeatActionDeps = {
    surveys,
    store,
    userId: async () => options.userId,
    postAnswerFacts: () => postAnswerFacts(clientContext),
    studyBranch: studyBranchLookup(options.preferenceStudies, options.addonStudies),
    now,
    info: (message) => void info.push(message),
  };
  return { deps, bar, timers, store, surveys, eventLog, clientContext, info, warnings };
}
