/**
 * The preference-rollout and preference-rollback actions, rule by rule (reference §2.3 and Normandy's
 * browser_actions_PreferenceRolloutAction.js / browser_actions_PreferenceRollbackAction.js): every
 * enrollFailed and unenrollFailed reason and every state transition, one run at a time through the
 * ActionsManager as the runner drives it, against the in-memory prefs and a fake EnrollmentTelemetry.
 */
import { describe, expect, it } from "vitest";
import { STARTUP_PREFS_BRANCHES } from "../../experiment-apis/prefs/interface.js";
import { ActionsManager } from "../../src/actions/ActionsManager.js";
import type { BaseAction } from "../../src/actions/BaseAction.js";
import { PreferenceRollbackAction } from "../../src/actions/PreferenceRollbackAction.js";
import { PreferenceRolloutAction } from "../../src/actions/PreferenceRolloutAction.js";
import type { Suitability } from "../../src/core/suitability.js";
import { STUDIES_OPT_OUT_PREF } from "../../src/config/ClientConfig.js";
import type { Recipe } from "../../src/core/index.js";
import { PreferenceRollouts } from "../../src/rollouts/PreferenceRollouts.js";
import { PreferenceRolloutStore, type PreferenceRollout } from "../../src/stores/PreferenceRolloutStore.js";
import { STUDIES_POLICY_FEATURE } from "../../src/config/studiesGate.js";
import { NO_ENROLLMENT_ID_MARKER } from "../../src/telemetry/EnrollmentTelemetry.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

const SLUG = "test-rollout";

function setup({ graduationSet = new Set<string>() } = {}) {
  const prefs = new FakePrefsApi();
  const store = new PreferenceRolloutStore(new MemoryStorage());
  const telemetry = new FakeEnrollmentTelemetry();
  const warnings: string[] = [];
  let enrollments = 0;
  const rollouts = new PreferenceRollouts({
    prefs,
    store,
    telemetry,
    warn: (message) => warnings.push(message),
    graduationSet,
    newEnrollmentId: () => `enrollment-${++enrollments}`,
  });

  /** One run: fresh actions process each recipe (matching unless said otherwise), then are finalized. */
  async function run(...recipes: (Recipe | [Recipe, Suitability])[]) {
    const actions = new ActionsManager(
      new Map<string, BaseAction>([
        ["preference-rollout", new PreferenceRolloutAction(rollouts)],
        ["preference-rollback", new PreferenceRollbackAction(rollouts)],
      ]),
    );
    const outcomes = [];
    for (const entry of recipes) {
      const [recipe, suitability] = Array.isArray(entry) ? entry : [entry, "filter-match" as const];
      outcomes.push(await actions.processRecipe(recipe, suitability));
    }
    const actionStatuses = new Map(
      [...(await actions.finalize({ noRecipes: recipes.length === 0 }))].map(([name, { status }]) => [name, status]),
    );
    return { outcomes, actionStatuses };
  }
  return { prefs, store, telemetry, warnings, rollouts, run };
}

function rollout(preferences: { preferenceName: string; value: unknown }[], slug = SLUG, id = 1): Recipe {
  return {
    id,
    name: `rollout ${slug}`,
    revision_id: "1",
    action: "preference-rollout",
    filter_expression: "true",
    arguments: { slug, preferences },
  };
}

function rollback(rolloutSlug = SLUG, id = 2): Recipe {
  return {
    id,
    name: `rollback ${rolloutSlug}`,
    revision_id: "1",
    action: "preference-rollback",
    filter_expression: "true",
    arguments: { rolloutSlug },
  };
}

/** The events as [method, object, value, extra], in order. */
function eventsOf(telemetry: FakeEnrollmentTelemetry) {
  return telemetry.events.map(({ method, object, value, extra }) => [method, object, value, extra]);
}

describe("preference-rollout: enrolling", () => {
  it("sets each pref's default, records the previous defaults, keeps the values for the next start, annotates and reports", async () => {
    const { prefs, store, telemetry, run } = setup();
    prefs.defaults.set("test.pref1", 5);

    const { outcomes, actionStatuses } = await run(
      rollout([
        { preferenceName: "test.pref1", value: 1 },
        { preferenceName: "test.pref2", value: true },
        { preferenceName: "test.pref3", value: "it works" },
      ]),
    );

    expect(outcomes).toEqual([{ status: "success", suitability: "filter-match" }]);
    expect(actionStatuses.get("PreferenceRolloutAction")).toBe("success");
    expect(Object.fromEntries(prefs.defaults)).toEqual({
      "test.pref1": 1,
      "test.pref2": true,
      "test.pref3": "it works",
    });
    // No user value anywhere: only the startup prefs, which live on the user branch.
    expect([...prefs.user.keys()].filter((name) => !name.startsWith(STARTUP_PREFS_BRANCHES.rollouts))).toEqual([]);
    expect(prefs.startupPrefs("rollouts")).toEqual({ "test.pref1": 1, "test.pref2": true, "test.pref3": "it works" });
    expect(await store.getAll()).toEqual<PreferenceRollout[]>([
      {
        slug: SLUG,
        state: "active",
        preferences: [
          { preferenceName: "test.pref1", value: 1, previousValue: 5 },
          { preferenceName: "test.pref2", value: true, previousValue: null },
          { preferenceName: "test.pref3", value: "it works", previousValue: null },
        ],
        enrollmentId: "enrollment-1",
      },
    ]);
    expect(eventsOf(telemetry)).toEqual([["enroll", "preference_rollout", SLUG, { enrollmentId: "enrollment-1" }]]);
    expect(Object.fromEntries(telemetry.active)).toEqual({
      [SLUG]: { branch: "active", type: "normandy-prefrollout", enrollmentId: "enrollment-1" },
    });
  });

  it("changes only the default branch: a user value stays what the user chose", async () => {
    const { prefs, store, run } = setup();
    prefs.defaults.set("test.pref", "builtin value");
    prefs.user.set("test.pref", "user value");
    prefs.user.set("user.only", 2);

    await run(
      rollout([
        { preferenceName: "test.pref", value: "rollout value" },
        { preferenceName: "user.only", value: 1 },
      ]),
    );

    expect(await prefs.getPref("test.pref", "user")).toBe("user value");
    expect(prefs.defaults.get("test.pref")).toBe("rollout value");
    expect(await prefs.getPref("user.only", "user")).toBe(2);
    expect(prefs.defaults.get("user.only")).toBe(1);
    expect((await store.get(SLUG))!.preferences.map(({ previousValue }) => previousValue)).toEqual([
      "builtin value",
      null,
    ]);
  });

  it("running the same recipe again changes nothing and reports nothing more", async () => {
    const { prefs, store, telemetry, run } = setup();
    await run(rollout([{ preferenceName: "test.pref", value: 1 }]));
    const stored = await store.get(SLUG);

    await run(rollout([{ preferenceName: "test.pref", value: 1 }]));

    expect(await store.get(SLUG)).toEqual(stored);
    expect(stored!.preferences[0]!.previousValue).toBeNull();
    expect(prefs.defaults.get("test.pref")).toBe(1);
    expect(eventsOf(telemetry)).toEqual([["enroll", "preference_rollout", SLUG, { enrollmentId: "enrollment-1" }]]);
  });

  it("would-be-no-op: a new rollout whose every value is already the default is refused", async () => {
    const { prefs, store, telemetry, run } = setup();
    prefs.defaults.set("test.pref", 1);

    const { outcomes } = await run(rollout([{ preferenceName: "test.pref", value: 1 }]));

    expect(outcomes[0]).toMatchObject({
      status: "apply_error",
      detail: expect.stringMatching(/does not change any pref/),
    });
    expect(eventsOf(telemetry)).toEqual([["enrollFailed", "preference_rollout", SLUG, { reason: "would-be-no-op" }]]);
    expect(await store.getAll()).toEqual([]);
    expect(prefs.startupPrefs("rollouts")).toEqual({});
    expect(telemetry.active.size).toBe(0);
  });

  it("conflict: a pref another active rollout manages is refused, in every run, naming the pref", async () => {
    const { prefs, store, telemetry, run } = setup();
    const first = rollout([
      { preferenceName: "test.pref1", value: 1 },
      { preferenceName: "test.pref2", value: 1 },
    ]);
    const second = rollout(
      [
        { preferenceName: "test.pref1", value: 2 },
        { preferenceName: "test.pref3", value: 2 },
      ],
      "test-rollout-2",
      3,
    );

    const { outcomes } = await run(first, second);
    await run(second);

    expect(outcomes.map(({ status }) => status)).toEqual(["success", "apply_error"]);
    expect(eventsOf(telemetry)).toEqual([
      ["enroll", "preference_rollout", SLUG, { enrollmentId: "enrollment-1" }],
      ["enrollFailed", "preference_rollout", "test-rollout-2", { reason: "conflict", preference: "test.pref1" }],
      ["enrollFailed", "preference_rollout", "test-rollout-2", { reason: "conflict", preference: "test.pref1" }],
    ]);
    expect(Object.fromEntries(prefs.defaults)).toEqual({ "test.pref1": 1, "test.pref2": 1 });
    expect(prefs.startupPrefs("rollouts")).toEqual({ "test.pref1": 1, "test.pref2": 1 });
    expect((await store.getAll()).map(({ slug }) => slug)).toEqual([SLUG]);
  });

  it("a pref of a rolled-back rollout is free for another rollout", async () => {
    const { telemetry, run } = setup();
    await run(rollout([{ preferenceName: "test.pref", value: 1 }]), rollback());

    await run(rollout([{ preferenceName: "test.pref", value: 2 }], "test-rollout-2", 3));

    expect(telemetry.eventsOf("enroll").map(({ value }) => value)).toEqual([SLUG, "test-rollout-2"]);
  });

  it.each([
    ["a value of another type than the existing pref", 1, "not an int"],
    ["a number libpref cannot store (Normandy would truncate it)", 1.5, undefined],
  ])("invalid type (with a space, Normandy's reason): %s", async (_label, value, existing) => {
    const { prefs, store, telemetry, run } = setup();
    if (existing !== undefined) prefs.defaults.set("test.pref", existing);

    const { outcomes } = await run(
      rollout([
        { preferenceName: "other.pref", value: true },
        { preferenceName: "test.pref", value },
      ]),
    );

    expect(outcomes[0]!.status).toBe("apply_error");
    expect(eventsOf(telemetry)).toEqual([
      ["enrollFailed", "preference_rollout", SLUG, { reason: "invalid type", preference: "test.pref" }],
    ]);
    expect(prefs.defaults.get("test.pref")).toBe(existing);
    expect(prefs.defaults.has("other.pref")).toBe(false);
    expect(await store.getAll()).toEqual([]);
  });

  it("a slug in the graduation set is skipped silently", async () => {
    const { prefs, store, telemetry, run } = setup({ graduationSet: new Set([SLUG]) });

    const { outcomes } = await run(rollout([{ preferenceName: "test.pref", value: 1 }]));

    expect(outcomes[0]!.status).toBe("success");
    expect(prefs.defaults.size).toBe(0);
    expect(await store.getAll()).toEqual([]);
    expect(telemetry.events).toEqual([]);
  });

  it("is not a study: the studies opt-out and the enterprise policy against studies do not stop it", async () => {
    const { prefs, telemetry, run } = setup();
    prefs.user.set(STUDIES_OPT_OUT_PREF, false);
    prefs.blockedByPolicy.add(STUDIES_POLICY_FEATURE);

    const { outcomes, actionStatuses } = await run(rollout([{ preferenceName: "test.pref", value: 1 }]));

    expect(outcomes[0]!.status).toBe("success");
    expect(actionStatuses.get("PreferenceRolloutAction")).toBe("success");
    expect(telemetry.eventsOf("enroll")).toHaveLength(1);
  });

  it("invalid arguments never reach the rollout (arguments-invalid)", async () => {
    const { store, run } = setup();
    const { outcomes } = await run({
      ...rollout([]),
      arguments: { slug: SLUG, preferences: [{ preferenceName: "test.pref", value: null }] },
    });
    expect(outcomes[0]).toMatchObject({ status: "apply_error", suitability: "arguments-invalid" });
    expect(await store.getAll()).toEqual([]);
  });

  it("a recipe that stops matching or is gone leaves the rollout in place: only a rollback ends it", async () => {
    const { prefs, store, telemetry, run } = setup();
    const recipe = rollout([{ preferenceName: "test.pref", value: 1 }]);
    await run(recipe);

    await run([recipe, "filter-mismatch"]);
    await run();

    expect((await store.get(SLUG))!.state).toBe("active");
    expect(prefs.defaults.get("test.pref")).toBe(1);
    expect(telemetry.events.map(({ method }) => method)).toEqual(["enroll"]);
  });
});

describe("preference-rollout: updating", () => {
  it("applies the recipe's edits: a dropped pref gets its previous default back, changed and new ones are set", async () => {
    const { prefs, store, telemetry, run } = setup();
    prefs.defaults.set("test.pref1", 10);
    prefs.defaults.set("test.pref2", 20);
    await run(
      rollout([
        { preferenceName: "test.pref1", value: 1 },
        { preferenceName: "test.pref2", value: 1 },
        { preferenceName: "test.new-in-rollout", value: 1 },
      ]),
    );

    await run(
      rollout([
        { preferenceName: "test.pref2", value: 2 },
        { preferenceName: "test.pref3", value: 2 },
      ]),
    );

    expect(prefs.defaults.get("test.pref1")).toBe(10);
    expect(await prefs.getPrefType("test.new-in-rollout")).toBe("invalid");
    expect(prefs.defaults.get("test.pref2")).toBe(2);
    expect(prefs.defaults.get("test.pref3")).toBe(2);
    expect(prefs.startupPrefs("rollouts")).toEqual({ "test.pref2": 2, "test.pref3": 2 });
    expect(await store.get(SLUG)).toEqual({
      slug: SLUG,
      state: "active",
      preferences: [
        { preferenceName: "test.pref2", value: 2, previousValue: 20 },
        { preferenceName: "test.pref3", value: 2, previousValue: null },
      ],
      enrollmentId: "enrollment-1",
    });
    expect(eventsOf(telemetry)).toEqual([
      ["enroll", "preference_rollout", SLUG, { enrollmentId: "enrollment-1" }],
      ["update", "preference_rollout", SLUG, { previousState: "active", enrollmentId: "enrollment-1" }],
    ]);
  });

  it("a dropped pref with a user value keeps the user's value", async () => {
    const { prefs, run } = setup();
    prefs.defaults.set("test.pref", "builtin");
    prefs.user.set("test.pref", "mine");
    prefs.user.set("user.only", "mine too");
    await run(
      rollout([
        { preferenceName: "test.pref", value: "rolled out" },
        { preferenceName: "user.only", value: "rolled out" },
        { preferenceName: "kept.pref", value: 1 },
      ]),
    );

    await run(rollout([{ preferenceName: "kept.pref", value: 1 }]));

    expect(prefs.defaults.get("test.pref")).toBe("builtin");
    expect(await prefs.getPref("test.pref", "user")).toBe("mine");
    expect(await prefs.getPref("user.only", "user")).toBe("mine too");
  });

  it("a graduated rollout whose recipe changed becomes active again (update from graduated, annotated again)", async () => {
    const { prefs, store, telemetry, run } = setup();
    prefs.defaults.set("test.pref", 1);
    await store.add({
      slug: SLUG,
      state: "graduated",
      preferences: [{ preferenceName: "test.pref", value: 1, previousValue: 1 }],
      enrollmentId: "graduated-id",
    });

    await run(rollout([{ preferenceName: "test.pref", value: 1 }]));
    expect(telemetry.events).toEqual([]);

    await run(rollout([{ preferenceName: "test.pref", value: 2 }]));

    expect(prefs.defaults.get("test.pref")).toBe(2);
    expect(prefs.startupPrefs("rollouts")).toEqual({ "test.pref": 2 });
    expect(await store.get(SLUG)).toEqual({
      slug: SLUG,
      state: "active",
      preferences: [{ preferenceName: "test.pref", value: 2, previousValue: 1 }],
      enrollmentId: "graduated-id",
    });
    expect(eventsOf(telemetry)).toEqual([
      ["update", "preference_rollout", SLUG, { previousState: "graduated", enrollmentId: "graduated-id" }],
    ]);
    expect(telemetry.active.get(SLUG)).toEqual({
      branch: "active",
      type: "normandy-prefrollout",
      enrollmentId: "graduated-id",
    });
  });

  it("a rolled-back rollout is never applied again, even when its recipe changes (we differ from Normandy)", async () => {
    const { prefs, store, telemetry, warnings, run } = setup();
    prefs.defaults.set("test.pref", 0);
    await run(rollout([{ preferenceName: "test.pref", value: 1 }]), rollback());
    telemetry.events.length = 0;

    await run(rollout([{ preferenceName: "test.pref", value: 2 }]));

    expect(prefs.defaults.get("test.pref")).toBe(0);
    expect((await store.get(SLUG))!.state).toBe("rolled-back");
    expect(telemetry.events).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/was rolled back; it is not applied again/)]);
  });
});

describe("preference-rollback", () => {
  it("rolls an active rollout back: previous defaults restored, a pref that had none deleted, user values kept", async () => {
    const { prefs, store, telemetry, run } = setup();
    prefs.defaults.set("test.pref1", 10);
    prefs.defaults.set("test.pref2", "builtin");
    prefs.user.set("test.pref2", "mine");
    await run(
      rollout([
        { preferenceName: "test.pref1", value: 1 },
        { preferenceName: "test.pref2", value: "rolled out" },
        { preferenceName: "test.pref3", value: true },
      ]),
    );

    const { outcomes, actionStatuses } = await run(rollback());

    expect(outcomes[0]!.status).toBe("success");
    expect(actionStatuses.get("PreferenceRollbackAction")).toBe("success");
    expect(Object.fromEntries(prefs.defaults)).toEqual({ "test.pref1": 10, "test.pref2": "builtin" });
    expect(await prefs.getPref("test.pref2", "user")).toBe("mine");
    expect(await prefs.getPrefType("test.pref3")).toBe("invalid");
    expect((await store.get(SLUG))!.state).toBe("rolled-back");
    expect(prefs.startupPrefs("rollouts")).toEqual({});
    expect(eventsOf(telemetry)).toEqual([
      ["enroll", "preference_rollout", SLUG, { enrollmentId: "enrollment-1" }],
      ["unenroll", "preference_rollback", SLUG, { reason: "rollback", enrollmentId: "enrollment-1" }],
    ]);
    expect(telemetry.active.size).toBe(0);
  });

  it("an unknown rollout is skipped silently", async () => {
    const { telemetry, run } = setup();
    const { outcomes } = await run(rollback("never-seen"));
    expect(outcomes[0]!.status).toBe("success");
    expect(telemetry.events).toEqual([]);
  });

  it("an already rolled-back rollout is left alone", async () => {
    const { prefs, telemetry, run } = setup();
    await run(rollout([{ preferenceName: "test.pref", value: 1 }]), rollback());
    prefs.defaults.set("test.pref", 7); // whatever happened since is not undone again
    telemetry.events.length = 0;

    const { outcomes } = await run(rollback());

    expect(outcomes[0]!.status).toBe("success");
    expect(prefs.defaults.get("test.pref")).toBe(7);
    expect(telemetry.events).toEqual([]);
  });

  it("a graduated rollout cannot be rolled back (unenrollFailed: graduated)", async () => {
    const { prefs, store, telemetry, run } = setup();
    prefs.defaults.set("test.pref", 1);
    await store.add({
      slug: SLUG,
      state: "graduated",
      preferences: [{ preferenceName: "test.pref", value: 1, previousValue: 1 }],
      enrollmentId: "graduated-id",
    });

    const { outcomes } = await run(rollback());

    expect(outcomes[0]).toMatchObject({ status: "apply_error", detail: expect.stringMatching(/has graduated/) });
    expect(eventsOf(telemetry)).toEqual([
      ["unenrollFailed", "preference_rollback", SLUG, { reason: "graduated", enrollmentId: "graduated-id" }],
    ]);
    expect((await store.get(SLUG))!.state).toBe("graduated");
    expect(prefs.defaults.get("test.pref")).toBe(1);
  });

  it("a rollout in the graduation set cannot be rolled back (unenrollFailed: in-graduation-set), known or not", async () => {
    const { store, telemetry, run } = setup({ graduationSet: new Set([SLUG, "unknown-graduated"]) });
    await store.add({
      slug: SLUG,
      state: "graduated",
      preferences: [{ preferenceName: "test.pref", value: 1, previousValue: 1 }],
      enrollmentId: "graduated-id",
    });

    const { outcomes } = await run(rollback(), rollback("unknown-graduated", 3));

    expect(outcomes.map(({ status }) => status)).toEqual(["apply_error", "apply_error"]);
    expect(eventsOf(telemetry)).toEqual([
      ["unenrollFailed", "preference_rollback", SLUG, { reason: "in-graduation-set", enrollmentId: "graduated-id" }],
      [
        "unenrollFailed",
        "preference_rollback",
        "unknown-graduated",
        { reason: "in-graduation-set", enrollmentId: NO_ENROLLMENT_ID_MARKER },
      ],
    ]);
  });
});
