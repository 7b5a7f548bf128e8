/**
 * The preference-experiment actions, rule by rule (reference §2.2 and Normandy's
 * browser_actions_PreferenceExperimentAction.js): one action instance per run, as the runner creates them,
 * against the in-memory prefs and a fake EnrollmentTelemetry.
 */
import { describe, expect, it } from "vitest";
import { PreferenceExperimentAction, TEMPORARY_ERROR_GRACE_MS } from "../../src/actions/PreferenceExperimentAction.js";
import { SinglePreferenceExperimentAction } from "../../src/actions/SinglePreferenceExperimentAction.js";
import type { Suitability } from "../../src/core/suitability.js";
import { STUDIES_OPT_OUT_PREF } from "../../src/config/ClientConfig.js";
import { ratioSample, type Recipe } from "../../src/core/index.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { PreferenceExperiments } from "../../src/studies/PreferenceExperiments.js";
import { StudiesOptOut } from "../../src/studies/StudiesOptOut.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

const PREF = "test.study.pref";
const DAY_MS = 24 * 60 * 60 * 1000;

type ActionKind = "multi" | "single";

function setup(userId = "8d6ee3ee-4c37-4e3b-9d64-9a4e1e0d0b7a") {
  const prefs = new FakePrefsApi();
  prefs.defaults.set(PREF, "control-value");
  prefs.defaults.set(STUDIES_OPT_OUT_PREF, true);
  const store = new PreferenceExperimentStore(new MemoryStorage());
  const telemetry = new FakeEnrollmentTelemetry();
  const clock = { now: new Date("2026-03-01T12:00:00.000Z") };
  const warnings: string[] = [];
  const experiments = new PreferenceExperiments({
    prefs,
    store,
    telemetry,
    warn: (message) => warnings.push(message),
    now: () => clock.now,
  });
  const deps = {
    prefs,
    experiments,
    store,
    userId: async () => userId,
    warn: (message: string) => warnings.push(message),
    now: () => clock.now,
  };

  /** One run: a fresh action processes each recipe with its suitability, then is finalized. */
  async function run(recipes: [Recipe, Suitability][], kind: ActionKind = "multi", noRecipes = recipes.length === 0) {
    const action = kind === "multi" ? new PreferenceExperimentAction(deps) : new SinglePreferenceExperimentAction(deps);
    const outcomes = [];
    for (const [recipe, suitability] of recipes) outcomes.push(await action.processRecipe(recipe, suitability));
    const { status: actionStatus, failure: actionFailure } = await action.finalize({ noRecipes });
    return { outcomes, actionStatus, actionFailure };
  }

  const advance = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  return { prefs, store, telemetry, experiments, clock, advance, run, userId, warnings };
}

function recipe(args: Record<string, unknown> = {}, id = 1): Recipe {
  return {
    id,
    name: `recipe ${id}`,
    revision_id: "1",
    action: "multi-preference-experiment",
    filter_expression: "true",
    arguments: {
      slug: "test-study",
      userFacingName: "Test study",
      userFacingDescription: "Tests a pref",
      isEnrollmentPaused: false,
      branches: [
        {
          slug: "control",
          ratio: 1,
          preferences: {
            [PREF]: { preferenceType: "string", preferenceBranchType: "default", preferenceValue: "control-value" },
          },
        },
        {
          slug: "treatment",
          ratio: 1,
          preferences: {
            [PREF]: { preferenceType: "string", preferenceBranchType: "default", preferenceValue: "treatment-value" },
          },
        },
      ],
      ...args,
    },
  };
}

function legacyRecipe(args: Record<string, unknown> = {}): Recipe {
  return {
    ...recipe(),
    action: "preference-experiment",
    arguments: {
      slug: "legacy-study",
      preferenceName: PREF,
      preferenceType: "string",
      isEnrollmentPaused: false,
      branches: [{ slug: "only", ratio: 1, value: "legacy-value" }],
      ...args,
    },
  };
}

describe("enrolling on a matching recipe", () => {
  it("enrolls in the branch ratioSample(`<userId>-<slug>-branch`) picks, for every user", async () => {
    const seen = new Set<string>();
    for (let index = 0; index < 12; index++) {
      const userId = `user-${index}`;
      const { prefs, store, run } = setup(userId);
      const { outcomes, actionStatus } = await run([[recipe(), "filter-match"]]);
      const expected = ["control", "treatment"][await ratioSample(`${userId}-test-study-branch`, [1, 1])]!;
      expect(outcomes[0]).toEqual({ status: "success", suitability: "filter-match" });
      expect(actionStatus).toBe("success");
      expect((await store.get("test-study"))!.branch).toBe(expected);
      expect(prefs.defaults.get(PREF)).toBe(`${expected}-value`);
      seen.add(expected);
    }
    expect(seen).toEqual(new Set(["control", "treatment"]));
  });

  it("follows the ratios: a branch with ratio 0 beside one with ratio 1 is never picked", async () => {
    const { store, run } = setup();
    const args = recipe().arguments as { branches: { ratio: number }[] };
    args.branches[0]!.ratio = 0;
    await run([[recipe({ branches: args.branches }), "filter-match"]]);
    expect((await store.get("test-study"))!.branch).toBe("treatment");
  });

  it("enrolls once per slug: later runs only mark it seen and clear a temporary-error deadline", async () => {
    const { store, telemetry, run, advance } = setup();
    await run([[recipe(), "filter-match"]]);
    await run([[recipe(), "signature-error"]]);
    expect((await store.get("test-study"))!.temporaryErrorDeadline).not.toBeNull();
    advance(DAY_MS);

    await run([[recipe(), "filter-match"]]);

    expect(telemetry.eventsOf("enroll")).toHaveLength(1);
    expect(await store.get("test-study")).toMatchObject({
      temporaryErrorDeadline: null,
      lastSeen: "2026-03-02T12:00:00.000Z",
    });
  });

  it("never enrolls again in a slug whose enrollment ended", async () => {
    const { store, telemetry, run } = setup();
    await run([[recipe(), "filter-match"]]);
    await run([[recipe(), "filter-mismatch"]]);
    const { outcomes } = await run([[recipe(), "filter-match"]]);
    expect(outcomes[0]!.status).toBe("success");
    expect(telemetry.eventsOf("enroll")).toHaveLength(1);
    expect((await store.get("test-study"))!.expired).toBe(true);
  });

  it("does not enroll while enrollment is paused", async () => {
    const { store, telemetry, run } = setup();
    const { outcomes } = await run([[recipe({ isEnrollmentPaused: true }), "filter-match"]]);
    expect(outcomes[0]!.status).toBe("success");
    expect(await store.getAll()).toEqual([]);
    expect(telemetry.events).toEqual([]);
  });

  it("annotates a high-population study as exp-highpop", async () => {
    const { telemetry, run } = setup();
    await run([[recipe({ isHighPopulation: true }), "filter-match"]]);
    expect(telemetry.eventsOf("enroll")[0]!.extra.experimentType).toBe("exp-highpop");
    expect(telemetry.active.get("test-study")!.type).toBe("normandy-exp-highpop");
  });

  it("fails the recipe (apply_error, no enrollFailed event) when an active study holds a pref of any branch", async () => {
    const { store, telemetry, run } = setup();
    await run([[recipe({ slug: "first" }), "filter-match"]]);
    const otherBranchOnly = recipe({
      slug: "second",
      branches: [
        {
          slug: "a",
          ratio: 1,
          preferences: {
            "unrelated.pref": { preferenceType: "boolean", preferenceBranchType: "user", preferenceValue: true },
          },
        },
        {
          slug: "b",
          ratio: 0,
          preferences: { [PREF]: { preferenceType: "string", preferenceBranchType: "user", preferenceValue: "x" } },
        },
      ],
    });
    const { outcomes } = await run([
      [recipe({ slug: "first" }), "filter-match"],
      [otherBranchOnly, "filter-match"],
    ]);
    expect(outcomes[1]).toMatchObject({
      status: "apply_error",
      detail: expect.stringMatching(/already using the test\.study\.pref preference/),
    });
    expect(await store.get("second")).toBeUndefined();
    expect(telemetry.eventsOf("enrollFailed")).toEqual([]);
  });

  it("fails the recipe when it has no branches (ratioSample needs at least one)", async () => {
    const { run } = setup();
    const { outcomes } = await run([[recipe({ branches: [] }), "filter-match"]]);
    expect(outcomes[0]!.status).toBe("apply_error");
  });
});

describe("unenrolling", () => {
  it.each([
    ["filter-mismatch", "filter-mismatch", "backoff"],
    ["capabilities-mismatch", "capability-mismatch", "backoff"],
  ] as const)("%s ends the study (reason %s) and restores the pref", async (suitability, reason, status) => {
    const { prefs, telemetry, run } = setup();
    await run([[recipe(), "filter-match"]]);
    const { outcomes } = await run([[recipe(), suitability]]);
    expect(outcomes[0]!.status).toBe(status);
    expect(telemetry.eventsOf("unenroll")[0]!.extra).toMatchObject({ reason, didResetValue: "true" });
    expect(prefs.defaults.get(PREF)).toBe("control-value");
  });

  it("arguments that no longer validate end the study (arguments-invalid, apply_error)", async () => {
    const { telemetry, run } = setup();
    await run([[recipe(), "filter-match"]]);
    const { outcomes } = await run([[recipe({ isEnrollmentPaused: "no" }), "filter-match"]]);
    expect(outcomes[0]).toMatchObject({
      status: "apply_error",
      suitability: "arguments-invalid",
      detail: expect.stringMatching(/isEnrollmentPaused/),
    });
    expect(telemetry.eventsOf("unenroll")[0]!.extra.reason).toBe("arguments-invalid");
  });

  it("a recipe not seen in a run ends its study (recipe-not-seen)", async () => {
    const { store, telemetry, run } = setup();
    await run([[recipe(), "filter-match"]]);
    const { actionStatus } = await run([
      [recipe({ slug: "another", branches: [], isEnrollmentPaused: true }, 2), "filter-match"],
    ]);
    expect(actionStatus).toBe("success");
    expect(telemetry.eventsOf("unenroll")[0]).toMatchObject({
      value: "test-study",
      extra: { reason: "recipe-not-seen" },
    });
    expect((await store.get("test-study"))!.expired).toBe(true);
  });

  it("leaves the studies of other actions to them", async () => {
    const { store, run } = setup();
    await run([[legacyRecipe(), "filter-match"]], "single");
    await run([[recipe({ slug: "multi", branches: [], isEnrollmentPaused: true }), "filter-match"]], "multi");
    expect((await store.get("legacy-study"))!.expired).toBe(false);
    await run([[recipe({ slug: "multi", isEnrollmentPaused: true }), "filter-match"]], "single");
    expect((await store.get("legacy-study"))!.expired).toBe(true);
  });
});

describe("temporary errors: 7 days from the first one", () => {
  it.each(["signature-error", "filter-error"] as const)(
    "%s: deadline set, kept, then the study ends",
    async (suitability) => {
      const { store, telemetry, run, advance } = setup();
      await run([[recipe(), "filter-match"]]);

      await run([[recipe(), suitability]]);
      const deadline = (await store.get("test-study"))!.temporaryErrorDeadline;
      expect(deadline).toBe(new Date(Date.parse("2026-03-01T12:00:00.000Z") + TEMPORARY_ERROR_GRACE_MS).toJSON());
      advance(6 * DAY_MS);
      await run([[recipe(), suitability]]);
      expect(await store.get("test-study")).toMatchObject({ temporaryErrorDeadline: deadline, expired: false });

      advance(DAY_MS + 1);
      await run([[recipe(), suitability]]);
      expect((await store.get("test-study"))!.expired).toBe(true);
      expect(telemetry.eventsOf("unenroll")[0]!.extra.reason).toBe(suitability);
    },
  );

  it("an unreadable deadline starts a new one", async () => {
    const { store, run } = setup();
    await run([[recipe(), "filter-match"]]);
    await store.update("test-study", (stored) => {
      stored.temporaryErrorDeadline = "not a date";
    });
    await run([[recipe(), "filter-error"]]);
    expect((await store.get("test-study"))!).toMatchObject({
      expired: false,
      temporaryErrorDeadline: "2026-03-08T12:00:00.000Z",
    });
  });

  it("a signature error with broken arguments stays temporary: unverified content never ends a study", async () => {
    const { store, run } = setup();
    await run([[recipe(), "filter-match"]]);
    await run([[recipe({ isEnrollmentPaused: "garbage", branches: "garbage" }), "signature-error"]]);
    expect((await store.get("test-study"))!).toMatchObject({
      expired: false,
      temporaryErrorDeadline: "2026-03-08T12:00:00.000Z",
    });
  });

  it("no recipes at all is a temporary error (no-recipes), not recipe-not-seen", async () => {
    const { store, telemetry, run, advance } = setup();
    await run([[recipe(), "filter-match"]]);
    await run([]);
    expect(await store.get("test-study")).toMatchObject({
      expired: false,
      temporaryErrorDeadline: "2026-03-08T12:00:00.000Z",
    });
    advance(8 * DAY_MS);
    await run([]);
    expect(telemetry.eventsOf("unenroll")[0]!.extra.reason).toBe("no-recipes");
  });

  it("noRecipes with recipes seen is a post-execution error, and says so", async () => {
    const { run } = setup();
    const { actionStatus, actionFailure } = await run(
      [[recipe({ isEnrollmentPaused: true }), "filter-match"]],
      "multi",
      true,
    );
    expect(actionStatus).toBe("custom_2_error");
    expect(actionFailure).toMatchObject({ step: "post-execution", message: expect.stringMatching(/.+/) });
  });
});

describe("studies turned off", () => {
  it.each([
    ["the user opted out", (prefs: FakePrefsApi) => prefs.user.set(STUDIES_OPT_OUT_PREF, false)],
    ["an enterprise policy blocks Shield", (prefs: FakePrefsApi) => prefs.blockedByPolicy.add("Shield")],
  ])("%s: recipes get custom_1_error, nothing enrolls, nothing is unenrolled as unseen", async (_case, turnOff) => {
    const { prefs, store, run } = setup();
    await run([[recipe({ slug: "enrolled-before" }), "filter-match"]]);
    turnOff(prefs);

    const { outcomes, actionStatus } = await run([[recipe(), "filter-match"]]);

    expect(outcomes[0]).toMatchObject({ status: "custom_1_error" });
    expect(actionStatus).toBe("success");
    expect(await store.get("test-study")).toBeUndefined();
    expect((await store.get("enrolled-before"))!.expired).toBe(false);
  });

  it("turning the opt-out pref off ends every active study (general-opt-out), also when found off at start", async () => {
    const { prefs, store, telemetry, experiments, run } = setup();
    await run([[recipe({ slug: "a" }), "filter-match"]]);
    await run([[legacyRecipe({ preferenceName: "legacy.pref" }), "filter-match"]], "single");
    await new StudiesOptOut(
      prefs,
      (reason) => experiments.stopAll(reason),
      () => undefined,
    ).start();
    expect(await store.getAllActive()).toHaveLength(2);

    await prefs.setPref(STUDIES_OPT_OUT_PREF, false, "user");
    await prefs.settled();

    expect(await store.getAllActive()).toEqual([]);
    expect(telemetry.eventsOf("unenroll").map(({ value, extra }) => [value, extra.reason])).toEqual([
      ["a", "general-opt-out"],
      ["legacy-study", "general-opt-out"],
    ]);
    expect(prefs.defaults.get(PREF)).toBe("control-value");

    const later = setup();
    await later.run([[recipe(), "filter-match"]]);
    later.prefs.user.set(STUDIES_OPT_OUT_PREF, false);
    await new StudiesOptOut(
      later.prefs,
      (reason) => later.experiments.stopAll(reason),
      () => undefined,
    ).start();
    expect(await later.store.getAllActive()).toEqual([]);
  });
});

describe("the legacy single-preference shape", () => {
  it("preference-experiment arguments enroll as a multi-preference study of their own action", async () => {
    const { prefs, store, telemetry, run } = setup();
    const { outcomes } = await run([[legacyRecipe(), "filter-match"]], "single");
    expect(outcomes[0]!.status).toBe("success");
    expect(await store.get("legacy-study")).toMatchObject({
      actionName: "SinglePreferenceExperimentAction",
      branch: "only",
      userFacingName: null,
      userFacingDescription: null,
      preferences: {
        [PREF]: {
          preferenceValue: "legacy-value",
          preferenceBranchType: "default",
          previousPreferenceValue: "control-value",
        },
      },
    });
    expect(prefs.defaults.get(PREF)).toBe("legacy-value");
    expect(telemetry.eventsOf("enroll")[0]!.extra).toEqual({
      experimentType: "exp",
      branch: "only",
      enrollmentId: (await store.get("legacy-study"))!.enrollmentId,
    });
  });

  it("honours preferenceBranchType user", async () => {
    const { prefs, run } = setup();
    await run([[legacyRecipe({ preferenceBranchType: "user" }), "filter-match"]], "single");
    expect(prefs.user.get(PREF)).toBe("legacy-value");
    expect(prefs.defaults.get(PREF)).toBe("control-value");
  });
});
