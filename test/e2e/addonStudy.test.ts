/**
 * Add-on studies end to end in a real Firefox, with the recipe client installed permanently and small study
 * add-ons the test builds (plain WebExtensions) uploaded to the in-process server: enroll installs and runs
 * the branch's add-on; the add-on reads its study over extension messaging; a newer version on the server
 * updates it; a package whose hash differs from the metadata installs nothing and reports why; Firefox
 * SIGKILLed mid-download leaves, after a restart, no study without its add-on and no add-on without its
 * study; a study add-on ends its own study; disabling the recipe uninstalls the add-on. Add-ons are read
 * in the chrome context through AddonManager.
 */
import { describe, expect, it } from "vitest";
import type { ServedExtensionDetails } from "../../server/extensionDetails.js";
import type { RecipeFields } from "../../server/recipeStore.js";
import type { LoggedEvent } from "../../src/stores/EventLogStore.js";
import type { AddonStudy } from "../../src/stores/AddonStudyStore.js";
import { type JsonValue, waitForValue } from "./harness/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";
import { buildTestAddon, installedAddon, TEST_ADDON_PAGE, uploadXpi } from "./support/testAddons.js";

const STUDY_ADDON = "study-addon@recipe-client.test";
const SECOND_ADDON = "second-study-addon@recipe-client.test";
const CORRUPT_ADDON = "corrupt-study-addon@recipe-client.test";
const SLUG = "addon-study-e2e";
const SECOND_SLUG = "second-addon-study-e2e";
const CONSOLE_PAGE = "pages/console.html";

function studyRecipe(slug: string, extensionApiId: number): RecipeFields {
  return {
    name: slug,
    action: "branched-addon-study",
    arguments: {
      slug,
      userFacingName: `Study ${slug}`,
      userFacingDescription: "Installs a study add-on",
      isEnrollmentPaused: false,
      branches: [{ slug: "treatment", ratio: 1, extensionApiId }],
    },
    filter_expression: "true",
    capabilities: [],
  };
}

describe("an add-on study, end to end", () => {
  const xpis = new Map<string, Buffer>();
  let recipeId: number;
  const running = useServerAndAddon("addon-study", {
    installPermanently: true,
    prepareServer: async (server, workDir) => {
      for (const [name, id, version] of [
        ["study-1.0", STUDY_ADDON, "1.0"],
        ["study-2.0", STUDY_ADDON, "2.0"],
        ["second-1.0", SECOND_ADDON, "1.0"],
        ["corrupt-1.0", CORRUPT_ADDON, "1.0"],
      ] as const) {
        xpis.set(name, await buildTestAddon(workDir, id, version));
      }
      const v1 = await upload("study-1.0");
      recipeId = server.store.create(studyRecipe(SLUG, v1.id), true).id;
      // A collection with no recipes at all is only a temporary error for a study; this keeps one published.
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
  const installed = (id: string) => installedAddon(running.addon.firefox, id);
  const addonStudies = async (): Promise<AddonStudy[]> => (await running.addon.studies()).addonStudies;
  const normandyEvents = async (object: string, method?: string): Promise<LoggedEvent[]> =>
    (await running.addon.state()).events.filter(
      ([, category, eventMethod, eventObject]) =>
        category === "normandy" && eventObject === object && (method === undefined || eventMethod === method),
    );
  const upload = (name: string) => uploadXpi(running.server, xpis.get(name)!);
  /** Asks the study add-on's own page to message the recipe client. */
  const fromStudyAddon = <T>(addonId: string, body: string) =>
    running.addon.firefox.evalInExtensionPage<T>(addonId, TEST_ADDON_PAGE, body, ADDON_ID);

  it("enrolls: the branch's add-on is installed and running, the study recorded, the enrollment reported", async () => {
    const [run] = await running.addon.waitForRuns(1);
    expect(run!.recipes).toContainEqual(
      expect.objectContaining({ id: recipeId, suitability: "filter-match", status: "success" }),
    );
    expect(run!.actions).toMatchObject({ BranchedAddonStudyAction: "success" });

    expect(await installed(STUDY_ADDON)).toEqual({ version: "1.0", isActive: true });
    expect(await addonStudies()).toEqual([
      expect.objectContaining({
        recipeId,
        slug: SLUG,
        branch: "treatment",
        active: true,
        addonId: STUDY_ADDON,
        addonVersion: "1.0",
        pendingChange: null,
      }),
    ]);
    const enrolls = await normandyEvents("addon_study", "enroll");
    expect(enrolls.map(([, ...rest]) => rest)).toEqual([
      [
        "normandy",
        "enroll",
        "addon_study",
        SLUG,
        {
          addonId: STUDY_ADDON,
          addonVersion: "1.0",
          branch: "treatment",
          enrollmentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      ],
    ]);
    const glean = await inChrome<{ extra: Record<string, string> }[] | null>(
      `return Glean.normandy.enrollAddonStudy.testGetValue();`,
    );
    // ESR 153's compiled metric has no enrollmentId; the runtime recipe_client_events one has (enrollmentIds.test.ts).
    expect(glean?.map(({ extra }) => extra)).toEqual([
      { value: SLUG, addonId: STUDY_ADDON, addonVersion: "1.0", branch: "treatment" },
    ]);
    const annotation = await inChrome<{ branch: string; extra: Record<string, string> } | null>(
      `return Services.fog.testGetExperimentData(args[0]);`,
      SLUG,
    );
    expect(annotation).toMatchObject({ branch: "treatment", extra: { type: "normandy-addonstudy" } });
  });

  it("filters see the study: normandy.studies.addon[slug]", async () => {
    const { explanation, ...evaluation } = await running.addon.firefox.evalInExtensionPage<{ explanation?: unknown }>(
      ADDON_ID,
      CONSOLE_PAGE,
      `return browser.runtime.sendMessage({ type: "evaluate-filter", expression: args[0] });`,
      `normandy.studies.addon["${SLUG}"].addonVersion`,
    );
    expect(evaluation).toEqual({ ok: true, value: "1.0", matches: true });
    expect(explanation).toMatchObject({ result: { value: '"1.0"', truthy: true } });
  });

  it("the study add-on reads its own study over extension messaging (getStudy)", async () => {
    const study = await fromStudyAddon<AddonStudy>(
      STUDY_ADDON,
      `return browser.runtime.sendMessage(args[0], { type: "getStudy" });`,
    );
    expect(study).toMatchObject({
      recipeId,
      slug: SLUG,
      branch: "treatment",
      active: true,
      addonId: STUDY_ADDON,
      addonVersion: "1.0",
    });
    const refused = await fromStudyAddon<string>(
      STUDY_ADDON,
      `return browser.runtime.sendMessage(args[0], { type: "endStudy" }).then(() => "ended", (error) => error.message);`,
    );
    expect(refused).toMatch(/needs a reason/);
  });

  it("a newer version on the server updates the add-on in place", async () => {
    const v2 = await upload("study-2.0");
    running.server.store.update(recipeId, studyRecipe(SLUG, v2.id));
    await running.server.publish();

    const run = await running.addon.runNow();

    expect(run.recipes).toContainEqual(expect.objectContaining({ id: recipeId, status: "success" }));
    expect(await installed(STUDY_ADDON)).toEqual({ version: "2.0", isActive: true });
    expect((await addonStudies())[0]).toMatchObject({
      active: true,
      addonVersion: "2.0",
      extensionApiId: v2.id,
      extensionHash: v2.hash,
    });
    const updates = await normandyEvents("addon_study", "update");
    expect(updates.map(([, , , , value, extra]) => [value, extra])).toEqual([
      [SLUG, expect.objectContaining({ addonId: STUDY_ADDON, addonVersion: "2.0", branch: "treatment" })],
    ]);
  });

  it("a package whose hash differs from the metadata installs nothing: enrollFailed download-failure ERROR_INCORRECT_HASH", async () => {
    const corrupt = await upload("corrupt-1.0");
    running.server.faults.set({ kind: "corrupt-xpi", extensionId: corrupt.id });
    const corruptRecipe = running.server.store.create(studyRecipe("corrupt-addon-study-e2e", corrupt.id), true);
    await running.server.publish();

    const run = await running.addon.runNow();

    expect(run.recipes).toContainEqual(expect.objectContaining({ id: corruptRecipe.id, status: "apply_error" }));
    expect(await installed(CORRUPT_ADDON)).toBeNull();
    expect((await addonStudies()).map((study) => study.recipeId)).toEqual([recipeId]);
    const failures = await normandyEvents("addon_study", "enrollFailed");
    expect(failures.map(([, , , , value, extra]) => [value, extra])).toEqual([
      ["corrupt-addon-study-e2e", { reason: "download-failure", detail: "ERROR_INCORRECT_HASH", branch: "treatment" }],
    ]);
    running.server.faults.clear();
    running.server.store.setEnabled(corruptRecipe.id, false);
    await running.server.publish();
  });

  it("the addons API enforces its download limits and cancels a paused install without a trace", async () => {
    const details = (await (await fetch(`${running.server.url}/api/v1/extension/1/`)).json()) as ServedExtensionDetails;
    running.server.faults.set({ kind: "stall-xpi", extensionId: details.id });
    const results = await running.addon.firefox.evalInExtensionPage<unknown[]>(
      ADDON_ID,
      CONSOLE_PAGE,
      `const { addons } = browser.experiments;
       const hash = "sha256:" + args[0].hash;
       const tooLarge = await addons.prepareInstall(args[0].xpi, hash, { maxBytes: 100, timeoutMs: 30000 });
       const tooSlow = await addons.prepareInstall(args[0].xpi, hash, { maxBytes: 10000000, timeoutMs: 1000 });
       return [tooLarge, tooSlow].map(({ status, error }) => ({ status, error }));`,
      details as unknown as JsonValue,
    );
    expect(results).toEqual([
      { status: "failed", error: "ERROR_SIZE_LIMIT" },
      { status: "failed", error: "ERROR_TIMEOUT" },
    ]);
    running.server.faults.clear();

    // The study add-on is installed at 2.0; download 1.0, see what it would replace, then cancel.
    const paused = await running.addon.firefox.evalInExtensionPage<{
      status: string;
      addon: unknown;
      existingAddon: unknown;
      after: unknown;
    }>(
      ADDON_ID,
      CONSOLE_PAGE,
      `const { addons } = browser.experiments;
       const prepared = await addons.prepareInstall(args[0].xpi, "sha256:" + args[0].hash, { maxBytes: 10000000, timeoutMs: 30000 });
       await addons.cancelInstall(prepared.installId);
       const cancelledAgain = await addons.cancelInstall(prepared.installId).then(() => "cancelled", (error) => error.message);
       return { status: prepared.status, addon: prepared.addon, existingAddon: prepared.existingAddon, after: cancelledAgain };`,
      details as unknown as JsonValue,
    );
    expect(paused).toEqual({
      status: "downloaded",
      addon: { id: STUDY_ADDON, version: "1.0", name: `Test add-on ${STUDY_ADDON}` },
      existingAddon: { id: STUDY_ADDON, version: "2.0" },
      after: expect.stringContaining("no paused install"),
    });
    expect(await installed(STUDY_ADDON)).toEqual({ version: "2.0", isActive: true });
  });

  it("Firefox SIGKILLed while a study add-on downloads: after a restart no study lacks its add-on, no add-on lacks its study", async () => {
    const runsBefore = (await running.addon.state()).runs.length;
    const second = await upload("second-1.0");
    running.server.faults.set({ kind: "stall-xpi", extensionId: second.id });
    const secondRecipe = running.server.store.create(studyRecipe(SECOND_SLUG, second.id), true);
    await running.server.publish();
    // Start a run without waiting for it: it hangs in the download.
    await running.addon.firefox.evalInExtensionPage(
      ADDON_ID,
      CONSOLE_PAGE,
      `browser.runtime.sendMessage({ type: "run-now" }); return null;`,
    );
    const pending = await waitForValue(
      "the study record written before the install",
      async () =>
        (await addonStudies()).find(
          (study) => study.recipeId === secondRecipe.id && study.pendingChange?.kind === "install",
        ),
      { timeoutMs: 20_000 },
    );
    expect(pending).toMatchObject({ addonId: SECOND_ADDON, addonVersion: "1.0", active: true });

    await running.addon.firefox.kill();
    running.server.faults.clear();
    running.server.store.setEnabled(secondRecipe.id, false);
    await running.server.publish();
    await running.addon.firefox.restart();

    // The start-up run waits for the studies to be settled, so once it is done they are.
    await running.addon.waitForRuns(runsBefore + 1);
    const studies = await running.addon.studies();
    expect(studies.addonStudies.map((study) => study.recipeId)).toEqual([recipeId]);
    expect(await installed(SECOND_ADDON)).toBeNull();
    for (const study of studies.addonStudies.filter((candidate) => candidate.active)) {
      expect(await installed(study.addonId!)).toMatchObject({ version: study.addonVersion, isActive: true });
    }
    const warnings = (await running.addon.consoleMessages()).map((message) => message.args.join(" "));
    expect(warnings).toContainEqual(
      expect.stringContaining(`The enrollment in ${SECOND_SLUG} was interrupted before its add-on was installed`),
    );

    // The next time the recipe is published, the client enrolls as if nothing had happened.
    running.server.store.setEnabled(secondRecipe.id, true);
    await running.server.publish();
    await running.addon.runNow();
    expect(await installed(SECOND_ADDON)).toEqual({ version: "1.0", isActive: true });
    expect((await addonStudies()).find((study) => study.recipeId === secondRecipe.id)).toMatchObject({
      active: true,
      pendingChange: null,
    });
  });

  it("a study add-on ends its own study (endStudy): it is told, then removed; the study ends with its reason", async () => {
    // No answer comes back: the add-on is gone before it could read one.
    await fromStudyAddon(
      SECOND_ADDON,
      `browser.runtime.sendMessage(args[0], { type: "endStudy", reason: "study-complete" }); return null;`,
    );

    await waitForValue("the add-on to be removed", async () => (await installed(SECOND_ADDON)) === null, {
      timeoutMs: 20_000,
    });
    const study = await waitForValue(
      "the study to end",
      async () => (await addonStudies()).find((candidate) => candidate.slug === SECOND_SLUG && !candidate.active),
      {
        timeoutMs: 20_000,
      },
    );
    expect(study).toMatchObject({ studyEndDate: expect.any(String), pendingChange: null });
    const unenrolls = await normandyEvents("addon_study", "unenroll");
    expect(unenrolls.map(([, , , , value, extra]) => [value, extra])).toEqual([
      [
        SECOND_SLUG,
        expect.objectContaining({
          addonId: SECOND_ADDON,
          addonVersion: "1.0",
          reason: "study-complete",
          branch: "treatment",
        }),
      ],
    ]);
    const messages = (await running.addon.consoleMessages()).map((message) => message.args.join(" "));
    expect(messages).toContainEqual(
      expect.stringContaining(`${SECOND_ADDON} was told its study ${SECOND_SLUG} ends (study-complete): answered`),
    );
  });

  it("disabling the recipe unenrolls: the add-on is told, uninstalled, and the events name add-on, version and branch", async () => {
    running.server.store.setEnabled(recipeId, false);
    await running.server.publish();

    const run = await running.addon.runNow();

    expect(run).toMatchObject({
      runnerStatus: "success",
      actions: expect.objectContaining({ BranchedAddonStudyAction: "success" }),
    });
    expect(await installed(STUDY_ADDON)).toBeNull();
    expect((await addonStudies()).find((study) => study.recipeId === recipeId)).toMatchObject({
      active: false,
      pendingChange: null,
    });
    const unenrolls = await normandyEvents("addon_study", "unenroll");
    expect(unenrolls.map(([, , , , value, extra]) => [value, extra])).toContainEqual([
      SLUG,
      expect.objectContaining({
        addonId: STUDY_ADDON,
        addonVersion: "2.0",
        reason: "recipe-not-seen",
        branch: "treatment",
      }),
    ]);
    const glean = await inChrome<{ extra: Record<string, string> }[] | null>(
      `return Glean.normandy.unenrollAddonStudy.testGetValue();`,
    );
    expect(glean?.map(({ extra }) => extra)).toContainEqual(
      expect.objectContaining({
        value: SLUG,
        addonId: STUDY_ADDON,
        addonVersion: "2.0",
        reason: "recipe-not-seen",
        branch: "treatment",
      }),
    );
    expect(await inChrome(`return Services.fog.testGetExperimentData(args[0]);`, SLUG)).toBeNull();
    const messages = (await running.addon.consoleMessages()).map((message) => message.args.join(" "));
    expect(messages).toContainEqual(
      expect.stringContaining(`${STUDY_ADDON} was told its study ${SLUG} ends (recipe-not-seen): answered`),
    );
  });
});
