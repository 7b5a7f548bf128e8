import { describe, expect, it } from "vitest";
import { NORMANDY_EVENTS, type NormandyEventMethod } from "../../src/core/eventRegistry.js";
import { eventMetricName, gleanEventName } from "../../experiment-apis/telemetry/eventMetricNames.js";
import { normandyEventProblem } from "../../src/core/eventValidation.js";
import { EventLogStore } from "../../src/stores/EventLogStore.js";
import type { EnrollmentTelemetry } from "../../src/telemetry/EnrollmentTelemetry.js";
import { EnrollmentTelemetryRecorder } from "../../src/telemetry/EnrollmentTelemetryRecorder.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakeTelemetryApi } from "../fakes/FakeTelemetryApi.js";
import {
  ADDON_ROLLOUT_EVENTS,
  DOCUMENTED_EVENTS,
  documentedKeys,
  LATER_KEYS,
} from "../fixtures/normandy-data-collection.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

/** `Object.getOwnPropertyNames(Glean.normandy)` on Firefox ESR 153, read in its chrome context. */
const ESR_153_NORMANDY_METRICS = [
  "unenrollFailedPreferenceStudy",
  "unenrollPreferenceStudy",
  "graduatePreferenceRollout",
  "unenrollAddonRollback",
  "enrollFailedAddonStudy",
  "enrollAddonStudy",
  "enrollPreferenceStudy",
  "validationFailedNimbusExperiment",
  "unenrollPreferenceRollback",
  "updatePreferenceRollout",
  "unenrollNimbusExperiment",
  "enrollFailedPreferenceRollout",
  "updateAddonRollout",
  "unenrollFailedAddonRollback",
  "updateFailedAddonStudy",
  "updateFailedAddonRollout",
  "enrollFailedPreferenceStudy",
  "unenrollFailedPreferenceRollback",
  "enrollFailedNimbusExperiment",
  "enrollFailedAddonRollout",
  "expPrefChangedPreferenceStudy",
  "unenrollFailedNimbusExperiment",
  "updateAddonStudy",
  "updateNimbusExperiment",
  "enrollAddonRollout",
  "unenrollAddonStudy",
  "exposeNimbusExperiment",
  "enrollPreferenceRollout",
  "enrollNimbusExperiment",
];

function recorder() {
  const telemetry = new FakeTelemetryApi();
  const eventLog = new EventLogStore(new MemoryStorage());
  const recorder = new EnrollmentTelemetryRecorder(telemetry, eventLog, (matches) => eventLog.newest(matches));
  return { telemetry, eventLog, recorder };
}

/** Calls recordEvent the way untyped (or wrongly typed) code would. */
function recordUnchecked(target: EnrollmentTelemetry, method: string, object: string, value: unknown, extra: unknown) {
  return (target.recordEvent as (...args: unknown[]) => Promise<void>)(method, object, value, extra);
}

describe("the Normandy event registry", () => {
  it("names, for every method × object, a Glean.normandy metric that ESR 153 has (all but Nimbus's expose)", () => {
    const names = Object.entries(NORMANDY_EVENTS).flatMap(([method, { objects }]) =>
      objects.map((object) => gleanEventName(method, object)),
    );
    expect(names.sort()).toEqual(ESR_153_NORMANDY_METRICS.filter((name) => name !== "exposeNimbusExperiment").sort());
  });

  it("derives Glean names as Normandy's TelemetryEvents does, and the snake_case metric names behind them", () => {
    expect(gleanEventName("enrollFailed", "addon_study")).toBe("enrollFailedAddonStudy");
    expect(gleanEventName("expPrefChanged", "preference_study")).toBe("expPrefChangedPreferenceStudy");
    expect(eventMetricName("expPrefChanged", "preference_study")).toBe("exp_pref_changed_preference_study");
    expect(eventMetricName("unenroll", "addon_rollback")).toBe("unenroll_addon_rollback");
  });

  const allEvents = [...DOCUMENTED_EVENTS, ...ADDON_ROLLOUT_EVENTS];
  const registered = (method: string) => NORMANDY_EVENTS[method as NormandyEventMethod];

  it.each(allEvents.map((event) => [`${event.method}/${event.object}`, event] as const))(
    "%s: registered, with every key the data-collection document (or AddonRolloutAction) lists",
    (_name, { method, object }) => {
      const entry = registered(method);
      expect(entry?.objects as readonly string[] | undefined).toContain(object);
      const keys = documentedKeys(method, object)!;
      for (const key of [...keys.always, ...keys.sometimes])
        expect(entry.extraKeys as readonly string[]).toContain(key);
    },
  );

  it("requires enrollmentId of exactly the methods whose every documented event always carries it", () => {
    const alwaysCarried = (method: string) =>
      allEvents
        .filter((event) => event.method === method)
        .every((event) => documentedKeys(method, event.object)!.always.includes("enrollmentId"));
    for (const [method, { requiredExtraKeys }] of Object.entries(NORMANDY_EVENTS)) {
      const documented = allEvents.some((event) => event.method === method);
      expect(requiredExtraKeys.includes("enrollmentId" as never), method).toBe(documented && alwaysCarried(method));
    }
    expect(NORMANDY_EVENTS.enroll.requiredExtraKeys).toEqual(["enrollmentId"]);
  });

  it("sends to a runtime metric only the key ESR 153's compiled metrics lack: enroll's enrollmentId", () => {
    const lacking = Object.entries(NORMANDY_EVENTS).flatMap(([method, { notInCompiledMetric }]) =>
      notInCompiledMetric.map((key) => `${method}.${key}`),
    );
    expect(lacking).toEqual(["enroll.enrollmentId"]);
  });

  it("lists every later key Firefox added to a documented event, and no required key the method lacks", () => {
    for (const { method, keys } of LATER_KEYS)
      for (const key of keys) expect(registered(method).extraKeys as readonly string[]).toContain(key);
    for (const { extraKeys, requiredExtraKeys } of Object.values(NORMANDY_EVENTS)) {
      for (const key of requiredExtraKeys) expect(extraKeys as readonly string[]).toContain(key);
    }
  });

  it("accepts every registered extra key of each method, and an 80-character value", () => {
    for (const [method, { objects, extraKeys }] of Object.entries(NORMANDY_EVENTS)) {
      const extra = Object.fromEntries(extraKeys.map((key) => [key, "x"]));
      for (const object of objects) expect(normandyEventProblem(method, object, "s".repeat(80), extra)).toBeNull();
    }
  });
});

describe("EnrollmentTelemetryRecorder", () => {
  it("records through the telemetry API and appends the event, as recorded, to the event log", async () => {
    const { telemetry, eventLog, recorder: target } = recorder();

    await target.recordEvent("enroll", "preference_study", "my-study", {
      branch: "treatment",
      experimentType: "exp",
      enrollmentId: "id-1",
    });
    await target.recordEvent("unenroll", "preference_study", "my-study", {
      reason: "recipe-not-seen",
      didResetValue: "true",
      enrollmentId: "__NO_ENROLLMENT_ID__",
    });

    expect(telemetry.events).toEqual([
      {
        method: "enroll",
        object: "preference_study",
        value: "my-study",
        extra: { branch: "treatment", experimentType: "exp", enrollmentId: "id-1" },
      },
      {
        method: "unenroll",
        object: "preference_study",
        value: "my-study",
        extra: { reason: "recipe-not-seen", didResetValue: "true", enrollmentId: "__NO_ENROLLMENT_ID__" },
      },
    ]);
    const { events } = await eventLog.read();
    expect(events).toEqual([
      [
        1,
        "normandy",
        "enroll",
        "preference_study",
        "my-study",
        { branch: "treatment", experimentType: "exp", enrollmentId: "id-1" },
      ],
      [
        2,
        "normandy",
        "unenroll",
        "preference_study",
        "my-study",
        { reason: "recipe-not-seen", didResetValue: "true", enrollmentId: "__NO_ENROLLMENT_ID__" },
      ],
    ]);
  });

  const misuses: [what: string, method: string, object: string, value: unknown, extra: unknown, message: RegExp][] = [
    [
      "an unknown method",
      "enrol",
      "preference_study",
      "s",
      {},
      /normandy\/enrol\/preference_study: unknown method "enrol" \(known: enroll,/,
    ],
    [
      "an object the method is not recorded for",
      "graduate",
      "addon_study",
      "s",
      {},
      /"graduate" is not recorded for object "addon_study" \(only for preference_rollout\)/,
    ],
    ["a made-up object", "enroll", "pref_study", "s", {}, /"enroll" is not recorded for object "pref_study"/],
    [
      "an extra key the method does not have",
      "enroll",
      "addon_study",
      "s",
      { enrollmentId: "id", reason: "r" },
      /extra key "reason" is not allowed for "enroll" \(allowed: experimentType, branch, addonId, addonVersion, enrollmentId\)/,
    ],
    [
      "an enroll without its enrollmentId",
      "enroll",
      "addon_study",
      "s",
      { addonId: "a", addonVersion: "1" },
      /every "enroll" event carries the extra "enrollmentId"; it is missing/,
    ],
    [
      "an update without its enrollmentId",
      "update",
      "addon_rollout",
      "s",
      { addonId: "a", addonVersion: "1" },
      /every "update" event carries the extra "enrollmentId"/,
    ],
    ["a null extra", "unenroll", "addon_study", "s", { reason: null }, /extra "reason" must be a string, got null/],
    [
      "an undefined extra",
      "unenroll",
      "addon_study",
      "s",
      { reason: undefined },
      /extra "reason" must be a string, got undefined/,
    ],
    [
      "a number as extra",
      "unenroll",
      "addon_study",
      "s",
      { didResetValue: 1 },
      /extra "didResetValue" must be a string, got number/,
    ],
    [
      "an 81-character value",
      "enroll",
      "addon_study",
      "s".repeat(81),
      {},
      /the value is 81 characters long; at most 80 are allowed/,
    ],
    ["a value that is not a string", "enroll", "addon_study", null, {}, /the value must be a string, got null/],
    ["the value passed as an extra", "enroll", "addon_study", "s", { value: "s" }, /extra key "value" is reserved/],
    [
      "extras that are not an object",
      "enroll",
      "addon_study",
      "s",
      null,
      /extra must be an object of strings, got null/,
    ],
  ];

  it.each(misuses)("refuses %s loudly and records nothing", async (_what, method, object, value, extra, message) => {
    const { telemetry, eventLog, recorder: target } = recorder();

    await expect(recordUnchecked(target, method, object, value, extra)).rejects.toThrow(message);

    expect(telemetry.events).toEqual([]);
    expect((await eventLog.read()).events).toEqual([]);
  });

  it.each(misuses)(
    "FakeEnrollmentTelemetry refuses %s as the recorder does, and keeps nothing",
    async (_what, method, object, value, extra, message) => {
      const fake = new FakeEnrollmentTelemetry();

      await expect(recordUnchecked(fake, method, object, value, extra)).rejects.toThrow(message);

      expect(fake.events).toEqual([]);
    },
  );

  it("FakeEnrollmentTelemetry keeps an extra cut to Glean's 500 bytes, as the recorder records and logs it", async () => {
    const fake = new FakeEnrollmentTelemetry();

    await fake.recordEvent("enrollFailed", "addon_study", "s", { reason: "download-failure", detail: "é".repeat(300) });

    expect(fake.events[0]!.extra.detail).toBe("é".repeat(250));
  });

  it("the fakes refuse annotation options Firefox's schema refuses", async () => {
    for (const fake of [new FakeEnrollmentTelemetry(), new FakeTelemetryApi()]) {
      const setActive = fake.setExperimentActive.bind(fake) as (...args: unknown[]) => Promise<void>;
      await expect(setActive("s", "b", { type: "normandy-study" })).rejects.toThrow(/unknown type "normandy-study"/);
      await expect(setActive("s", "b", { type: "normandy-exp", enrollmentId: 7 })).rejects.toThrow(
        /enrollmentId must be a string/,
      );
      await expect(setActive("s", "b", { type: "normandy-exp", branch: "b" })).rejects.toThrow(
        /unexpected properties branch/,
      );
    }
  });

  it("the fake telemetry API refuses the same events the parent script does", async () => {
    const telemetry = new FakeTelemetryApi();
    const recordEvent = telemetry.recordEvent.bind(telemetry) as (...args: unknown[]) => Promise<number>;
    await expect(recordEvent("enroll", "addon_study", "s", { reason: null })).rejects.toThrow(
      /extra key "reason" is not allowed/,
    );
    await expect(recordEvent("unenroll", "addon_study", "s", { reason: null })).rejects.toThrow(
      /extra "reason" must be a string, got null/,
    );
    expect(telemetry.events).toEqual([]);
  });

  it("cuts an extra longer than Glean's 500 bytes on a character boundary, in Glean and in the log alike", async () => {
    const { telemetry, eventLog, recorder: target } = recorder();
    const detail = "é".repeat(300); // 600 bytes in UTF-8

    await target.recordEvent("enrollFailed", "addon_study", "s", { reason: "download-failure", detail });

    expect(telemetry.events[0]!.extra.detail).toBe("é".repeat(250));
    expect((await eventLog.read()).events[0]![5]).toEqual({ reason: "download-failure", detail: "é".repeat(250) });
  });

  it("recordEventOnce records an event unless the log's newest event of that object and value is that very event", async () => {
    const { telemetry, eventLog, recorder: target } = recorder();
    const toVersion = (addonVersion: string) => ({
      addonId: "a@example.test",
      addonVersion,
      branch: "treatment",
      enrollmentId: "e-1",
    });

    await target.recordEvent("update", "addon_study", "s", toVersion("2.0")); // recorded just before a crash
    await target.recordEvent("update", "addon_study", "other", toVersion("2.0")); // another study's events do not count
    await target.recordEventOnce("update", "addon_study", "s", toVersion("2.0")); // start-up repair: already there
    await target.recordEventOnce("update", "addon_study", "s", toVersion("3.0")); // not there yet: recorded
    await target.recordEventOnce("update", "addon_study", "s", toVersion("2.0")); // no longer the newest: recorded

    const logged = (await eventLog.read()).events.map(([, , , , value, extra]) => `${value} ${extra!.addonVersion}`);
    expect(logged).toEqual(["s 2.0", "other 2.0", "s 3.0", "s 2.0"]);
    expect(telemetry.events).toHaveLength(4);
  });

  it("finds the newest matching event across the event log's segments", async () => {
    const eventLog = new EventLogStore(new MemoryStorage());
    const uptake = (index: number) =>
      [index, "uptake.remotecontent.result", "uptake", "normandy", "success", { source: `s${index}` }] as [
        number,
        string,
        string,
        string,
        string,
        Record<string, string>,
      ];
    await eventLog.append(uptake(0), uptake(1));
    await eventLog.append(...Array.from({ length: 600 }, (_, index) => uptake(index + 2)));

    expect((await eventLog.newest(([, , , , , extra]) => extra?.source === "s1"))?.[0]).toBe(1);
    expect((await eventLog.newest(() => true))?.[0]).toBe(601);
    expect(await eventLog.newest(() => false)).toBeUndefined();
  });

  it("sets and clears experiment annotations through the telemetry API", async () => {
    const { telemetry, recorder: target } = recorder();

    await target.setExperimentActive("my-study", "treatment", { type: "normandy-exp", enrollmentId: "e-1" });
    await target.setExperimentActive("my-rollout", "active", { type: "normandy-prefrollout" });
    expect(Object.fromEntries(telemetry.activeExperiments)).toEqual({
      "my-study": { branch: "treatment", type: "normandy-exp", enrollmentId: "e-1" },
      "my-rollout": { branch: "active", type: "normandy-prefrollout" },
    });

    await target.setExperimentInactive("my-study");
    expect([...telemetry.activeExperiments.keys()]).toEqual(["my-rollout"]);
  });
});
