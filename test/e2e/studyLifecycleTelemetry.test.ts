/**
 * Issue 8's acceptance in one lifecycle: a preference study is enrolled, the user changes its pref, QA
 * disables the recipe. Exactly the expected Normandy events come out, in order and identical, in Firefox's
 * Glean (read in the chrome context), in the add-on's local event log and at the local server's intake.
 */
import { describe, expect, it } from "vitest";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const SLUG = "lifecycle-telemetry";
const PREF = "layout.spellcheckDefault"; // a shipped default (1), harmless to change in a test profile

interface NormandyEvent {
  method: string;
  object: string;
  value: string;
  extra: Record<string, string>;
}

describe("telemetry of one study lifecycle, end to end", () => {
  let recipeId: number;
  const running = useServerAndAddon("study-lifecycle-telemetry", {
    prefs: { "datareporting.healthreport.uploadEnabled": true },
    prepareServer: async (server) => {
      recipeId = server.store.create(
        {
          name: "Lifecycle study",
          action: "multi-preference-experiment",
          arguments: {
            slug: SLUG,
            userFacingName: "Lifecycle",
            userFacingDescription: "One branch, one pref",
            isEnrollmentPaused: false,
            branches: [
              {
                slug: "only",
                ratio: 1,
                preferences: {
                  [PREF]: { preferenceType: "integer", preferenceBranchType: "default", preferenceValue: 2 },
                },
              },
            ],
          },
          filter_expression: "true",
          capabilities: [],
        },
        true,
      ).id;
      // Keeps the collection non-empty once the study's recipe is disabled (an empty one is only a temporary error).
      server.store.create(
        {
          name: "Stays",
          action: "console-log",
          arguments: { message: "stays" },
          filter_expression: "true",
          capabilities: [],
        },
        true,
      );
      await server.publish();
    },
    waitForFirstRun: true,
  });

  /** Normandy events from Glean: every `Glean.normandy.*` event metric with a value, in recording order. */
  const gleanEvents = () =>
    running.addon.firefox.evalInChrome<NormandyEvent[]>(
      `const events = [];
       for (const name of ["enrollPreferenceStudy", "expPrefChangedPreferenceStudy", "unenrollPreferenceStudy"]) {
         for (const event of Glean.normandy[name].testGetValue() ?? []) events.push(event);
       }
       events.sort((a, b) => a.timestamp - b.timestamp);
       return events.map(({ category, name, extra }) => {
         const { value, ...rest } = extra;
         const [method, object] = { enroll_preference_study: ["enroll", "preference_study"],
           exp_pref_changed_preference_study: ["expPrefChanged", "preference_study"],
           unenroll_preference_study: ["unenroll", "preference_study"] }[name];
         return { method, object, value, extra: rest };
       });`,
    );
  const loggedEvents = async (): Promise<NormandyEvent[]> =>
    (await running.addon.state()).events
      .filter(([, category]) => category === "normandy")
      .map(([, , method, object, value, extra]) => ({ method, object, value: value ?? "", extra: extra ?? {} }));
  const intakeEvents = async (): Promise<NormandyEvent[]> => {
    const clientId = await running.addon.firefox.evalInChrome<string>(
      `return Services.prefs.getStringPref("extensions.recipeclient.client_id", "");`,
    );
    return running.server.intake
      .events(clientId)
      .reverse() // the intake lists newest first
      .filter((event) => event.category === "normandy")
      .map(({ method, object, value, extra }) => ({ method, object, value: value ?? "", extra: extra ?? {} }));
  };

  it("enroll, a user change and unenroll give the same events, in order, in Glean, the local log and the intake", async () => {
    expect(
      await running.addon.firefox.evalInChrome(`return Services.prefs.getDefaultBranch("").getIntPref(args[0]);`, PREF),
    ).toBe(2);

    await running.addon.firefox.evalInChrome(`Services.prefs.setIntPref(args[0], 5);`, PREF);
    await expect.poll(async () => (await loggedEvents()).length, { timeout: 10_000 }).toBe(2);

    running.server.store.setEnabled(recipeId, false);
    await running.server.publish();
    expect((await running.addon.runNow()).runnerStatus).toBe("success");

    const expected: NormandyEvent[] = [
      {
        method: "enroll",
        object: "preference_study",
        value: SLUG,
        extra: { branch: "only", experimentType: "exp", enrollmentId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      },
      {
        method: "expPrefChanged",
        object: "preference_study",
        value: SLUG,
        extra: expect.objectContaining({ preferenceName: PREF, reason: "observer" }),
      },
      {
        method: "unenroll",
        object: "preference_study",
        value: SLUG,
        extra: expect.objectContaining({ reason: "recipe-not-seen", branch: "only", didResetValue: "true" }),
      },
    ];
    const local = await loggedEvents();
    expect(local).toEqual(expected);
    expect(await gleanEvents()).toEqual(
      local.map(({ extra, ...rest }) => ({ ...rest, extra: expect.objectContaining(withoutEnrollmentId(extra)) })),
    );
    await expect.poll(async () => (await intakeEvents()).length, { timeout: 15_000 }).toBe(3);
    expect(await intakeEvents()).toEqual(local);
    // The user's value survives the unenrollment.
    expect(await running.addon.firefox.evalInChrome(`return Services.prefs.getIntPref(args[0]);`, PREF)).toBe(5);
  });
});

/** ESR 153's compiled enroll metric has no enrollmentId (a runtime metric keeps it: enrollmentIds.test.ts); compared through the local log and intake. */
function withoutEnrollmentId(extra: Record<string, string>): Record<string, string> {
  const { enrollmentId: _enrollmentId, ...rest } = extra;
  return rest;
}
