/**
 * Preference rollouts across restarts (Normandy's PreferenceRollouts: recordOriginalValues, init, graduation;
 * reference §2.3): the start-up re-application, new built-in defaults after a Firefox update, graduation by
 * matching defaults and by the graduation set, an add-on restart within a session, and how rollouts and
 * studies on one pref stack. Against the in-memory prefs (whose `restart()` plays the parent script's
 * onStartup) and a fake EnrollmentTelemetry.
 */
import { describe, expect, it } from "vitest";
import type { PrefValue } from "../../experiment-apis/prefs/interface.js";
import { GRADUATION_SET, PreferenceRollouts } from "../../src/rollouts/PreferenceRollouts.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { PreferenceRolloutStore } from "../../src/stores/PreferenceRolloutStore.js";
import { PreferenceExperiments } from "../../src/studies/PreferenceExperiments.js";
import { NO_ENROLLMENT_ID_MARKER } from "../../src/telemetry/EnrollmentTelemetry.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

const SLUG = "test-rollout";

function setup({ graduationSet = new Set<string>() } = {}) {
  const prefs = new FakePrefsApi();
  const storage = new MemoryStorage();
  const store = new PreferenceRolloutStore(storage);
  const telemetry = new FakeEnrollmentTelemetry();
  const warnings: string[] = [];
  let enrollments = 0;
  /** The engine as one add-on start creates it. */
  const newSession = (set = graduationSet) =>
    new PreferenceRollouts({
      prefs,
      store,
      telemetry,
      warn: (message) => warnings.push(message),
      graduationSet: set,
      newEnrollmentId: () => `enrollment-${++enrollments}`,
    });
  /** A Firefox restart with these built-in defaults, then the add-on's start. */
  const restart = async (builtInDefaults: Record<string, PrefValue>, set = graduationSet) => {
    prefs.restart(builtInDefaults);
    telemetry.active.clear(); // annotations do not survive a restart
    telemetry.events.length = 0;
    const session = newSession(set);
    await session.init();
    return session;
  };
  return { prefs, storage, store, telemetry, warnings, rollouts: newSession(), newSession, restart };
}

const prefsOf = (entries: Record<string, PrefValue>) =>
  Object.entries(entries).map(([preferenceName, value]) => ({ preferenceName, value }));

describe("restarts", () => {
  it("mid-rollout: the values are back before init, nothing is reported, the annotation returns", async () => {
    const { prefs, store, telemetry, rollouts, restart } = setup();
    prefs.defaults.set("test.pref", 10);
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref": 1, "test.new": "x" }));
    const before = await store.get(SLUG);

    await restart({ "test.pref": 10 });

    expect(prefs.startupApplication).toMatchObject({
      firstInSession: true,
      rollouts: { previousDefaults: { "test.pref": 10, "test.new": null }, skipped: [] },
    });
    expect(Object.fromEntries(prefs.defaults)).toEqual({ "test.pref": 1, "test.new": "x" });
    expect(await store.get(SLUG)).toEqual(before);
    expect(telemetry.events).toEqual([]);
    expect(telemetry.active.get(SLUG)).toEqual({
      branch: "active",
      type: "normandy-prefrollout",
      enrollmentId: "enrollment-1",
    });
    expect(prefs.startupPrefs("rollouts")).toEqual({ "test.pref": 1, "test.new": "x" });
  });

  it("after a Firefox update changed a built-in default, the previous value follows it and a rollback restores the new one", async () => {
    const { prefs, store, rollouts, restart } = setup();
    prefs.defaults.set("test.pref", 10);
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref": 20 }));

    const session = await restart({ "test.pref": 15 });

    expect((await store.get(SLUG))!.preferences).toEqual([
      { preferenceName: "test.pref", value: 20, previousValue: 15 },
    ]);
    expect((await store.get(SLUG))!.state).toBe("active");
    await session.rollBack(SLUG);
    expect(prefs.defaults.get("test.pref")).toBe(15);
  });

  it("graduates (all-prefs-match) when every built-in default has caught up with the rollout", async () => {
    const { prefs, store, telemetry, rollouts, restart } = setup();
    prefs.defaults.set("test.pref1", 10);
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref1": 20, "test.pref2": true }));

    const session = await restart({ "test.pref1": 20, "test.pref2": true });

    expect(await store.get(SLUG)).toEqual({
      slug: SLUG,
      state: "graduated",
      preferences: [
        { preferenceName: "test.pref1", value: 20, previousValue: 20 },
        { preferenceName: "test.pref2", value: true, previousValue: true },
      ],
      enrollmentId: "enrollment-1",
    });
    expect(telemetry.events).toEqual([
      {
        method: "graduate",
        object: "preference_rollout",
        value: SLUG,
        extra: { reason: "all-prefs-match", enrollmentId: "enrollment-1" },
      },
    ]);
    expect(telemetry.active.size).toBe(0);
    expect(prefs.startupPrefs("rollouts")).toEqual({});
    // Firefox's own defaults are left as they are, and the rollout can no longer be rolled back.
    expect(Object.fromEntries(prefs.defaults)).toEqual({ "test.pref1": 20, "test.pref2": true });
    await expect(session.rollBack(SLUG)).rejects.toThrow(/has graduated/);
  });

  it("does not graduate while one pref still differs from its built-in default", async () => {
    const { prefs, store, telemetry, rollouts, restart } = setup();
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref1": 20, "test.pref2": true }));

    await restart({ "test.pref1": 20 });

    expect((await store.get(SLUG))!.state).toBe("active");
    expect((await store.get(SLUG))!.preferences.map(({ previousValue }) => previousValue)).toEqual([20, null]);
    expect(telemetry.events).toEqual([]);
    expect(prefs.defaults.get("test.pref2")).toBe(true);
  });

  it("an add-on restart within the Firefox session learns nothing: the defaults it finds are its own", async () => {
    const { prefs, store, telemetry, rollouts, newSession } = setup();
    prefs.defaults.set("test.pref", 10);
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref": 20 }));

    prefs.restartAddon();
    await newSession().init();

    expect(prefs.startupApplication).toMatchObject({
      firstInSession: false,
      rollouts: { previousDefaults: { "test.pref": 20 } },
    });
    expect(await store.get(SLUG)).toMatchObject({
      state: "active",
      preferences: [{ preferenceName: "test.pref", value: 20, previousValue: 10 }],
    });
    expect(telemetry.eventsOf("graduate")).toEqual([]);
  });

  it("graduates a rollout whose slug is in the graduation set (in-graduation-set)", async () => {
    const { prefs, store, telemetry, rollouts, restart } = setup();
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref": 1 }));

    await restart({}, new Set([SLUG]));

    expect((await store.get(SLUG))!.state).toBe("graduated");
    expect(telemetry.events).toEqual([
      {
        method: "graduate",
        object: "preference_rollout",
        value: SLUG,
        extra: { reason: "in-graduation-set", enrollmentId: "enrollment-1" },
      },
    ]);
    expect(telemetry.active.size).toBe(0);
    expect(prefs.startupPrefs("rollouts")).toEqual({});
  });

  it("the default graduation set is Normandy's", () => {
    expect(GRADUATION_SET.size).toBe(11);
    expect(GRADUATION_SET.has("bug-1732206-rollout-fission-release-rollout-release-94-95")).toBe(true);
  });

  it("a stored value whose type no longer matches is skipped: the rollout keeps its previous value and does not graduate", async () => {
    const { prefs, store, telemetry, warnings, rollouts, restart } = setup();
    prefs.defaults.set("test.pref", 10);
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref": 20 }));

    await restart({ "test.pref": "now a string" });

    expect(prefs.defaults.get("test.pref")).toBe("now a string");
    expect(await store.get(SLUG)).toMatchObject({ state: "active", preferences: [{ value: 20, previousValue: 10 }] });
    expect(telemetry.events).toEqual([]);
    expect(warnings).toContainEqual("The stored rollout value of test.pref has the wrong type; it was not applied");
  });

  it("a value re-applied for a pref no active rollout owns (the add-on stopped mid-rollback) is undone", async () => {
    const { prefs, store, rollouts, restart } = setup();
    prefs.defaults.set("test.pref", 10);
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref": 20, "test.new": 1 }));
    await store.update(SLUG, (stored) => {
      stored.state = "rolled-back";
    }); // the record was saved, the startup prefs were not

    await restart({ "test.pref": 10 });

    expect(prefs.defaults.get("test.pref")).toBe(10);
    expect(await prefs.getPrefType("test.new")).toBe("invalid");
    expect(prefs.startupPrefs("rollouts")).toEqual({});
  });

  it("rollouts are applied before studies: a study on a rolled-out pref wins, and each restores the value below it", async () => {
    const { prefs, store, rollouts, restart } = setup();
    prefs.defaults.set("test.pref", 10);
    const studyStore = new PreferenceExperimentStore(new MemoryStorage());
    const newStudies = () =>
      new PreferenceExperiments({
        prefs,
        store: studyStore,
        telemetry: new FakeEnrollmentTelemetry(),
        warn: () => undefined,
      });
    await rollouts.rollOut(SLUG, prefsOf({ "test.pref": 20 }));
    await newStudies().start({
      slug: "study",
      actionName: "PreferenceExperimentAction",
      branch: "treatment",
      preferences: { "test.pref": { preferenceType: "integer", preferenceBranchType: "default", preferenceValue: 30 } },
      userFacingName: "A study",
      userFacingDescription: "On a rolled-out pref",
    });

    const session = await restart({ "test.pref": 10 });
    const studies = newStudies();
    await studies.init();

    expect(prefs.defaults.get("test.pref")).toBe(30);
    expect((await store.get(SLUG))!.preferences[0]!.previousValue).toBe(10);
    expect((await studyStore.get("study"))!.preferences["test.pref"]!.previousPreferenceValue).toBe(20);
    await studies.stop("study", { reason: "recipe-not-seen" });
    expect(prefs.defaults.get("test.pref")).toBe(20);
    await session.rollBack(SLUG);
    expect(prefs.defaults.get("test.pref")).toBe(10);
  });
});

describe("PreferenceRolloutStore", () => {
  it("keeps every rollout across instances, the active ones apart, and replaces enrollment ids", async () => {
    const { storage, store } = setup();
    await store.add({ slug: "a", state: "active", preferences: [], enrollmentId: "id-a" });
    await store.add({ slug: "b", state: "rolled-back", preferences: [], enrollmentId: "id-b" });
    await store.add({ slug: "c", state: "graduated", preferences: [], enrollmentId: "id-c" });

    const reopened = new PreferenceRolloutStore(storage);
    expect((await reopened.getAll()).map(({ slug }) => slug)).toEqual(["a", "b", "c"]);
    expect((await reopened.getAllActive()).map(({ slug }) => slug)).toEqual(["a"]);
    await expect(reopened.add({ slug: "a", state: "active", preferences: [], enrollmentId: "x" })).rejects.toThrow(
      /preference rollout with the slug "a" already exists/,
    );
    await reopened.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER);
    expect((await store.getAll()).map(({ enrollmentId }) => enrollmentId)).toEqual([
      NO_ENROLLMENT_ID_MARKER,
      NO_ENROLLMENT_ID_MARKER,
      NO_ENROLLMENT_ID_MARKER,
    ]);
  });
});
