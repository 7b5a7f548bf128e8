/**
 * A two-branch preference study, end to end in a real Firefox with the add-on installed permanently: the
 * client enrolls in the branch our ratioSample predicts for its user id, sets real prefs on both branches,
 * reports the enrollment (event log, Glean, annotations); the user changes one pref while Firefox runs
 * (observer) and another while it is closed (sideload); across a restart the default-branch values are back
 * before the background page starts; when QA disables the recipe the client unenrolls and every pref is back
 * to its exact previous value, except the values the user chose. Assertions read prefs in the chrome context.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STARTUP_PREFS_BRANCHES } from "../../experiment-apis/prefs/interface.js";
import { ratioSample } from "../../src/core/index.js";
import type { LoggedEvent } from "../../src/stores/EventLogStore.js";
import { type JsonValue, waitForValue } from "./harness/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const SLUG = "pref-study-e2e";
/** Firefox's own prefs with shipped defaults, harmless to change in a headless test profile. */
const DEFAULT_BRANCH_PREF = "browser.urlbar.maxRichResults"; // default 10
const USER_BRANCH_PREF = "font.default.x-western"; // default "serif"; the profile starts with a user value
const OBSERVED_PREF = "layout.spellcheckDefault"; // default 1; the user changes it while enrolled
const SIDELOADED_PREF = "accessibility.typeaheadfind.flashBar"; // default 1; changed while Firefox is closed
const USER_VALUE_BEFORE = "cursive";

const BRANCH_VALUES = {
  control: { [DEFAULT_BRANCH_PREF]: 7, [USER_BRANCH_PREF]: "sans-serif", [OBSERVED_PREF]: 0, [SIDELOADED_PREF]: 3 },
  treatment: { [DEFAULT_BRANCH_PREF]: 13, [USER_BRANCH_PREF]: "monospace", [OBSERVED_PREF]: 2, [SIDELOADED_PREF]: 4 },
} as const;
const BRANCH_TYPES = {
  [DEFAULT_BRANCH_PREF]: "default",
  [USER_BRANCH_PREF]: "user",
  [OBSERVED_PREF]: "user",
  [SIDELOADED_PREF]: "default",
} as const;

function studyArguments() {
  return {
    slug: SLUG,
    userFacingName: "Preference study e2e",
    userFacingDescription: "Two branches, four prefs",
    isEnrollmentPaused: false,
    branches: Object.entries(BRANCH_VALUES).map(([slug, values]) => ({
      slug,
      ratio: 1,
      preferences: Object.fromEntries(
        Object.entries(values).map(([name, value]) => [
          name,
          {
            preferenceType: typeof value === "number" ? "integer" : "string",
            preferenceBranchType: BRANCH_TYPES[name as keyof typeof BRANCH_TYPES],
            preferenceValue: value,
          },
        ]),
      ),
    })),
  };
}

/** A pref as the chrome context sees it: both branches. */
interface PrefState {
  type: number;
  hasUserValue: boolean;
  value: JsonValue;
  defaultValue: JsonValue;
}

describe("a preference study, end to end", () => {
  let recipeId: number;
  let branch: keyof typeof BRANCH_VALUES;
  const running = useServerAndAddon("preference-study", {
    // A user value the user-branch study pref had before the study.
    profilePrefs: { [USER_BRANCH_PREF]: USER_VALUE_BEFORE },
    installPermanently: true,
    prepareServer: async (server) => {
      recipeId = server.store.create(
        {
          name: "Preference study",
          action: "multi-preference-experiment",
          arguments: studyArguments(),
          filter_expression: "true",
          capabilities: [],
        },
        true,
      ).id;
      // Another recipe stays published: a collection with no recipes at all is only a temporary error
      // ("no-recipes") for a study, whereas a study whose recipe is gone from a non-empty one ends at once.
      server.store.create(
        {
          name: "Stays published",
          action: "console-log",
          arguments: { message: "still here" },
          filter_expression: "true",
          capabilities: [],
        },
        true,
      );
      await server.publish();
    },
  });

  const inChrome = <T>(body: string, ...args: JsonValue[]) => running.addon.firefox.evalInChrome<T>(body, ...args);
  const prefState = (name: string) =>
    inChrome<PrefState>(
      `const read = (branch) => { try { return branch.getPrefType(args[0]) === branch.PREF_INT ? branch.getIntPref(args[0]) : branch.getStringPref(args[0]); } catch { return null; } };
       return {
         type: Services.prefs.getPrefType(args[0]),
         hasUserValue: Services.prefs.prefHasUserValue(args[0]),
         value: read(Services.prefs),
         defaultValue: read(Services.prefs.getDefaultBranch("")),
       };`,
      name,
    );
  const normandyEvents = async (method?: string): Promise<LoggedEvent[]> =>
    (await running.addon.state()).events.filter(
      ([, category, eventMethod]) => category === "normandy" && (method === undefined || eventMethod === method),
    );

  it("enrolls in the branch ratioSample predicts for the client's user id, and sets the real prefs", async () => {
    const [run] = await running.addon.waitForRuns(1);
    expect(run!.recipes).toContainEqual(
      expect.objectContaining({ id: recipeId, suitability: "filter-match", status: "success" }),
    );
    const userId = await inChrome<string>(`return Services.prefs.getStringPref("extensions.recipeclient.user_id");`);
    branch = (["control", "treatment"] as const)[await ratioSample(`${userId}-${SLUG}-branch`, [1, 1])]!;

    const { preferenceExperiments } = await running.addon.studies();
    expect(preferenceExperiments).toEqual([
      expect.objectContaining({ slug: SLUG, branch, expired: false, actionName: "PreferenceExperimentAction" }),
    ]);
    const values = BRANCH_VALUES[branch];
    expect(await prefState(DEFAULT_BRANCH_PREF)).toMatchObject({
      hasUserValue: false,
      defaultValue: values[DEFAULT_BRANCH_PREF],
      value: values[DEFAULT_BRANCH_PREF],
    });
    expect(await prefState(SIDELOADED_PREF)).toMatchObject({
      hasUserValue: false,
      defaultValue: values[SIDELOADED_PREF],
    });
    expect(await prefState(USER_BRANCH_PREF)).toMatchObject({
      hasUserValue: true,
      value: values[USER_BRANCH_PREF],
      defaultValue: "serif",
    });
    expect(await prefState(OBSERVED_PREF)).toMatchObject({
      hasUserValue: true,
      value: values[OBSERVED_PREF],
      defaultValue: 1,
    });
    expect(preferenceExperiments[0]!.preferences[USER_BRANCH_PREF]!.previousPreferenceValue).toBe(USER_VALUE_BEFORE);
    // The default-branch values are kept for the next start.
    expect(
      await inChrome(
        `return Services.prefs.getBranch(args[0]).getChildList("").sort();`,
        STARTUP_PREFS_BRANCHES.experiments,
      ),
    ).toEqual([DEFAULT_BRANCH_PREF, SIDELOADED_PREF].sort());
  });

  it("reports the enrollment: local event log, Firefox's Glean.normandy and the experiment annotations", async () => {
    const enrolls = await normandyEvents("enroll");
    expect(enrolls.map(([, ...rest]) => rest)).toEqual([
      [
        "normandy",
        "enroll",
        "preference_study",
        SLUG,
        { experimentType: "exp", branch, enrollmentId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      ],
    ]);
    const glean = await inChrome<{ extra: Record<string, string> }[] | null>(
      `return Glean.normandy.enrollPreferenceStudy.testGetValue();`,
    );
    expect(glean?.map(({ extra }) => extra)).toEqual([{ value: SLUG, experimentType: "exp", branch }]);
    const annotation = await inChrome<{ branch: string; extra: Record<string, string> } | null>(
      `return Services.fog.testGetExperimentData(args[0]);`,
      SLUG,
    );
    expect(annotation).toMatchObject({ branch, extra: { type: "normandy-exp" } });
  });

  it("onPrefChanged fires for the named prefs only, not for prefs that share a prefix", async () => {
    const fired = await running.addon.firefox.evalInExtensionPage<string[]>(
      ADDON_ID,
      "pages/console.html",
      `const fired = [];
       let heardLast;
       const lastHeard = new Promise((resolve) => { heardLast = resolve; });
       const listener = (name) => {
         fired.push(name);
         if (name === "e2e.observed.last") heardLast();
       };
       browser.experiments.prefs.onPrefChanged.addListener(listener, ["e2e.observed", "e2e.observed.child", "e2e.observed.last"]);
       await browser.experiments.prefs.getPrefType("e2e.observed"); // the listener is registered in the parent by now
       for (const [name, value] of [["e2e.observedX", 1], ["e2e.observed.other", 2], ["e2e.observed", 3], ["e2e.observed.child", 4], ["e2e.observed.last", 5]]) {
         await browser.experiments.prefs.setPref(name, value, "user");
       }
       // The positive signal: one listener's events come in order, so once it has heard of the pref set last,
       // an event for any pref set before it would have come too.
       await lastHeard;
       browser.experiments.prefs.onPrefChanged.removeListener(listener);
       return fired;`,
    );
    expect(fired).toEqual(["e2e.observed", "e2e.observed.child", "e2e.observed.last"]);
  });

  it("a change by the user while enrolled is recorded (expPrefChanged observer); the study goes on", async () => {
    await inChrome(`Services.prefs.setIntPref(args[0], 5);`, OBSERVED_PREF);
    const [event] = await waitForValue("the observer event", async () => {
      const events = await normandyEvents("expPrefChanged");
      return events.length > 0 ? events : undefined;
    });
    expect(event!.slice(1, 5)).toEqual(["normandy", "expPrefChanged", "preference_study", SLUG]);
    expect(event![5]).toMatchObject({ preferenceName: OBSERVED_PREF, reason: "observer" });
    const [experiment] = (await running.addon.studies()).preferenceExperiments;
    expect(experiment).toMatchObject({ expired: false, preferences: { [OBSERVED_PREF]: { overridden: true } } });
  });

  it("after a restart the default-branch values are back before the background page starts; nothing counts as a user change but the sideload", async () => {
    const eventsBefore = (await normandyEvents()).length;
    const runsBefore = (await running.addon.state()).runs.length;
    await running.addon.firefox.quit();
    // The user changes a default-branch study pref while Firefox is closed.
    appendFileSync(
      join(running.addon.firefox.profileDir, "user.js"),
      `user_pref(${JSON.stringify(SIDELOADED_PREF)}, 9);\n`,
    );
    await running.addon.firefox.restart();

    const studies = await waitForValue("the background page after the restart", () => running.addon.studies());
    const { processStartedAt } = await inChrome<{ processStartedAt: number }>(
      `return { processStartedAt: Date.now() - Services.telemetry.msSinceProcessStart() };`,
    );
    const backgroundStartMs = studies.backgroundStartedAt - processStartedAt;
    console.log(
      `start-up re-application at ${studies.startup!.appliedAtMs.toFixed(1)} ms after process start; ` +
        `background page started at ${backgroundStartMs.toFixed(1)} ms`,
    );
    expect(studies.startup!.appliedAtMs).toBeLessThan(backgroundStartMs);
    expect(studies.startup).toMatchObject({
      firstInSession: true,
      experiments: { previousDefaults: { [DEFAULT_BRANCH_PREF]: 10, [SIDELOADED_PREF]: 1 }, skipped: [] },
    });
    const values = BRANCH_VALUES[branch];
    expect(await prefState(DEFAULT_BRANCH_PREF)).toMatchObject({
      hasUserValue: false,
      defaultValue: values[DEFAULT_BRANCH_PREF],
    });
    expect(await prefState(SIDELOADED_PREF)).toMatchObject({
      hasUserValue: true,
      value: 9,
      defaultValue: values[SIDELOADED_PREF],
    });

    // The start-up run waits for the studies to be taken in, so once it is done every event is in.
    await running.addon.waitForRuns(runsBefore + 1);
    const newEvents = (await normandyEvents()).slice(eventsBefore);
    expect(newEvents.map(([, ...rest]) => rest)).toEqual([
      [
        "normandy",
        "expPrefChanged",
        "preference_study",
        SLUG,
        expect.objectContaining({ preferenceName: SIDELOADED_PREF, reason: "sideload" }),
      ],
    ]);
    expect(studies.preferenceExperiments[0]).toMatchObject({ expired: false });
    const annotation = await inChrome<{ branch: string } | null>(
      `return Services.fog.testGetExperimentData(args[0]);`,
      SLUG,
    );
    expect(annotation).toMatchObject({ branch });
  });

  it("disabling the recipe unenrolls: every pref back to its exact previous value, the user's choices kept", async () => {
    running.server.store.setEnabled(recipeId, false);
    await running.server.publish();

    const run = await running.addon.runNow();

    expect(run).toMatchObject({
      runnerStatus: "success",
      actions: expect.objectContaining({ PreferenceExperimentAction: "success" }),
    });
    const unenrolls = await normandyEvents("unenroll");
    expect(unenrolls.map(([, ...rest]) => rest)).toEqual([
      [
        "normandy",
        "unenroll",
        "preference_study",
        SLUG,
        expect.objectContaining({ reason: "recipe-not-seen", didResetValue: "true", branch }),
      ],
    ]);
    expect(await prefState(DEFAULT_BRANCH_PREF)).toMatchObject({ hasUserValue: false, defaultValue: 10, value: 10 });
    expect(await prefState(USER_BRANCH_PREF)).toMatchObject({
      hasUserValue: true,
      value: USER_VALUE_BEFORE,
      defaultValue: "serif",
    });
    expect(await prefState(OBSERVED_PREF)).toMatchObject({ hasUserValue: true, value: 5, defaultValue: 1 });
    expect(await prefState(SIDELOADED_PREF)).toMatchObject({ hasUserValue: true, value: 9, defaultValue: 1 });
    expect((await running.addon.studies()).preferenceExperiments[0]).toMatchObject({ expired: true });
    expect(
      await inChrome(`return Services.prefs.getBranch(args[0]).getChildList("");`, STARTUP_PREFS_BRANCHES.experiments),
    ).toEqual([]);
    const glean = await inChrome<{ extra: Record<string, string> }[] | null>(
      `return Glean.normandy.unenrollPreferenceStudy.testGetValue();`,
    );
    expect(glean?.map(({ extra }) => extra)).toEqual([
      expect.objectContaining({ value: SLUG, reason: "recipe-not-seen", didResetValue: "true" }),
    ]);
    expect(await inChrome(`return Services.fog.testGetExperimentData(args[0]);`, SLUG)).toBeNull();
  });
});
