/**
 * Preference experiments across runs (Normandy's PreferenceExperiments, reference §2.2): enrollment checks
 * and their enrollFailed reasons, how each branch type is applied, observers, restarts (startup prefs,
 * sideloads, new built-in defaults) and unenrollment with its unenrollFailed reasons. Against the in-memory
 * prefs fake and a fake EnrollmentTelemetry.
 */
import { describe, expect, it, vi } from "vitest";
import { STARTUP_PREFS_BRANCHES, type PrefValue } from "../../experiment-apis/prefs/interface.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import {
  EnrollmentRefused,
  PreferenceExperiments,
  UnenrollmentRefused,
  type BranchPreference,
  type StartOptions,
} from "../../src/studies/PreferenceExperiments.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const PREF = "test.study.pref";

function setup() {
  const prefs = new FakePrefsApi();
  const storage = new MemoryStorage();
  const store = new PreferenceExperimentStore(storage);
  const telemetry = new FakeEnrollmentTelemetry();
  const warnings: string[] = [];
  let enrollments = 0;
  const create = () =>
    new PreferenceExperiments({
      prefs,
      store,
      telemetry,
      warn: (message) => warnings.push(message),
      now: () => NOW,
      newEnrollmentId: () => `enrollment-${++enrollments}`,
    });
  return { prefs, store, telemetry, warnings, experiments: create(), newSession: create };
}

function pref(preferenceValue: PrefValue, preferenceBranchType: "default" | "user" = "default"): BranchPreference {
  const preferenceType = typeof preferenceValue === "number" ? "integer" : typeof preferenceValue;
  return { preferenceType, preferenceBranchType, preferenceValue };
}

function study(overrides: Partial<StartOptions> = {}): StartOptions {
  return {
    slug: "study",
    actionName: "PreferenceExperimentAction",
    branch: "treatment",
    preferences: { [PREF]: pref(true) },
    userFacingName: "A study",
    userFacingDescription: "What it does",
    ...overrides,
  };
}

describe("enrolling", () => {
  it("sets a default-branch pref's default, records the previous default, annotates and reports", async () => {
    const { prefs, store, telemetry, experiments } = setup();
    prefs.defaults.set(PREF, false);

    await experiments.start(study());

    expect(prefs.defaults.get(PREF)).toBe(true);
    expect(prefs.user.has(PREF)).toBe(false);
    expect(await store.get("study")).toEqual({
      slug: "study",
      actionName: "PreferenceExperimentAction",
      branch: "treatment",
      expired: false,
      lastSeen: NOW.toJSON(),
      preferences: {
        [PREF]: {
          preferenceValue: true,
          preferenceType: "boolean",
          previousPreferenceValue: false,
          preferenceBranchType: "default",
          overridden: false,
        },
      },
      experimentType: "exp",
      userFacingName: "A study",
      userFacingDescription: "What it does",
      temporaryErrorDeadline: null,
      enrollmentId: "enrollment-1",
    });
    expect(telemetry.events).toEqual([
      {
        method: "enroll",
        object: "preference_study",
        value: "study",
        extra: { experimentType: "exp", branch: "treatment", enrollmentId: "enrollment-1" },
      },
    ]);
    expect(telemetry.active.get("study")).toEqual({
      branch: "treatment",
      type: "normandy-exp",
      enrollmentId: "enrollment-1",
    });
    expect(prefs.startupPrefs("experiments")).toEqual({ [PREF]: true });
  });

  it("sets a user-branch pref's user value; its previous value is the user value, not the default", async () => {
    const { prefs, store, experiments } = setup();
    prefs.defaults.set("a.default-only", 1);
    prefs.defaults.set("b.user-set", "default");
    prefs.user.set("b.user-set", "mine");

    await experiments.start(
      study({ preferences: { "a.default-only": pref(2, "user"), "b.user-set": pref("study", "user") } }),
    );

    expect(prefs.user.get("a.default-only")).toBe(2);
    expect(prefs.user.get("b.user-set")).toBe("study");
    const stored = (await store.get("study"))!.preferences;
    expect(stored["a.default-only"]!.previousPreferenceValue).toBeNull();
    expect(stored["b.user-set"]!.previousPreferenceValue).toBe("mine");
    // User-branch values survive a restart by themselves: they are not startup prefs.
    expect(prefs.startupPrefs("experiments")).toEqual({});
  });

  it("leaves a default-branch pref with a user value untouched: overridden, expPrefChanged onEnroll", async () => {
    const { prefs, store, telemetry, experiments } = setup();
    prefs.defaults.set(PREF, false);
    prefs.user.set(PREF, false);

    await experiments.start(study());

    expect(prefs.defaults.get(PREF)).toBe(false);
    expect((await store.get("study"))!.preferences[PREF]!.overridden).toBe(true);
    expect(telemetry.events.map(({ method, extra }) => [method, extra])).toEqual([
      ["enroll", { experimentType: "exp", branch: "treatment", enrollmentId: "enrollment-1" }],
      ["expPrefChanged", { preferenceName: PREF, reason: "onEnroll", enrollmentId: "enrollment-1" }],
    ]);
    expect(prefs.listenerCount(PREF)).toBe(0);
    expect(prefs.startupPrefs("experiments")).toEqual({});
  });

  it("annotates a high-population study as normandy-exp-highpop", async () => {
    const { telemetry, experiments } = setup();
    await experiments.start(study({ experimentType: "exp-highpop" }));
    expect(telemetry.active.get("study")?.type).toBe("normandy-exp-highpop");
    expect(telemetry.eventsOf("enroll")[0]!.extra.experimentType).toBe("exp-highpop");
  });

  describe("refusals: an enrollFailed event, an EnrollmentRefused error, no pref changed", () => {
    async function refusal(run: (context: ReturnType<typeof setup>) => Promise<unknown>) {
      const context = setup();
      context.prefs.defaults.set(PREF, false);
      context.prefs.defaults.set("other.pref", 1);
      const before = { defaults: new Map(context.prefs.defaults), user: new Map(context.prefs.user) };
      const error = await run(context).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(EnrollmentRefused);
      return { ...context, error: error as EnrollmentRefused, before };
    }

    it("name-conflict: the slug was enrolled before, even when that enrollment is over", async () => {
      const { telemetry, error } = await refusal(async ({ experiments }) => {
        await experiments.start(study({ preferences: { "other.pref": pref(5) } }));
        await experiments.stop("study", { reason: "recipe-not-seen" });
        await experiments.start(study());
      });
      expect(error.reason).toBe("name-conflict");
      expect(telemetry.eventsOf("enrollFailed")).toEqual([
        { method: "enrollFailed", object: "preference_study", value: "study", extra: { reason: "name-conflict" } },
      ]);
    });

    it("pref-conflict: an active study already sets one of the prefs", async () => {
      const { prefs, telemetry, error } = await refusal(async ({ experiments }) => {
        await experiments.start(study({ slug: "first" }));
        await experiments.start(study({ slug: "second", preferences: { [PREF]: pref(false) } }));
      });
      expect(error.reason).toBe("pref-conflict");
      expect(telemetry.eventsOf("enrollFailed")).toEqual([
        { method: "enrollFailed", object: "preference_study", value: "second", extra: { reason: "pref-conflict" } },
      ]);
      expect(prefs.defaults.get(PREF)).toBe(true); // the first study's value
    });

    it("experiment-type-too-long: more than 11 characters (20 with the normandy- prefix)", async () => {
      const { telemetry, error, prefs, before } = await refusal(({ experiments }) =>
        experiments.start(study({ experimentType: "exp-12-chars" })),
      );
      expect(error.reason).toBe("experiment-type-too-long");
      expect(telemetry.eventsOf("enrollFailed")[0]!.extra).toEqual({ reason: "experiment-type-too-long" });
      expect(prefs.defaults).toEqual(before.defaults);
    });

    it("invalid-branch: the branch type is neither default nor user; prefBranch is cut to 80 characters", async () => {
      const branchType = "sticky".repeat(20);
      const { telemetry, error } = await refusal(({ experiments }) =>
        experiments.start(
          study({
            preferences: {
              [PREF]: { preferenceType: "boolean", preferenceBranchType: branchType, preferenceValue: true },
            },
          }),
        ),
      );
      expect(error.reason).toBe("invalid-branch");
      expect(telemetry.eventsOf("enrollFailed")[0]!.extra).toEqual({
        reason: "invalid-branch",
        prefBranch: branchType.slice(0, 80),
      });
    });

    it("invalid-type: an unknown preferenceType", async () => {
      const { telemetry, error } = await refusal(({ experiments }) =>
        experiments.start(study({ preferences: { [PREF]: { preferenceType: "float", preferenceValue: 1.5 } } })),
      );
      expect(error.reason).toBe("invalid-type");
      expect(telemetry.eventsOf("enrollFailed")[0]!.extra).toEqual({ reason: "invalid-type" });
    });

    it("invalid-type: the pref exists with another type", async () => {
      const { error, prefs, before } = await refusal(({ experiments }) =>
        experiments.start(study({ preferences: { "other.pref": pref("one") } })),
      );
      expect(error.reason).toBe("invalid-type");
      expect(prefs.defaults).toEqual(before.defaults);
    });

    it("invalid-type: the value does not have the declared type (checked before any pref changes)", async () => {
      const { error, prefs, before } = await refusal(({ experiments }) =>
        experiments.start(
          study({
            preferences: {
              "other.pref": pref(2),
              [PREF]: { preferenceType: "boolean", preferenceBranchType: "default", preferenceValue: "true" },
            },
          }),
        ),
      );
      expect(error.reason).toBe("invalid-type");
      expect(prefs.defaults).toEqual(before.defaults);
    });

    it("invalid-type: an integer pref given a fraction or more than 32 bits", async () => {
      for (const value of [1.5, 2 ** 31]) {
        const { error } = await refusal(({ experiments }) =>
          experiments.start(
            study({ preferences: { "other.pref": { preferenceType: "integer", preferenceValue: value } } }),
          ),
        );
        expect(error.reason).toBe("invalid-type");
      }
    });
  });

  it("a pref that cannot be written undoes the ones already written and leaves no record", async () => {
    const { prefs, store, telemetry, experiments } = setup();
    prefs.defaults.set("first.pref", 1);
    const setPref = prefs.setPref.bind(prefs);
    vi.spyOn(prefs, "setPref").mockImplementation(async (name, value, branch) => {
      if (name === "second.pref" && value === "study") throw new Error("locked");
      return setPref(name, value, branch);
    });

    await expect(
      experiments.start(study({ preferences: { "first.pref": pref(2), "second.pref": pref("study", "user") } })),
    ).rejects.toThrow("locked");

    expect(prefs.defaults.get("first.pref")).toBe(1);
    expect(prefs.user.has("second.pref")).toBe(false);
    expect(await store.getAll()).toEqual([]);
    expect(telemetry.events).toEqual([]);
  });
});

describe("watching the prefs of an active study", () => {
  it("a user change is recorded once as expPrefChanged observer; the study goes on with the user's value", async () => {
    const { prefs, store, telemetry, experiments } = setup();
    prefs.defaults.set(PREF, false);
    await experiments.start(study());
    await prefs.settled();
    expect(telemetry.eventsOf("expPrefChanged")).toEqual([]);

    await prefs.setPref(PREF, false, "user");
    await prefs.settled();
    await prefs.setPref(PREF, true, "user");
    await prefs.settled();

    expect(telemetry.eventsOf("expPrefChanged")).toEqual([
      {
        method: "expPrefChanged",
        object: "preference_study",
        value: "study",
        extra: { preferenceName: PREF, reason: "observer", enrollmentId: "enrollment-1" },
      },
    ]);
    const stored = (await store.get("study"))!;
    expect(stored.expired).toBe(false);
    expect(stored.preferences[PREF]!.overridden).toBe(true);
    expect(prefs.startupPrefs("experiments")).toEqual({});
  });

  it("a change back to the study's own value, or of another pref, is not a change", async () => {
    const { prefs, telemetry, experiments } = setup();
    prefs.defaults.set(PREF, false);
    await experiments.start(study());
    await prefs.setPref(PREF, true, "user");
    await prefs.setPref(`${PREF}.extra`, true, "user");
    await prefs.settled();
    expect(telemetry.eventsOf("expPrefChanged")).toEqual([]);
  });
});

describe("unenrolling", () => {
  it("restores every pref on its branch, exactly, and reports unenroll with didResetValue", async () => {
    const { prefs, store, telemetry, experiments } = setup();
    prefs.defaults.set("d.with-default", "shipped");
    prefs.defaults.set("u.with-default", 10);
    prefs.user.set("u.user-set", true);
    await experiments.start(
      study({
        preferences: {
          "d.with-default": pref("study"),
          "d.new": pref(7),
          "u.with-default": pref(11, "user"),
          "u.user-set": pref(false, "user"),
        },
      }),
    );

    await experiments.stop("study", { reason: "recipe-not-seen" });

    expect(Object.fromEntries(prefs.defaults)).toEqual({ "d.with-default": "shipped", "u.with-default": 10 });
    expect(
      Object.fromEntries([...prefs.user].filter(([name]) => !name.startsWith(STARTUP_PREFS_BRANCHES.experiments))),
    ).toEqual({ "u.user-set": true });
    expect(await prefs.getPrefType("d.new")).toBe("invalid"); // Normandy leaves it until a restart
    expect((await store.get("study"))!).toMatchObject({ expired: true, temporaryErrorDeadline: null });
    expect(telemetry.eventsOf("unenroll")).toEqual([
      {
        method: "unenroll",
        object: "preference_study",
        value: "study",
        extra: { didResetValue: "true", branch: "treatment", reason: "recipe-not-seen", enrollmentId: "enrollment-1" },
      },
    ]);
    expect(telemetry.active.has("study")).toBe(false);
    expect(prefs.startupPrefs("experiments")).toEqual({});
    expect(prefs.listenerCount("d.with-default")).toBe(0);
  });

  it("never overwrites a value the user chose", async () => {
    const { prefs, experiments } = setup();
    prefs.defaults.set("u.pref", "shipped");
    prefs.defaults.set("d.pref", "shipped");
    await experiments.start(study({ preferences: { "u.pref": pref("study", "user"), "d.pref": pref("study") } }));
    await prefs.setPref("u.pref", "mine", "user");
    await prefs.setPref("d.pref", "mine too", "user");
    await prefs.settled();

    await experiments.stop("study", { reason: "filter-mismatch" });

    expect(prefs.user.get("u.pref")).toBe("mine");
    expect(prefs.user.get("d.pref")).toBe("mine too");
    expect(prefs.defaults.get("d.pref")).toBe("shipped");
  });

  it("keeps the study's values when asked not to reset, and says so", async () => {
    const { prefs, telemetry, experiments } = setup();
    await experiments.start(study({ preferences: { [PREF]: pref(3, "user") } }));
    await experiments.stop("study", { resetValue: false, reason: "individual-opt-out", changedPref: PREF });
    expect(prefs.user.get(PREF)).toBe(3);
    expect(telemetry.eventsOf("unenroll")[0]!.extra).toEqual({
      didResetValue: "false",
      branch: "treatment",
      reason: "individual-opt-out",
      enrollmentId: "enrollment-1",
      changedPref: PREF,
    });
  });

  it("unenrollFailed does-not-exist for an unknown slug", async () => {
    const { telemetry, experiments } = setup();
    const error = await experiments.stop("nope", { reason: "filter-mismatch" }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UnenrollmentRefused);
    expect(telemetry.events).toEqual([
      {
        method: "unenrollFailed",
        object: "preference_study",
        value: "nope",
        extra: { reason: "does-not-exist", originalReason: "filter-mismatch" },
      },
    ]);
  });

  it("unenrollFailed already-unenrolled for an expired study; nothing is restored twice", async () => {
    const { prefs, telemetry, experiments } = setup();
    await experiments.start(study({ preferences: { [PREF]: pref(3, "user") } }));
    await experiments.stop("study", { reason: "recipe-not-seen" });
    await prefs.setPref(PREF, 9, "user");

    const error = await experiments.stop("study").catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(UnenrollmentRefused);
    expect((error as UnenrollmentRefused).reason).toBe("already-unenrolled");
    expect(telemetry.eventsOf("unenrollFailed")[0]!.extra).toEqual({
      reason: "already-unenrolled",
      originalReason: "unknown",
      enrollmentId: "enrollment-1",
    });
    expect(prefs.user.get(PREF)).toBe(9);
  });

  it("stopAll ends every active study, whichever action owns it", async () => {
    const { store, telemetry, experiments } = setup();
    await experiments.start(study({ slug: "a", preferences: { "a.pref": pref(1) } }));
    await experiments.start(
      study({ slug: "b", actionName: "SinglePreferenceExperimentAction", preferences: { "b.pref": pref(1) } }),
    );

    await experiments.stopAll("general-opt-out");

    expect(await store.getAllActive()).toEqual([]);
    expect(telemetry.eventsOf("unenroll").map(({ value, extra }) => [value, extra.reason])).toEqual([
      ["a", "general-opt-out"],
      ["b", "general-opt-out"],
    ]);
  });
});

describe("restarts", () => {
  it("mid-study: the default is back before init, nothing counts as a user change, annotations and observers return", async () => {
    const { prefs, telemetry, newSession, experiments } = setup();
    prefs.defaults.set(PREF, false);
    await experiments.start(study());
    telemetry.events.length = 0;

    prefs.restart({ [PREF]: false });
    telemetry.active.clear();
    expect(prefs.defaults.get(PREF)).toBe(true);
    expect(prefs.startupApplication!.experiments.previousDefaults).toEqual({ [PREF]: false });
    await newSession().init();
    await prefs.settled();

    expect(telemetry.events).toEqual([]);
    expect(telemetry.active.get("study")).toEqual({
      branch: "treatment",
      type: "normandy-exp",
      enrollmentId: "enrollment-1",
    });
    expect(prefs.listenerCount(PREF)).toBe(1);
  });

  it("a pref changed while Firefox was closed is a sideload: recorded, the study goes on, the value stays on unenroll", async () => {
    const { prefs, store, telemetry, newSession, experiments } = setup();
    prefs.defaults.set(PREF, false);
    prefs.defaults.set("u.pref", 1);
    await experiments.start(study({ preferences: { [PREF]: pref(true), "u.pref": pref(2, "user") } }));
    prefs.user.set(PREF, false); // written to prefs.js while Firefox was closed
    prefs.user.set("u.pref", 5);

    prefs.restart({ [PREF]: false, "u.pref": 1 });
    const session = newSession();
    await session.init();

    expect(telemetry.eventsOf("expPrefChanged").map(({ extra }) => extra)).toEqual([
      { preferenceName: PREF, reason: "sideload", enrollmentId: "enrollment-1" },
      { preferenceName: "u.pref", reason: "sideload", enrollmentId: "enrollment-1" },
    ]);
    expect((await store.get("study"))!.expired).toBe(false);
    expect(prefs.listenerCount(PREF)).toBe(0);

    await session.stop("study", { reason: "recipe-not-seen" });
    expect(prefs.user.get(PREF)).toBe(false);
    expect(prefs.user.get("u.pref")).toBe(5);
    expect(prefs.defaults.get(PREF)).toBe(false);
  });

  it("after a Firefox update changed a built-in default, unenrolling restores the new default", async () => {
    const { prefs, newSession, experiments } = setup();
    prefs.defaults.set(PREF, 10);
    await experiments.start(study({ preferences: { [PREF]: pref(20) } }));

    prefs.restart({ [PREF]: 15 });
    const session = newSession();
    await session.init();
    await session.stop("study", { reason: "recipe-not-seen" });

    expect(prefs.defaults.get(PREF)).toBe(15);
  });

  it("an add-on restart within the Firefox session keeps the recorded previous defaults: the defaults it finds are its own", async () => {
    const { prefs, newSession, experiments } = setup();
    prefs.defaults.set(PREF, false);
    await experiments.start(study());

    prefs.restartAddon();
    const session = newSession();
    await session.init();
    await session.stop("study", { reason: "recipe-not-seen" });

    expect(prefs.startupApplication).toMatchObject({
      firstInSession: false,
      experiments: { previousDefaults: { [PREF]: true } },
    });
    expect(prefs.defaults.get(PREF)).toBe(false);
  });

  it("a stored value whose type no longer matches is skipped, and then counts as a sideload", async () => {
    const { prefs, telemetry, newSession, experiments } = setup();
    await experiments.start(study({ preferences: { [PREF]: pref(1) } }));

    prefs.restart({ [PREF]: "now a string" });
    expect(prefs.startupApplication!.experiments.skipped).toEqual([PREF]);
    await newSession().init();

    expect(telemetry.eventsOf("expPrefChanged").map(({ extra }) => extra.reason)).toEqual(["sideload"]);
  });

  it("a value re-applied for a pref no active study owns (a crash mid-unenrollment) is undone", async () => {
    const { prefs, store, newSession, experiments } = setup();
    prefs.defaults.set(PREF, 1);
    await experiments.start(study({ preferences: { [PREF]: pref(2), "new.pref": pref("x") } }));
    await store.update("study", (stored) => {
      stored.expired = true;
    }); // the record was saved, the startup prefs were not

    prefs.restart({ [PREF]: 1 });
    await newSession().init();

    expect(prefs.defaults.get(PREF)).toBe(1);
    expect(await prefs.getPrefType("new.pref")).toBe("invalid");
    expect(prefs.startupPrefs("experiments")).toEqual({});
  });
});
