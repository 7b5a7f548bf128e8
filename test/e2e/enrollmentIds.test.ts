/**
 * Issue 17's acceptance for enrollment ids, in real Firefox: every `enroll` (preference study, preference
 * rollout, add-on study) carries an enrollmentId, the same as every later event of that enrollment, and each
 * event carries the extras Normandy's data-collection document lists (test/fixtures/normandy-data-collection.ts);
 * Glean keeps the id too (ESR 153's compiled enroll metric cannot: a runtime metric can). Enrollment ids
 * survive a restart with telemetry upload still off (Debian's ESR default) and are replaced by
 * `__NO_ENROLLMENT_ID__` when upload is switched on and off; new enrollments get new ids.
 */
import { describe, expect, it } from "vitest";
import { matchingRecipe as recipe } from "./support/matchingRecipe.js";
import { documentedKeys } from "../fixtures/normandy-data-collection.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";
import { buildTestAddon, uploadXpi } from "./support/testAddons.js";

const STUDY = "ids-pref-study";
const ROLLOUT = "ids-rollout";
const ADDON_STUDY = "ids-addon-study";
const STUDY_ADDON = "ids-study@recipe-client.test";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NO_ENROLLMENT_ID = "__NO_ENROLLMENT_ID__";
const UPLOAD_PREF = "datareporting.healthreport.uploadEnabled";

interface LoggedNormandyEvent {
  method: string;
  object: string;
  value: string;
  extra: Record<string, string>;
}

const rolloutRecipe = (slug: string, value: number) =>
  recipe(slug, "preference-rollout", { slug, preferences: [{ preferenceName: `ids.${slug}`, value }] });
const addonStudyRecipe = (extensionApiId: number) =>
  recipe(ADDON_STUDY, "branched-addon-study", {
    slug: ADDON_STUDY,
    userFacingName: "Ids add-on study",
    userFacingDescription: "Installs an add-on",
    isEnrollmentPaused: false,
    branches: [{ slug: "treatment", ratio: 1, extensionApiId }],
  });

describe("enrollment ids, end to end", () => {
  const ids: Record<string, number> = {};
  const running = useServerAndAddon("enrollment-ids", {
    installPermanently: true,
    prepareServer: async (server, workDir) => {
      ids[STUDY] = server.store.create(
        recipe(STUDY, "multi-preference-experiment", {
          slug: STUDY,
          userFacingName: "Ids study",
          userFacingDescription: "One pref",
          isEnrollmentPaused: false,
          branches: [
            {
              slug: "only",
              ratio: 1,
              preferences: {
                "ids.study": { preferenceType: "string", preferenceBranchType: "default", preferenceValue: "on" },
              },
            },
          ],
        }),
        true,
      ).id;
      ids[ROLLOUT] = server.store.create(rolloutRecipe(ROLLOUT, 1), true).id;
      const first = await uploadXpi(server, await buildTestAddon(workDir, STUDY_ADDON, "1.0"));
      ids[ADDON_STUDY] = server.store.create(addonStudyRecipe(first.id), true).id;
      // Keeps the collection non-empty once the study recipes are disabled (an empty one is only a temporary error).
      server.store.create(recipe("Stays", "console-log", { message: "stays" }), true);
      await server.publish();
    },
    waitForFirstRun: true,
  });

  const normandyEvents = async (): Promise<LoggedNormandyEvent[]> =>
    (await running.addon.state()).events
      .filter(([, category]) => category === "normandy")
      .map(([, , method, object, value, extra]) => ({ method, object, value: value ?? "", extra: extra ?? {} }));
  const storedIds = async (): Promise<Record<string, string>> => {
    const studies = await running.addon.studies();
    return Object.fromEntries(
      [
        ...studies.preferenceExperiments,
        ...studies.preferenceRollouts,
        ...studies.addonStudies,
        ...studies.addonRollouts,
      ].map((record) => [record.slug, record.enrollmentId]),
    );
  };
  /** Restarts Firefox and waits for the start-up run, which comes after the add-on's start-up steps. */
  const restart = async () => {
    const restartedAt = Date.now();
    await running.addon.firefox.restart();
    await expect
      .poll(async () => (await running.addon.state()).runs[0]?.startedAt ?? 0, { timeout: 30_000 })
      .toBeGreaterThan(restartedAt);
  };
  const setUpload = (enabled: boolean) =>
    running.addon.firefox.evalInChrome(
      `Services.prefs.setBoolPref(args[0], args[1]); return null;`,
      UPLOAD_PREF,
      enabled,
    );

  it("every enroll has an enrollmentId, the same as every later event of its enrollment, with the documented extras", async () => {
    expect(
      await running.addon.firefox.evalInChrome(`return Services.prefs.getBoolPref(args[0], false);`, UPLOAD_PREF),
    ).toBe(false);
    // Later events of each enrollment: the study ends, the rollout changes, the add-on study updates, then ends.
    running.server.store.setEnabled(ids[STUDY]!, false);
    running.server.store.update(ids[ROLLOUT]!, rolloutRecipe(ROLLOUT, 2));
    const second = await uploadXpi(running.server, await buildTestAddon(running.workDir, STUDY_ADDON, "2.0"));
    running.server.store.update(ids[ADDON_STUDY]!, addonStudyRecipe(second.id));
    await running.server.publish();
    expect((await running.addon.runNow()).runnerStatus).toBe("success");
    running.server.store.setEnabled(ids[ADDON_STUDY]!, false);
    await running.server.publish();
    expect((await running.addon.runNow()).runnerStatus).toBe("success");

    const events = await normandyEvents();
    expect(events.map(({ method, value }) => `${method} ${value}`).sort()).toEqual(
      [
        `enroll ${STUDY}`,
        `unenroll ${STUDY}`,
        `enroll ${ROLLOUT}`,
        `update ${ROLLOUT}`,
        `enroll ${ADDON_STUDY}`,
        `update ${ADDON_STUDY}`,
        `unenroll ${ADDON_STUDY}`,
      ].sort(),
    );
    for (const slug of [STUDY, ROLLOUT, ADDON_STUDY]) {
      const ofEnrollment = events.filter((event) => event.value === slug);
      const enrollmentId = ofEnrollment.find((event) => event.method === "enroll")?.extra.enrollmentId;
      expect(enrollmentId, slug).toMatch(UUID);
      expect(
        ofEnrollment.map((event) => event.extra.enrollmentId),
        slug,
      ).toEqual(ofEnrollment.map(() => enrollmentId));
    }
    for (const { method, object, extra } of events) {
      const keys = documentedKeys(method, object)!;
      expect(Object.keys(extra).sort(), `${method}/${object}`).toEqual(expect.arrayContaining(keys.always));
      for (const key of Object.keys(extra))
        expect([...keys.always, ...keys.sometimes], `${method}/${object} ${key}`).toContain(key);
    }

    // Glean: the compiled enroll metric without the id (ESR 153's has no such key), the runtime one with it.
    const glean = await running.addon.firefox.evalInChrome<{
      compiled: Record<string, string>[];
      runtime: Record<string, string>[];
    }>(
      `return { compiled: (Glean.normandy.enrollAddonStudy.testGetValue() ?? []).map((event) => event.extra),
                runtime: (Glean.recipeClientEvents?.enrollAddonStudy?.testGetValue() ?? []).map((event) => event.extra) };`,
    );
    const addonEnroll = events.find((event) => event.method === "enroll" && event.value === ADDON_STUDY)!;
    expect(glean.runtime).toEqual([{ ...addonEnroll.extra, value: ADDON_STUDY }]);
    const { enrollmentId: _id, ...withoutId } = addonEnroll.extra;
    expect(glean.compiled).toEqual([{ ...withoutId, value: ADDON_STUDY }]);
  });

  it("upload still off across a restart keeps the ids; switched on and off, they are replaced, and new enrollments get new ids", async () => {
    const before = await storedIds();
    expect(before[ROLLOUT]).toMatch(UUID);

    await restart();
    expect(await storedIds()).toEqual(before);

    // On: an enrollment while upload is on reaches the intake with its id.
    await setUpload(true);
    running.server.store.create(rolloutRecipe("ids-rollout-on", 1), true);
    await running.server.publish();
    expect((await running.addon.runNow()).runnerStatus).toBe("success");
    const whileOn = (await storedIds())["ids-rollout-on"];
    expect(whileOn).toMatch(UUID);
    const clientId = await running.addon.firefox.evalInChrome<string>(
      `return Services.prefs.getStringPref("extensions.recipeclient.client_id", "");`,
    );
    await expect
      .poll(
        () =>
          running.server.intake
            .events(clientId)
            .filter((event) => event.method === "enroll")
            .map((event) => event.extra?.enrollmentId),
        { timeout: 15_000 },
      )
      .toEqual([whileOn]);

    // Off: every stored id is replaced.
    await setUpload(false);
    const count = Object.keys(await storedIds()).length;
    await expect
      .poll(async () => Object.values(await storedIds()), { timeout: 10_000 })
      .toEqual(Array(count).fill(NO_ENROLLMENT_ID));

    // A new enrollment gets a new id, which a restart with upload off keeps.
    running.server.store.create(rolloutRecipe("ids-rollout-after", 1), true);
    await running.server.publish();
    expect((await running.addon.runNow()).runnerStatus).toBe("success");
    const after = (await storedIds())["ids-rollout-after"];
    expect(after).toMatch(UUID);
    expect(Object.values(before)).not.toContain(after);
    const enrolled = (await normandyEvents()).find(
      (event) => event.method === "enroll" && event.value === "ids-rollout-after",
    );
    expect(enrolled?.extra.enrollmentId).toBe(after);
    await restart();
    expect((await storedIds())["ids-rollout-after"]).toBe(after);
  });
});
