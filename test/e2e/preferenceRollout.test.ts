/**
 * A preference rollout, end to end in a real Firefox with the add-on installed permanently: publishing the
 * rollout changes the real default values (never the user's own value), and they are back after a restart
 * before the background page starts; QA edits the recipe on the server (one pref dropped, one changed) and
 * the client applies the difference; the server refuses to publish the rollback beside its rollout, and once
 * the rollout is disabled the rollback puts every default back. Events, Glean and annotations are checked at
 * each step. Assertions read prefs in the chrome context.
 */
import { describe, expect, it } from "vitest";
import { STARTUP_PREFS_BRANCHES } from "../../experiment-apis/prefs/interface.js";
import type { ContextSnapshot } from "../../src/context/ClientContext.js";
import type { LoggedEvent } from "../../src/stores/EventLogStore.js";
import { type JsonValue, waitForValue } from "./harness/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const SLUG = "pref-rollout-e2e";
/** Firefox's own prefs with shipped defaults, harmless to change in a headless test profile. */
const CHANGED_PREF = "browser.urlbar.maxRichResults"; // default 10; rolled out as 12, then edited to 14
const DROPPED_PREF = "layout.spellcheckDefault"; // default 1; rolled out as 2, then dropped from the recipe
const USER_SET_PREF = "font.default.x-western"; // default "serif"; the profile has the user's own value
const NEW_PREF = "e2e.rollout.newPref"; // no default at all before the rollout
const USER_VALUE = "cursive";
const UPLOAD_ENABLED_PREF = "datareporting.healthreport.uploadEnabled";

const FIRST_VALUES = { [CHANGED_PREF]: 12, [DROPPED_PREF]: 2, [USER_SET_PREF]: "sans-serif", [NEW_PREF]: true };
const EDITED_VALUES = { [CHANGED_PREF]: 14, [USER_SET_PREF]: "sans-serif", [NEW_PREF]: true };
const BUILT_IN_DEFAULTS = { [CHANGED_PREF]: 10, [DROPPED_PREF]: 1, [USER_SET_PREF]: "serif", [NEW_PREF]: null };

function rolloutRecipe(values: Record<string, JsonValue>) {
  return {
    name: "Preference rollout",
    action: "preference-rollout" as const,
    arguments: {
      slug: SLUG,
      preferences: Object.entries(values).map(([preferenceName, value]) => ({ preferenceName, value })),
    },
    filter_expression: "true",
    capabilities: [],
  };
}

/** A pref as the chrome context sees it: both branches. */
interface PrefState {
  type: "string" | "integer" | "boolean" | "invalid";
  hasUserValue: boolean;
  value: JsonValue;
  defaultValue: JsonValue;
}

describe("a preference rollout, end to end", () => {
  let rolloutId: number;
  let enrollmentId: string;
  const running = useServerAndAddon("preference-rollout", {
    // Telemetry upload off (Debian's ESR default), so each start replaces enrollment ids with the marker.
    prefs: { [UPLOAD_ENABLED_PREF]: false },
    // The user's own value for one rolled-out pref.
    profilePrefs: { [USER_SET_PREF]: USER_VALUE },
    installPermanently: true,
    prepareServer: async (server) => {
      rolloutId = server.store.create(rolloutRecipe(FIRST_VALUES), true).id;
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
      `const type = { [Services.prefs.PREF_STRING]: "string", [Services.prefs.PREF_INT]: "integer", [Services.prefs.PREF_BOOL]: "boolean" }[Services.prefs.getPrefType(args[0])] ?? "invalid";
       const read = (branch) => {
         try {
           return type === "integer" ? branch.getIntPref(args[0]) : type === "boolean" ? branch.getBoolPref(args[0]) : branch.getStringPref(args[0]);
         } catch {
           return null;
         }
       };
       return {
         type,
         hasUserValue: Services.prefs.prefHasUserValue(args[0]),
         value: type === "invalid" ? null : read(Services.prefs),
         defaultValue: type === "invalid" ? null : read(Services.prefs.getDefaultBranch("")),
       };`,
      name,
    );
  const defaults = async (names: string[]) =>
    Object.fromEntries(await Promise.all(names.map(async (name) => [name, (await prefState(name)).defaultValue])));
  const startupRolloutPrefs = () =>
    inChrome<string[]>(
      `return Services.prefs.getBranch(args[0]).getChildList("").sort();`,
      STARTUP_PREFS_BRANCHES.rollouts,
    );
  const normandyEvents = async (): Promise<LoggedEvent[]> =>
    (await running.addon.state()).events.filter(([, category]) => category === "normandy");
  const glean = (metric: string) =>
    inChrome<Record<string, string>[] | null>(
      `return Glean.normandy[args[0]].testGetValue()?.map(({ extra }) => extra) ?? null;`,
      metric,
    );
  const annotation = () =>
    inChrome<{ branch: string; extra: Record<string, string> } | null>(
      `return Services.fog.testGetExperimentData(args[0]);`,
      SLUG,
    );
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${running.server.url}/admin/api/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const ALL_PREFS = [CHANGED_PREF, DROPPED_PREF, USER_SET_PREF, NEW_PREF];

  it("rolls out: the real defaults change, the user's own value stays, the values are kept for the next start", async () => {
    const [run] = await running.addon.waitForRuns(1);
    expect(run!.recipes).toContainEqual(
      expect.objectContaining({ id: rolloutId, suitability: "filter-match", status: "success" }),
    );

    expect(await defaults(ALL_PREFS)).toEqual(FIRST_VALUES);
    expect(await prefState(USER_SET_PREF)).toMatchObject({
      hasUserValue: true,
      value: USER_VALUE,
      defaultValue: "sans-serif",
    });
    expect(await prefState(CHANGED_PREF)).toMatchObject({ hasUserValue: false, value: 12 });
    expect(await prefState(NEW_PREF)).toMatchObject({ type: "boolean", hasUserValue: false, value: true });
    expect(await startupRolloutPrefs()).toEqual([...ALL_PREFS].sort());

    const { preferenceRollouts } = await running.addon.studies();
    expect(preferenceRollouts).toEqual([
      {
        slug: SLUG,
        state: "active",
        preferences: ALL_PREFS.map((name) => ({
          preferenceName: name,
          value: FIRST_VALUES[name as keyof typeof FIRST_VALUES],
          previousValue: BUILT_IN_DEFAULTS[name as keyof typeof BUILT_IN_DEFAULTS],
        })),
        enrollmentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    ]);
    enrollmentId = preferenceRollouts[0]!.enrollmentId;
  });

  it("reports the enrollment (event log, Glean.normandy, annotation) and filters see it in normandy.rollouts.pref", async () => {
    expect((await normandyEvents()).map(([, ...rest]) => rest)).toEqual([
      ["normandy", "enroll", "preference_rollout", SLUG, { enrollmentId: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
    ]);
    expect(await glean("enrollPreferenceRollout")).toEqual([{ value: SLUG }]);
    expect(await annotation()).toMatchObject({
      branch: "active",
      extra: { type: "normandy-prefrollout", enrollmentId },
    });
    const context = await running.addon.firefox.evalInExtensionPage<ContextSnapshot>(
      ADDON_ID,
      "pages/console.html",
      `return browser.runtime.sendMessage({ type: "get-context" });`,
    );
    expect(context.rollouts).toEqual({
      value: { pref: { [SLUG]: expect.objectContaining({ slug: SLUG, state: "active" }) }, addon: {} },
    });
  });

  it("after a restart the rolled-out defaults are back before the background page starts; nothing graduates", async () => {
    const eventsBefore = (await normandyEvents()).length;
    const runsBefore = (await running.addon.state()).runs.length;
    await running.addon.firefox.restart();

    const studies = await waitForValue("the background page after the restart", () => running.addon.studies());
    const { processStartedAt } = await inChrome<{ processStartedAt: number }>(
      `return { processStartedAt: Date.now() - Services.telemetry.msSinceProcessStart() };`,
    );
    expect(studies.startup!.appliedAtMs).toBeLessThan(studies.backgroundStartedAt - processStartedAt);
    expect(studies.startup).toMatchObject({
      firstInSession: true,
      rollouts: { previousDefaults: BUILT_IN_DEFAULTS, skipped: [] },
    });
    expect(await defaults(ALL_PREFS)).toEqual(FIRST_VALUES);
    expect(await prefState(USER_SET_PREF)).toMatchObject({ hasUserValue: true, value: USER_VALUE });

    await running.addon.waitForRuns(runsBefore + 1);
    expect((await normandyEvents()).slice(eventsBefore)).toEqual([]);
    // Upload was off before and is off now: no switch, so the enrollment keeps its id.
    expect((await running.addon.studies()).preferenceRollouts[0]).toMatchObject({ state: "active", enrollmentId });
    expect(await annotation()).toMatchObject({
      branch: "active",
      extra: { type: "normandy-prefrollout", enrollmentId },
    });
  });

  it("an add-on reload within the session finds its own values on the default branch: nothing graduates, nothing is reported", async () => {
    const eventsBefore = (await normandyEvents()).length;
    const startedBefore = (await running.addon.studies()).backgroundStartedAt;
    await inChrome(
      `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
       await (await AddonManager.getAddonByID(args[0])).reload();`,
      ADDON_ID,
    );

    const studies = await waitForValue("the background page after the reload", async () => {
      const reloaded = await running.addon.studies();
      return reloaded.backgroundStartedAt > startedBefore ? reloaded : undefined;
    });
    expect(studies.startup).toMatchObject({
      firstInSession: false,
      rollouts: { previousDefaults: FIRST_VALUES, skipped: [] },
    });
    expect(studies.preferenceRollouts[0]).toMatchObject({
      state: "active",
      preferences: expect.arrayContaining([{ preferenceName: CHANGED_PREF, value: 12, previousValue: 10 }]),
    });
    expect(await defaults(ALL_PREFS)).toEqual(FIRST_VALUES);
    expect((await normandyEvents()).slice(eventsBefore)).toEqual([]);
  });

  it("an edit on the server is applied as a difference: the dropped pref gets its default back, the changed one is set", async () => {
    expect(
      (await admin("PUT", `recipes/${rolloutId}`, { ...rolloutRecipe(EDITED_VALUES), enabled: true })).status,
    ).toBe(200);
    expect((await admin("POST", "publish")).status).toBe(200);

    const run = await running.addon.runNow();

    expect(run.recipes).toContainEqual(expect.objectContaining({ id: rolloutId, status: "success" }));
    expect(await defaults(ALL_PREFS)).toEqual({ ...EDITED_VALUES, [DROPPED_PREF]: 1 });
    expect(await prefState(DROPPED_PREF)).toMatchObject({ hasUserValue: false, value: 1 });
    expect(await prefState(USER_SET_PREF)).toMatchObject({ hasUserValue: true, value: USER_VALUE });
    expect(await startupRolloutPrefs()).toEqual([CHANGED_PREF, NEW_PREF, USER_SET_PREF].sort());
    const updates = (await normandyEvents()).filter(([, , method]) => method === "update");
    expect(updates.map(([, ...rest]) => rest)).toEqual([
      ["normandy", "update", "preference_rollout", SLUG, { previousState: "active", enrollmentId }],
    ]);
    expect(await glean("updatePreferenceRollout")).toEqual([{ value: SLUG, previousState: "active", enrollmentId }]);
  });

  it("the server refuses the rollback beside its rollout; once the rollout is disabled, the rollback restores every default", async () => {
    const rollback = await admin("POST", "recipes", {
      name: "Preference rollback",
      action: "preference-rollback",
      arguments: { rolloutSlug: SLUG },
      filter_expression: "true",
      enabled: true,
    });
    expect(rollback.status).toBe(201);
    const refused = await admin("POST", "publish");
    expect(refused.status).toBe(400);
    expect(refused.body["message"]).toContain(
      `recipe ${String(rollback.body["id"])} ("Preference rollback") rolls back "${SLUG}", which recipe ${rolloutId} ("Preference rollout") rolls out`,
    );

    expect((await admin("POST", `recipes/${rolloutId}/disable`)).status).toBe(200);
    expect((await admin("POST", "publish")).status).toBe(200);
    const run = await running.addon.runNow();

    expect(run).toMatchObject({
      runnerStatus: "success",
      actions: expect.objectContaining({ PreferenceRollbackAction: "success" }),
    });
    expect(await prefState(CHANGED_PREF)).toMatchObject({ hasUserValue: false, value: 10, defaultValue: 10 });
    expect(await prefState(DROPPED_PREF)).toMatchObject({ hasUserValue: false, value: 1, defaultValue: 1 });
    expect(await prefState(USER_SET_PREF)).toMatchObject({
      hasUserValue: true,
      value: USER_VALUE,
      defaultValue: "serif",
    });
    expect((await prefState(NEW_PREF)).type).toBe("invalid");
    expect(await startupRolloutPrefs()).toEqual([]);
    expect((await running.addon.studies()).preferenceRollouts[0]).toMatchObject({ slug: SLUG, state: "rolled-back" });
    const unenrolls = (await normandyEvents()).filter(([, , method]) => method === "unenroll");
    expect(unenrolls.map(([, ...rest]) => rest)).toEqual([
      ["normandy", "unenroll", "preference_rollback", SLUG, { reason: "rollback", enrollmentId }],
    ]);
    expect(await glean("unenrollPreferenceRollback")).toEqual([{ value: SLUG, reason: "rollback", enrollmentId }]);
    expect(await annotation()).toBeNull();
  });
});
