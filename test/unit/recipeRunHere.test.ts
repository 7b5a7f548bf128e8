/**
 * QA's "Run here" (RecipeRunHere) against the real preference-study rules, in-memory prefs and storage, and a stub
 * runner that hands out the verified recipes: modes, refusals, forced enrollments left alone by normal runs, and the
 * undo. Real Firefox: test/e2e/runHere.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ActionsManager } from "../../src/actions/ActionsManager.js";
import { PreferenceExperimentAction } from "../../src/actions/PreferenceExperimentAction.js";
import type { BaseAction } from "../../src/actions/BaseAction.js";
import { BranchedAddonStudyAction } from "../../src/actions/BranchedAddonStudyAction.js";
import { PreferenceRollbackAction } from "../../src/actions/PreferenceRollbackAction.js";
import { PreferenceRolloutAction } from "../../src/actions/PreferenceRolloutAction.js";
import { PreferenceRollouts } from "../../src/rollouts/PreferenceRollouts.js";
import { PreferenceRolloutStore } from "../../src/stores/PreferenceRolloutStore.js";
import { nativeRegExpMatch, type Recipe, type Suitability } from "../../src/core/index.js";
import { RecipeRunHere, type RunHereRequest } from "../../src/runner/RecipeRunHere.js";
import type { PreviewRecipes } from "../../src/runner/RecipeRunner.js";
import { EventLogStore } from "../../src/stores/EventLogStore.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { QA_UNDO_REASON, type ForcedEnrollment } from "../../src/core/index.js";
import { PreferenceExperiments } from "../../src/studies/PreferenceExperiments.js";
import { ClientPingRecorder } from "../../src/telemetry/ClientPingRecorder.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakeTelemetryApi } from "../fakes/FakeTelemetryApi.js";
import { addonClient } from "./addonStudyHarness.js";
import { staticFilterContext } from "../fakes/staticFilterContext.js";

const PREF = "test.runhere.pref";
const OTHER_PREF = "test.runhere.other";

/** A three-branch study setting `pref` (default branch) and `otherPref` (user branch). */
function studyRecipe(id = 7, filter = "false", [pref, otherPref] = [PREF, OTHER_PREF]): Recipe {
  const branch = (slug: string) => ({
    slug,
    ratio: 1,
    preferences: {
      [pref!]: { preferenceType: "string", preferenceBranchType: "default", preferenceValue: `${slug}-value` },
      [otherPref!]: { preferenceType: "integer", preferenceBranchType: "user", preferenceValue: slug.length },
    },
  });
  return {
    id,
    name: `study ${id}`,
    revision_id: "3",
    action: "multi-preference-experiment",
    filter_expression: filter,
    capabilities: ["action.multi-preference-experiment"],
    arguments: {
      slug: `study-${id}`,
      userFacingName: "Run here",
      userFacingDescription: "Tried by QA",
      isEnrollmentPaused: false,
      branches: [branch("control"), branch("treatment"), branch("third")],
    },
  };
}

/** A two-branch add-on study: each branch installs its own package (extensionApiId 1 and 2). */
function addonStudyRecipe(id = 20): Recipe {
  return {
    id,
    name: `add-on study ${id}`,
    revision_id: "1",
    action: "branched-addon-study",
    filter_expression: "false",
    capabilities: ["action.branched-addon-study"],
    arguments: {
      slug: `addon-study-${id}`,
      userFacingName: "Add-on study",
      userFacingDescription: "Tried by QA",
      isEnrollmentPaused: false,
      branches: [
        { slug: "control", ratio: 1, extensionApiId: 1 },
        { slug: "treatment", ratio: 1, extensionApiId: 2 },
      ],
    },
  };
}

async function setup(published: Recipe[], preview: PreviewRecipes = { verified: [], refused: [] }) {
  const addonClientState = await addonClient();
  addonClientState.publish(1, "control@study.test", "1.0");
  addonClientState.publish(2, "treatment@study.test", "2.0");
  const prefs = addonClientState.prefs;
  prefs.defaults.set(PREF, "built-in");
  const storage = addonClientState.storage;
  const store = new PreferenceExperimentStore(storage);
  const enrollmentTelemetry = new FakeEnrollmentTelemetry();
  const experiments = new PreferenceExperiments({ prefs, store, telemetry: enrollmentTelemetry, warn: () => {} });
  const rolloutStore = new PreferenceRolloutStore(storage);
  const rollouts = new PreferenceRollouts({
    prefs,
    store: rolloutStore,
    telemetry: enrollmentTelemetry,
    warn: () => {},
  });
  const eventLog = new EventLogStore(storage);
  const telemetry = new FakeTelemetryApi();
  const actionDeps = {
    prefs,
    experiments,
    store,
    userId: async () => "c0ffee00-0000-4000-8000-000000000000",
    warn: () => {},
  };
  const addonStudyDeps = {
    prefs,
    studies: addonClientState.studies,
    store: addonClientState.studyStore,
    userId: actionDeps.userId,
    warn: () => {},
  };
  const actions = (forced?: ForcedEnrollment) =>
    new ActionsManager(
      new Map<string, BaseAction>([
        ["preference-rollout", new PreferenceRolloutAction(rollouts, forced)],
        ["preference-rollback", new PreferenceRollbackAction(rollouts)],
        ["branched-addon-study", new BranchedAddonStudyAction({ ...addonStudyDeps, ...(forced ? { forced } : {}) })],
        [
          "multi-preference-experiment",
          new PreferenceExperimentAction({ ...actionDeps, ...(forced ? { forced } : {}) }),
        ],
      ]),
    );
  let exclusiveCalls = 0;
  const disabled: { reason: string | null } = { reason: null };
  const runHere = new RecipeRunHere({
    runner: {
      exclusively: (work) => {
        exclusiveCalls++;
        return work();
      },
      verifiedRecipes: async () => published,
      verifiedPreviewRecipes: async () => preview,
    },
    createActions: actions,
    createFilterContext: () => staticFilterContext({}),
    filterPrefs: prefs,
    regExpMatch: nativeRegExpMatch,
    baseCapabilities: [],
    prefs,
    experiments,
    store,
    addonStudies: addonClientState.studies,
    addonStudyStore: addonClientState.studyStore,
    rollouts,
    rolloutStore,
    addons: addonClientState.addons,
    pings: new ClientPingRecorder(telemetry, eventLog),
    disabledReason: async () => disabled.reason,
    eventLog,
    now: () => new Date("2026-12-07T21:00:00.000Z"),
  });
  /** One normal run of the action: each recipe with its suitability, then finalize. */
  async function normalRun(recipes: [Recipe, Suitability][]) {
    const manager = actions();
    for (const [recipe, suitability] of recipes) await manager.processRecipe(recipe, suitability);
    const outcomes = await manager.finalize({ noRecipes: recipes.length === 0 });
    await addonClientState.addons.settled();
    return outcomes;
  }
  return {
    prefs,
    store,
    telemetry,
    enrollmentTelemetry,
    runHere,
    normalRun,
    exclusive: () => exclusiveCalls,
    disabled,
    experiments,
    storage,
    rolloutStore,
    addonClient: addonClientState,
  };
}

const inBranch = (recipeId: number, branch: string): RunHereRequest => ({
  source: "published",
  recipeId,
  mode: "BRANCH_CHOSEN",
  branch,
});

describe("run here", () => {
  it("in a chosen branch: sets that branch's prefs, marks the enrollment forced, records FORCED_ENROLLMENT with its id", async () => {
    const recipe = studyRecipe();
    const { prefs, store, telemetry, runHere, exclusive } = await setup([recipe]);
    for (const branch of ["treatment", "third", "control"]) {
      const result = await runHere.run(inBranch(7, branch));
      expect(result.status).toBe("success");
      expect(result.study?.branch).toBe(branch);
      expect(prefs.defaults.get(PREF)).toBe(`${branch}-value`);
      expect(result.prefs).toEqual([
        {
          name: PREF,
          before: "built-in",
          after: `${branch}-value`,
          defaultBefore: "built-in",
          defaultAfter: `${branch}-value`,
        },
        { name: OTHER_PREF, before: null, after: branch.length, defaultBefore: null, defaultAfter: null },
      ]);
      const stored = (await store.get("study-7"))!;
      expect(stored.forced).toEqual({ mode: "BRANCH_CHOSEN", recipeId: 7, at: "2026-12-07T21:00:00.000Z" });
      expect(telemetry.clientPings.at(-1)).toEqual({
        type: "qa",
        event: "FORCED_ENROLLMENT",
        value: "BRANCH_CHOSEN",
        fields: { recipe_id: "7", experiment: "study-7", branch, enrollment_id: stored.enrollmentId },
      });
      // The ping is in the events the result shows (the enroll event itself goes to the enrollment telemetry).
      expect(result.events.map(([, category, , object]) => `${category}/${object}`)).toEqual([
        "recipe_client.qa/FORCED_ENROLLMENT",
      ]);

      const undone = await runHere.undo("study-7");
      expect(undone.prefs).toEqual([
        {
          name: PREF,
          before: `${branch}-value`,
          after: "built-in",
          defaultBefore: `${branch}-value`,
          defaultAfter: "built-in",
        },
        { name: OTHER_PREF, before: branch.length, after: null, defaultBefore: null, defaultAfter: null },
      ]);
      // Forgotten, so the same slug can be tried again in another branch.
      expect(await store.get("study-7")).toBeUndefined();
    }
    expect(exclusive()).toBe(6);
  });

  it("as is, the filter decides; bypassed, it does not", async () => {
    const { store, runHere } = await setup([studyRecipe(7, "false"), studyRecipe(8, "true")]);
    const mismatch = await runHere.run({ source: "published", recipeId: 7, mode: "AS_IS" });
    expect(mismatch).toMatchObject({ suitability: "filter-mismatch", status: "backoff", study: null });
    expect(mismatch.detail).toMatch(/filter expression is false/);
    expect(await store.get("study-7")).toBeUndefined();

    const bypassed = await runHere.run({ source: "published", recipeId: 7, mode: "FILTER_BYPASSED" });
    expect(bypassed).toMatchObject({ suitability: "filter-match", status: "success" });
    expect((await store.get("study-7"))!.forced?.mode).toBe("FILTER_BYPASSED");
    await runHere.undo("study-7"); // study 8 sets the same prefs

    const matching = await runHere.run({ source: "published", recipeId: 8, mode: "AS_IS" });
    expect(matching).toMatchObject({ suitability: "filter-match", status: "success" });
    expect((await store.get("study-8"))!.forced?.mode).toBe("AS_IS");
  });

  it("normal runs leave a forced enrollment alone: filter mismatch, recipe unseen, no recipes at all", async () => {
    const recipe = studyRecipe();
    const { prefs, store, enrollmentTelemetry, runHere, normalRun } = await setup([recipe]);
    await runHere.run(inBranch(7, "treatment"));
    await normalRun([[recipe, "filter-mismatch"]]);
    await normalRun([[studyRecipe(9, "true", ["test.other.a", "test.other.b"]), "filter-match"]]); // recipe 7 unseen
    await normalRun([]);
    await normalRun([[recipe, "filter-match"]]);
    const stored = (await store.get("study-7"))!;
    expect(stored).toMatchObject({ expired: false, branch: "treatment", temporaryErrorDeadline: null });
    expect(prefs.defaults.get(PREF)).toBe("treatment-value");
    expect(enrollmentTelemetry.eventsOf("unenroll").filter(({ value }) => value === "study-7")).toEqual([]);

    // ... and a normal enrollment beside it still ends as usual.
    expect((await store.get("study-9"))!.expired).toBe(true);
  });

  it("the undo unenrolls with reason qa-undo, then records FORCED_UNDO", async () => {
    const { telemetry, enrollmentTelemetry, runHere } = await setup([studyRecipe()]);
    await runHere.run(inBranch(7, "control"));
    await runHere.undo("study-7");
    expect(enrollmentTelemetry.eventsOf("unenroll")).toEqual([
      expect.objectContaining({ value: "study-7", extra: expect.objectContaining({ reason: QA_UNDO_REASON }) }),
    ]);
    expect(telemetry.clientPings.at(-1)).toMatchObject({ type: "qa", event: "FORCED_UNDO", value: "n/a" });
    await expect(runHere.undo("study-7")).rejects.toThrow(/not an active enrollment forced by QA/);
  });

  it("refuses what it must not run, and says why", async () => {
    const unsupported: Recipe = { ...studyRecipe(5), action: "addon-rollout", arguments: {} };
    const { runHere, normalRun } = await setup([studyRecipe(), studyRecipe(8, "true"), unsupported], {
      verified: [],
      refused: [{ id: 9, name: "tampered", reason: "recipe 9: signature does not match" }],
    });
    await expect(runHere.run(inBranch(7, "no-such-branch"))).rejects.toThrow(
      /choose one of the branches of recipe 7: control, treatment, third/,
    );
    await expect(runHere.run({ ...inBranch(7, "control"), mode: "AS_IS" })).rejects.toThrow(/only in BRANCH_CHOSEN/);
    await expect(runHere.run(inBranch(42, "control"))).rejects.toThrow(/not in the last collection that verified/);
    // A preview whose signature failed is not offered, and asking for it by id finds nothing to run.
    await expect(runHere.run({ ...inBranch(9, "control"), source: "preview" })).rejects.toThrow(
      /not a verified recipe of the server's preview collection/,
    );
    await expect(runHere.run({ source: "published", recipeId: 5, mode: "AS_IS" })).rejects.toThrow(
      /addon-rollout is not supported yet/,
    );
    // Enrolled by a normal run: QA must remove it first; once ended, a slug never enrolls again.
    await normalRun([[studyRecipe(8, "true"), "filter-match"]]);
    await expect(runHere.run(inBranch(8, "control"))).rejects.toThrow(/already enrolled .* by a normal run/);
    await normalRun([]);
    await normalRun([[studyRecipe(7, "true"), "filter-match"]]); // study-8 unseen: ended
    await expect(runHere.run(inBranch(8, "control"))).rejects.toThrow(/enrolled in "study-8" before and it ended/);
  });

  it("lists published and previewed recipes with their branches, and the refused previews", async () => {
    const preview = { ...studyRecipe(11), revision_id: "4" };
    const { runHere } = await setup([studyRecipe()], {
      verified: [preview],
      refused: [{ id: 12, name: "tampered", reason: "signature does not match" }],
    });
    const answer = await runHere.candidates();
    expect(
      answer.candidates.map(({ source, id, branches, unsupported }) => ({ source, id, branches, unsupported })),
    ).toEqual([
      { source: "published", id: 7, branches: ["control", "treatment", "third"], unsupported: null },
      { source: "preview", id: 11, branches: ["control", "treatment", "third"], unsupported: null },
    ]);
    expect(answer.refusedPreviews).toEqual([{ id: 12, name: "tampered", reason: "signature does not match" }]);
    expect(answer.previewError).toBeNull();
  });

  it("an add-on study in a chosen branch: installs that branch's add-on, left alone by normal runs, undone with its add-on removed", async () => {
    const recipe = addonStudyRecipe();
    const { addonClient: client, telemetry, runHere, normalRun } = await setup([recipe]);
    for (const branch of ["treatment", "control"] as const) {
      const result = await runHere.run(inBranch(20, branch));
      await client.addons.settled();
      const addonId = `${branch}@study.test`;
      expect(result).toMatchObject({ status: "success", study: { slug: "addon-study-20", branch } });
      expect(result.addons).toEqual([
        { id: addonId, name: expect.any(String), before: null, after: branch === "treatment" ? "2.0" : "1.0" },
      ]);
      expect((await client.studyStore.get(20))!.forced).toMatchObject({ mode: "BRANCH_CHOSEN", recipeId: 20 });
      expect(telemetry.clientPings.at(-1)).toMatchObject({ event: "FORCED_ENROLLMENT", fields: { branch } });

      // The filter says no and the recipe goes unseen: a normal enrollment would end, this one stays.
      await normalRun([[recipe, "filter-mismatch"]]);
      await normalRun([[studyRecipe(9, "true"), "filter-match"]]);
      expect((await client.studyStore.get(20))!.active).toBe(true);
      expect(client.addons.installed.has(addonId)).toBe(true);

      const undone = await runHere.undo("addon-study-20");
      await client.addons.settled();
      expect(undone.addons).toEqual([expect.objectContaining({ id: addonId, after: null })]);
      expect(client.addons.installed.has(addonId)).toBe(false);
      expect(await client.studyStore.get(20)).toBeUndefined();
      expect(client.telemetry.eventsOf("unenroll").at(-1)).toMatchObject({
        value: "addon-study-20",
        extra: expect.objectContaining({ reason: QA_UNDO_REASON }),
      });
      await runHere.undo("study-9").catch(() => undefined);
    }
  });

  it("a slug the qa ping cannot carry still enrolls, with a warning; a marker id is sent as n/a", async () => {
    const dotted = studyRecipe();
    dotted.arguments.slug = "study.with.dots";
    const { store, telemetry, runHere } = await setup([dotted]);
    const result = await runHere.run(inBranch(7, "control"));
    expect(result.status).toBe("success");
    expect(result.warning).toMatch(/^the FORCED_ENROLLMENT telemetry mark was not recorded: .*experiment/);
    expect((await store.get("study.with.dots"))!.forced?.mode).toBe("BRANCH_CHOSEN");
    expect(telemetry.clientPings).toEqual([]);
    const undone = await runHere.undo("study.with.dots");
    expect(undone.warning).toMatch(/FORCED_UNDO telemetry mark was not recorded/);
    expect(await store.get("study.with.dots")).toBeUndefined();
  });

  it("normal runs leave it alone on every other suitability too, but the studies opt-out ends it and forgets it", async () => {
    const recipe = studyRecipe();
    const { prefs, store, runHere, normalRun, experiments } = await setup([recipe]);
    await runHere.run(inBranch(7, "treatment"));
    for (const suitability of [
      "capabilities-mismatch",
      "arguments-invalid",
      "signature-error",
      "filter-error",
    ] as const)
      await normalRun([[recipe, suitability]]);
    expect((await store.get("study-7"))!).toMatchObject({ expired: false, temporaryErrorDeadline: null });

    await experiments.stopAll("general-opt-out");
    expect(prefs.defaults.get(PREF)).toBe("built-in");
    // Forgotten: not spent, so QA can run it here again once studies are back on.
    expect(await store.get("study-7")).toBeUndefined();
    expect((await runHere.run(inBranch(7, "third"))).study?.branch).toBe("third");
  });

  it("a forced record left expired by a crash is forgotten at the next start; a malformed forced mark is not trusted", async () => {
    const { store, experiments, storage } = await setup([studyRecipe()]);
    const base = {
      actionName: "PreferenceExperimentAction",
      branch: "control",
      lastSeen: "2026-12-07T21:00:00.000Z",
      preferences: {},
      experimentType: "exp",
      userFacingName: null,
      userFacingDescription: null,
      temporaryErrorDeadline: null,
      enrollmentId: "c0ffee00-0000-4000-8000-000000000001",
    };
    await store.add({
      ...base,
      slug: "left-over",
      expired: true,
      forced: { mode: "AS_IS", recipeId: 3, at: base.lastSeen },
    });
    await store.add({ ...base, slug: "kept", expired: true });
    await experiments.init();
    expect((await store.getAll()).map(({ slug }) => slug)).toEqual(["kept"]);

    // A record whose forced mark is not one run here writes is set aside, not taken as forced.
    await storage.set("preferenceExperiments", {
      experiments: { odd: { ...base, slug: "odd", expired: false, forced: {} } },
    });
    expect(await new PreferenceExperimentStore(storage).getAll()).toEqual([]);
  });

  it("refuses while the client is disabled, and says why a paused study enrolled nobody", async () => {
    const paused = studyRecipe();
    paused.arguments.isEnrollmentPaused = true;
    const { runHere, disabled } = await setup([paused]);
    disabled.reason = "the recipe client is disabled (extensions.recipeclient.enabled is false)";
    await expect(runHere.run(inBranch(7, "control"))).rejects.toThrow(/disabled/);
    disabled.reason = null;
    const result = await runHere.run(inBranch(7, "control"));
    expect(result).toMatchObject({ status: "success", study: null });
    expect(result.detail).toMatch(/pauses enrollment/);
  });

  it("a preference rollout with its filter bypassed: defaults set, left alone by later rollouts and rollbacks, undone", async () => {
    const rollout: Recipe = {
      id: 30,
      name: "rollout 30",
      revision_id: "1",
      action: "preference-rollout",
      filter_expression: "false",
      capabilities: ["action.preference-rollout"],
      arguments: { slug: "rollout-30", preferences: [{ preferenceName: PREF, value: "rolled-out" }] },
    };
    const rollback: Recipe = {
      ...rollout,
      id: 31,
      action: "preference-rollback",
      capabilities: ["action.preference-rollback"],
      arguments: { rolloutSlug: "rollout-30" },
    };
    const { prefs, rolloutStore, enrollmentTelemetry, telemetry, runHere, normalRun } = await setup([rollout]);
    const result = await runHere.run({ source: "published", recipeId: 30, mode: "FILTER_BYPASSED" });
    expect(result).toMatchObject({ status: "success", study: { slug: "rollout-30", branch: "n/a" } });
    expect(result.prefs).toEqual([
      { name: PREF, before: "built-in", after: "rolled-out", defaultBefore: "built-in", defaultAfter: "rolled-out" },
    ]);
    expect(telemetry.clientPings.at(-1)).toMatchObject({ event: "FORCED_ENROLLMENT", fields: { branch: "n/a" } });

    // An edited recipe and a rollback recipe in normal runs: the forced rollout stays as QA left it.
    const edited = {
      ...rollout,
      arguments: { slug: "rollout-30", preferences: [{ preferenceName: PREF, value: "edited" }] },
    };
    await normalRun([[edited, "filter-match"]]);
    await normalRun([[rollback, "filter-match"]]);
    expect(prefs.defaults.get(PREF)).toBe("rolled-out");
    expect((await rolloutStore.get("rollout-30"))!.state).toBe("active");

    const undone = await runHere.undo("rollout-30");
    expect(undone.prefs[0]).toMatchObject({ after: "built-in", defaultAfter: "built-in" });
    expect(enrollmentTelemetry.eventsOf("unenroll").at(-1)).toMatchObject({
      object: "preference_rollback",
      value: "rollout-30",
      extra: expect.objectContaining({ reason: QA_UNDO_REASON }),
    });
    expect(await rolloutStore.get("rollout-30")).toBeUndefined();
    // Not spent: a normal run may now roll it out as anyone else.
    await normalRun([[rollout, "filter-match"]]);
    expect((await rolloutStore.get("rollout-30"))!.forced).toBeUndefined();
  });
});
