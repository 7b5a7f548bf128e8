/**
 * Add-on studies, rule by rule (reference §2.4 and Normandy's browser_actions_BranchedAddonStudyAction.js,
 * browser_AddonStudies.js, test_addon_unenroll.js): the action and AddonStudies against an in-memory
 * AddonManager, server and telemetry. Every enrollFailed / updateFailed / unenroll reason has a test.
 */
import { describe, expect, it } from "vitest";
import { BranchedAddonStudyAction } from "../../src/actions/BranchedAddonStudyAction.js";
import type { Suitability } from "../../src/core/suitability.js";
import { STUDIES_OPT_OUT_PREF } from "../../src/config/ClientConfig.js";
import { ratioSample, type Recipe } from "../../src/core/index.js";
import { NO_ADDON_MARKER } from "../../src/studies/AddonStudies.js";
import { StudiesOptOut } from "../../src/studies/StudiesOptOut.js";
import { TEMPORARY_ERROR_GRACE_MS } from "../../src/studies/temporaryErrors.js";
import { addonClient, DAY_MS, sha256, until, USER_ID } from "./addonStudyHarness.js";

const SLUG = "addon-study";
const ADDON = "study-addon@example.test";

type Client = Awaited<ReturnType<typeof addonClient>>;

function studyRecipe(args: Record<string, unknown> = {}, id = 1): Recipe {
  return {
    id,
    name: `recipe ${id}`,
    revision_id: "1",
    action: "branched-addon-study",
    filter_expression: "true",
    arguments: {
      slug: SLUG,
      userFacingName: "Add-on study",
      userFacingDescription: "Installs a study add-on",
      isEnrollmentPaused: false,
      branches: [{ slug: "treatment", ratio: 1, extensionApiId: 1 }],
      ...args,
    },
  };
}

function action(client: Client, userId = USER_ID) {
  return new BranchedAddonStudyAction({
    prefs: client.prefs,
    studies: client.studies,
    store: client.studyStore,
    userId: async () => userId,
    warn: (message) => client.warnings.push(message),
    now: () => client.clock.now,
  });
}

/** A client enrolled in the one-branch study with version 1.0 of its add-on. */
async function enrolled() {
  const client = await addonClient();
  client.publish(1, ADDON, "1.0");
  const run = (recipes: [Recipe, Suitability][], noRecipes?: boolean) => client.run(action(client), recipes, noRecipes);
  await run([[studyRecipe(), "filter-match"]]);
  client.telemetry.events.length = 0;
  return { client, run };
}

const events = (client: Client) =>
  client.telemetry.events.map(({ method, object, value, extra }) => [method, object, value, extra]);

describe("enrolling", () => {
  it("picks the branch ratioSample(`<userId>-<slug>-addon-branch`) picks, for every user", async () => {
    const seen = new Set<string>();
    for (let index = 0; index < 12; index++) {
      const userId = `user-${index}`;
      const client = await addonClient();
      client.publish(1, "a@example.test", "1.0");
      client.publish(2, "b@example.test", "1.0");
      const branches = [
        { slug: "a", ratio: 1, extensionApiId: 1 },
        { slug: "b", ratio: 1, extensionApiId: 2 },
      ];
      await client.run(action(client, userId), [[studyRecipe({ branches }), "filter-match"]]);
      const expected = ["a", "b"][await ratioSample(`${userId}-${SLUG}-addon-branch`, [1, 1])]!;
      expect((await client.studyStore.get(1))!.branch).toBe(expected);
      expect([...client.addons.installed.keys()]).toEqual([`${expected}@example.test`]);
      seen.add(expected);
    }
    expect(seen).toEqual(new Set(["a", "b"]));
  });

  it("installs the branch's add-on with its hash pinned, records the study, reports the enrollment", async () => {
    const client = await addonClient();
    const details = client.publish(1, ADDON, "1.0");

    const { outcomes, actionStatus } = await client.run(action(client), [[studyRecipe(), "filter-match"]]);

    expect(outcomes).toEqual([{ status: "success", suitability: "filter-match" }]);
    expect(actionStatus).toBe("success");
    expect(client.addons.installed.get(ADDON)).toMatchObject({ version: "1.0" });
    expect(await client.studyStore.getAll()).toEqual([
      {
        recipeId: 1,
        slug: SLUG,
        userFacingName: "Add-on study",
        userFacingDescription: "Installs a study add-on",
        branch: "treatment",
        active: true,
        addonId: ADDON,
        addonUrl: details.xpi,
        addonVersion: "1.0",
        extensionApiId: 1,
        extensionHash: details.hash,
        extensionHashAlgorithm: "sha256",
        studyStartDate: "2026-03-01T12:00:00.000Z",
        studyEndDate: null,
        temporaryErrorDeadline: null,
        enrollmentId: "enrollment-id",
        pendingChange: null,
      },
    ]);
    expect(events(client)).toEqual([
      [
        "enroll",
        "addon_study",
        SLUG,
        { addonId: ADDON, addonVersion: "1.0", branch: "treatment", enrollmentId: "enrollment-id" },
      ],
    ]);
    expect(client.telemetry.active.get(SLUG)).toEqual({
      branch: "treatment",
      type: "normandy-addonstudy",
      enrollmentId: "enrollment-id",
    });
  });

  it("writes the study record before the install completes (pending until it has)", async () => {
    const client = await addonClient();
    client.publish(1, ADDON, "1.0");
    client.addons.hangAt = "install";
    void client.run(action(client), [[studyRecipe(), "filter-match"]]);
    await until(() => client.addons.calls.length === 2);
    expect(client.addons.calls).toEqual([`prepare http://server.test/extensions/1.xpi`, `complete ${ADDON} 1.0`]);
    expect(await client.studyStore.get(1)).toMatchObject({
      active: true,
      addonVersion: "1.0",
      pendingChange: { kind: "install", previous: null },
    });
  });

  it("a branch without an add-on (extensionApiId null) enrolls without installing anything: __NO_ADDON__", async () => {
    const client = await addonClient();
    await client.run(action(client), [
      [studyRecipe({ branches: [{ slug: "control", ratio: 1, extensionApiId: null }] }), "filter-match"],
    ]);
    expect(client.addons.calls).toEqual([]);
    expect(await client.studyStore.get(1)).toMatchObject({
      branch: "control",
      active: true,
      addonId: null,
      addonVersion: null,
      extensionApiId: null,
    });
    expect(events(client)).toEqual([
      [
        "enroll",
        "addon_study",
        SLUG,
        { addonId: NO_ADDON_MARKER, addonVersion: NO_ADDON_MARKER, branch: "control", enrollmentId: "enrollment-id" },
      ],
    ]);
  });

  it("does not enroll while enrollment is paused", async () => {
    const client = await addonClient();
    client.publish(1, ADDON, "1.0");
    await client.run(action(client), [[studyRecipe({ isEnrollmentPaused: true }), "filter-match"]]);
    expect(await client.studyStore.getAll()).toEqual([]);
    expect(client.addons.calls).toEqual([]);
  });

  it("never enrolls again for a recipe whose study ended", async () => {
    const { client, run } = await enrolled();
    await run([[studyRecipe(), "filter-mismatch"]]);
    await run([[studyRecipe(), "filter-match"]]);
    expect(client.telemetry.eventsOf("enroll")).toEqual([]);
    expect(client.addons.installed.has(ADDON)).toBe(false);
  });
});

describe("enrollment failures: enrollFailed with Normandy's reason, nothing installed, nothing recorded", () => {
  async function failedEnrollment(prepare: (client: Client) => void) {
    const client = await addonClient();
    client.publish(1, ADDON, "1.0");
    prepare(client);
    const { outcomes } = await client.run(action(client), [[studyRecipe(), "filter-match"]]);
    expect(outcomes[0]!.status).toBe("apply_error");
    expect(await client.studyStore.getAll()).toEqual([]);
    expect(client.addons.pausedCount()).toBe(0);
    expect(client.telemetry.active.has(SLUG)).toBe(false);
    return { client, failed: client.telemetry.eventsOf("enrollFailed").map(({ value, extra }) => [value, extra]) };
  }

  it("download-failure with the AddonManager error as detail: a package whose hash differs from the metadata", async () => {
    const { client, failed } = await failedEnrollment((client) => {
      client.server.get(1)!.hash = sha256("something else");
    });
    expect(failed).toEqual([
      [SLUG, { reason: "download-failure", detail: "ERROR_INCORRECT_HASH", branch: "treatment" }],
    ]);
    expect(client.addons.installed.size).toBe(0);
  });

  it("download-failure: the network, or a package larger than the server says", async () => {
    const network = await failedEnrollment((client) =>
      client.addons.downloadErrors.set(client.server.get(1)!.xpi, "ERROR_NETWORK_FAILURE"),
    );
    expect(network.failed).toEqual([
      [SLUG, { reason: "download-failure", detail: "ERROR_NETWORK_FAILURE", branch: "treatment" }],
    ]);
    const tooLarge = await failedEnrollment((client) => {
      client.server.get(1)!.size = 10;
    });
    expect(tooLarge.failed).toEqual([
      [SLUG, { reason: "download-failure", detail: "ERROR_SIZE_LIMIT", branch: "treatment" }],
    ]);
  });

  it("download-failure: the server has no metadata for the branch's extension", async () => {
    const { client, failed } = await failedEnrollment((client) => client.server.delete(1));
    expect(failed).toEqual([
      [SLUG, { reason: "download-failure", detail: "metadata-unavailable", branch: "treatment" }],
    ]);
    expect(client.addons.calls).toEqual([]);
  });

  it("metadata-mismatch: the package is not the add-on or version the server describes; the paused install is cancelled", async () => {
    const { client, failed } = await failedEnrollment((client) => {
      client.publish(1, ADDON, "1.0");
      client.server.get(1)!.version = "1.1";
    });
    expect(failed).toEqual([[SLUG, { reason: "metadata-mismatch", branch: "treatment" }]]);
    expect(client.addons.calls).toContain(`cancel ${ADDON}`);
    expect(client.addons.installed.size).toBe(0);
  });

  it("conflicting-addon-id: an add-on with that id is already installed; it is left alone", async () => {
    const { client, failed } = await failedEnrollment((client) => client.addons.installDirectly(ADDON, "0.5"));
    expect(failed).toEqual([[SLUG, { reason: "conflicting-addon-id", branch: "treatment" }]]);
    expect(client.addons.installed.get(ADDON)?.version).toBe("0.5");
    expect(client.addons.calls).toEqual([]);
  });

  it("install-failure with the AddonManager error as detail", async () => {
    const { failed } = await failedEnrollment((client) => client.addons.installErrors.set(ADDON, "ERROR_CORRUPT_FILE"));
    expect(failed).toEqual([[SLUG, { reason: "install-failure", detail: "ERROR_CORRUPT_FILE", branch: "treatment" }]]);
  });
});

describe("updating an enrolled study", () => {
  it("installs a newer version of the branch's package and reports the update; the study stays in its branch", async () => {
    const { client, run } = await enrolled();
    const details = client.publish(1, ADDON, "2.0");

    const { outcomes } = await run([[studyRecipe(), "filter-match"]]);

    expect(outcomes[0]!.status).toBe("success");
    expect(client.addons.installed.get(ADDON)?.version).toBe("2.0");
    expect(await client.studyStore.get(1)).toMatchObject({
      addonVersion: "2.0",
      addonUrl: details.xpi,
      extensionHash: details.hash,
      pendingChange: null,
    });
    expect(events(client)).toEqual([
      [
        "update",
        "addon_study",
        SLUG,
        { addonId: ADDON, addonVersion: "2.0", branch: "treatment", enrollmentId: "enrollment-id" },
      ],
    ]);
  });

  it("leaves the same version alone (nothing downloaded)", async () => {
    const { client, run } = await enrolled();
    client.addons.calls.length = 0;
    await run([[studyRecipe(), "filter-match"]]);
    expect(client.addons.calls).toEqual([]);
    expect(client.telemetry.events).toEqual([]);
  });

  it("still updates while enrollment is paused", async () => {
    const { client, run } = await enrolled();
    client.publish(1, ADDON, "2.0");
    await run([[studyRecipe({ isEnrollmentPaused: true }), "filter-match"]]);
    expect(client.addons.installed.get(ADDON)?.version).toBe("2.0");
  });

  async function failedUpdate(prepare: (client: Client) => void) {
    const { client, run } = await enrolled();
    const before = await client.studyStore.get(1);
    prepare(client);
    const { outcomes } = await run([[studyRecipe(), "filter-match"]]);
    expect(outcomes[0]!.status).toBe("apply_error");
    // The record is back to what it was, the study goes on.
    expect(await client.studyStore.get(1)).toEqual(before);
    return client.telemetry.eventsOf("updateFailed").map(({ value, extra }) => [value, extra]);
  }
  const failure = (reason: string, detail?: string) => [
    SLUG,
    { reason, ...(detail ? { detail } : {}), branch: "treatment", enrollmentId: "enrollment-id" },
  ];

  it("no-downgrade: the package is older than the installed version", async () => {
    expect(await failedUpdate((client) => client.publish(1, ADDON, "0.9"))).toEqual([failure("no-downgrade")]);
  });

  it("addon-id-mismatch: the branch's package is another add-on (checked before the version)", async () => {
    expect(await failedUpdate((client) => client.publish(1, "other@example.test", "1.0"))).toEqual([
      failure("addon-id-mismatch"),
    ]);
  });

  it("addon-id-mismatch: the branch no longer installs an add-on", async () => {
    const { client, run } = await enrolled();
    await run([[studyRecipe({ branches: [{ slug: "treatment", ratio: 1, extensionApiId: null }] }), "filter-match"]]);
    expect(client.telemetry.eventsOf("updateFailed").map(({ value, extra }) => [value, extra])).toEqual([
      failure("addon-id-mismatch"),
    ]);
    expect(client.addons.installed.get(ADDON)?.version).toBe("1.0");
  });

  it("addon-does-not-exist: the add-on vanished without the client hearing of it", async () => {
    expect(
      await failedUpdate((client) => (client.publish(1, ADDON, "2.0"), client.addons.installed.delete(ADDON))),
    ).toEqual([failure("addon-does-not-exist")]);
  });

  it("metadata-mismatch, download-failure and install-failure restore the record", async () => {
    expect(
      await failedUpdate((client) => {
        client.publish(1, ADDON, "2.0");
        client.server.get(1)!.version = "2.1";
      }),
    ).toEqual([failure("metadata-mismatch")]);
    expect(
      await failedUpdate((client) => {
        client.publish(1, ADDON, "2.0");
        client.server.get(1)!.hash = sha256("tampered");
      }),
    ).toEqual([failure("download-failure", "ERROR_INCORRECT_HASH")]);
    expect(
      await failedUpdate((client) => {
        client.publish(1, ADDON, "2.0");
        client.addons.installErrors.set(ADDON, "ERROR_FILE_ACCESS");
      }),
    ).toEqual([failure("install-failure", "ERROR_FILE_ACCESS")]);
  });
});

describe("unenrolling", () => {
  const unenrolls = (client: Client) => client.telemetry.eventsOf("unenroll").map(({ value, extra }) => [value, extra]);
  const unenrollExtra = (reason: string) => ({
    addonId: ADDON,
    addonVersion: "1.0",
    reason,
    branch: "treatment",
    enrollmentId: "enrollment-id",
  });

  it("recipe-not-seen: the study ends, the add-on is told (while still installed) and then uninstalled", async () => {
    const { client, run } = await enrolled();
    const other: Recipe = {
      ...studyRecipe({ slug: "other" }, 2),
      arguments: { ...studyRecipe().arguments, slug: "other", isEnrollmentPaused: true },
    };

    await run([[other, "filter-match"]]);

    expect(unenrolls(client)).toEqual([[SLUG, unenrollExtra("recipe-not-seen")]]);
    expect(client.notices).toEqual([{ addonId: ADDON, reason: "recipe-not-seen", installedThen: true }]);
    expect(client.addons.installed.has(ADDON)).toBe(false);
    expect(await client.studyStore.get(1)).toMatchObject({
      active: false,
      studyEndDate: "2026-03-01T12:00:00.000Z",
      pendingChange: null,
    });
    expect(client.telemetry.active.has(SLUG)).toBe(false);
  });

  it.each([
    ["filter-mismatch", "filter-mismatch"],
    ["capabilities-mismatch", "capability-mismatch"],
    ["arguments-invalid", "arguments-invalid"],
  ] as const)("%s ends the study with reason %s", async (suitability, reason) => {
    const { client, run } = await enrolled();
    const recipe =
      suitability === "arguments-invalid" ? { ...studyRecipe(), arguments: { slug: SLUG } } : studyRecipe();
    await run([[recipe, suitability]]);
    expect(unenrolls(client)).toEqual([[SLUG, unenrollExtra(reason)]]);
    expect(client.addons.installed.has(ADDON)).toBe(false);
  });

  it("branch-removed: the study's branch is gone from the recipe", async () => {
    const { client, run } = await enrolled();
    client.publish(2, "new@example.test", "1.0");
    await run([[studyRecipe({ branches: [{ slug: "new-branch", ratio: 1, extensionApiId: 2 }] }), "filter-match"]]);
    expect(unenrolls(client)).toEqual([[SLUG, unenrollExtra("branch-removed")]]);
    expect([...client.addons.installed.keys()]).toEqual([]);
  });

  it("a study without an add-on ends with __NO_ADDON__ and uninstalls nothing", async () => {
    const client = await addonClient();
    const control = studyRecipe({ branches: [{ slug: "control", ratio: 1, extensionApiId: null }] });
    await client.run(action(client), [[control, "filter-match"]]);
    await client.run(action(client), [[control, "filter-mismatch"]]);
    expect(unenrolls(client)).toEqual([
      [
        SLUG,
        {
          addonId: NO_ADDON_MARKER,
          addonVersion: NO_ADDON_MARKER,
          reason: "filter-mismatch",
          branch: "control",
          enrollmentId: "enrollment-id",
        },
      ],
    ]);
    expect(client.addons.calls).toEqual([]);
  });

  it.each(["signature-error", "filter-error"] as const)(
    "%s is temporary: 7 days from the first, then the study ends with it",
    async (suitability) => {
      const { client, run } = await enrolled();
      await run([[studyRecipe(), suitability]]);
      expect((await client.studyStore.get(1))!.temporaryErrorDeadline).toBe(
        new Date(client.clock.now.getTime() + TEMPORARY_ERROR_GRACE_MS).toJSON(),
      );
      client.advance(6 * DAY_MS);
      await run([[studyRecipe(), suitability]]);
      expect((await client.studyStore.get(1))!.active).toBe(true);
      client.advance(2 * DAY_MS);
      await run([[studyRecipe(), suitability]]);
      expect(unenrolls(client)).toEqual([[SLUG, unenrollExtra(suitability)]]);
    },
  );

  it("a match clears the deadline; an unreadable deadline starts a new one", async () => {
    const { client, run } = await enrolled();
    await run([[studyRecipe(), "signature-error"]]);
    await run([[studyRecipe(), "filter-match"]]);
    expect((await client.studyStore.get(1))!.temporaryErrorDeadline).toBeNull();
    await client.studyStore.update(1, (study) => {
      study.temporaryErrorDeadline = "not a date";
    });
    client.advance(30 * DAY_MS);
    await run([[studyRecipe(), "filter-error"]]);
    expect((await client.studyStore.get(1))!).toMatchObject({
      active: true,
      temporaryErrorDeadline: new Date(client.clock.now.getTime() + TEMPORARY_ERROR_GRACE_MS).toJSON(),
    });
  });

  it("no recipes at all is temporary too (no-recipes), never recipe-not-seen", async () => {
    const { client, run } = await enrolled();
    await run([], true);
    expect((await client.studyStore.get(1))!.active).toBe(true);
    client.advance(8 * DAY_MS);
    await run([], true);
    expect(unenrolls(client)).toEqual([[SLUG, unenrollExtra("no-recipes")]]);
  });

  it("uninstalled: the user removes the study add-on; the study ends without notice or uninstall", async () => {
    const { client } = await enrolled();
    client.addons.calls.length = 0;
    client.addons.uninstallByUser(ADDON);
    await client.addons.settled();
    expect(unenrolls(client)).toEqual([[SLUG, unenrollExtra("uninstalled")]]);
    expect(client.notices).toEqual([]);
    expect(client.addons.calls).toEqual([]);
  });

  it("uninstalled-sideload: the add-on went missing while the client was not running", async () => {
    const { client } = await enrolled();
    client.addons.installed.delete(ADDON);
    await client.restart();
    expect(unenrolls(client)).toEqual([[SLUG, unenrollExtra("uninstalled-sideload")]]);
    expect((await client.studyStore.get(1))!.active).toBe(false);
  });

  it("at start-up, studies whose add-on is there (and those without one) are annotated again, not ended", async () => {
    const { client } = await enrolled();
    client.telemetry.active.clear();
    await client.restart();
    expect(client.telemetry.events).toEqual([]);
    expect(client.telemetry.active.get(SLUG)).toMatchObject({ branch: "treatment", type: "normandy-addonstudy" });
  });

  it("individual or general opt-out: the studies opt-out ends every active study; a disabled action ends nothing", async () => {
    const { client, run } = await enrolled();
    await new StudiesOptOut(
      client.prefs,
      (reason) => client.studies.stopAll(reason),
      () => undefined,
    ).start();
    await client.prefs.setPref(STUDIES_OPT_OUT_PREF, false, "user");
    await client.prefs.settled();
    await client.addons.settled();
    expect(unenrolls(client)).toEqual([[SLUG, unenrollExtra("general-opt-out")]]);
    expect(client.addons.installed.size).toBe(0);

    // While studies are off, the action is disabled: recipes are not processed and nothing is finalized.
    client.publish(2, "b@example.test", "1.0");
    const { outcomes } = await run([
      [studyRecipe({ slug: "b", branches: [{ slug: "b", ratio: 1, extensionApiId: 2 }] }, 2), "filter-match"],
    ]);
    expect(outcomes[0]!.status).toBe("custom_1_error");
    expect(await client.studyStore.get(2)).toBeUndefined();
  });

  it("stop refuses a study that does not exist or already ended (Normandy's unenroll errors)", async () => {
    const { client, run } = await enrolled();
    await expect(client.studies.stop(9, "unknown")).rejects.toThrow(/No add-on study/);
    await run([[studyRecipe(), "filter-mismatch"]]);
    await expect(client.studies.stop(1, "unknown")).rejects.toThrow(/already ended/);
  });
});

describe("crash safety: Firefox killed at any step, then restarted", () => {
  it("during the download: the enrollment did not happen; no study, no add-on; the next run enrolls", async () => {
    const client = await addonClient();
    client.publish(1, ADDON, "1.0");
    client.addons.hangAt = "download";
    void client.run(action(client), [[studyRecipe(), "filter-match"]]);
    await until(() => client.addons.calls.length === 1);
    expect((await client.studyStore.get(1))!.pendingChange).toEqual({ kind: "install", previous: null });

    await client.restart();

    expect(await client.studyStore.getAll()).toEqual([]);
    expect(client.addons.installed.size).toBe(0);
    expect(client.telemetry.events).toEqual([]);
    await client.run(action(client), [[studyRecipe(), "filter-match"]]);
    expect(client.addons.installed.get(ADDON)?.version).toBe("1.0");
    expect(client.telemetry.eventsOf("enroll")).toHaveLength(1);
  });

  it("after Firefox installed the add-on but before the study was marked done: the enrollment happened and is reported", async () => {
    const client = await addonClient();
    client.publish(1, ADDON, "1.0");
    client.addons.hangAt = "after-install";
    void client.run(action(client), [[studyRecipe(), "filter-match"]]);
    await until(() => client.addons.installed.has(ADDON));

    await client.restart();

    expect(await client.studyStore.get(1)).toMatchObject({ active: true, addonVersion: "1.0", pendingChange: null });
    expect(events(client)).toEqual([
      [
        "enroll",
        "addon_study",
        SLUG,
        { addonId: ADDON, addonVersion: "1.0", branch: "treatment", enrollmentId: "enrollment-id" },
      ],
    ]);
    expect(client.telemetry.active.get(SLUG)).toMatchObject({ branch: "treatment" });
  });

  it("during an update: the record goes back to the installed version and the next run updates again", async () => {
    const { client, run } = await enrolled();
    client.publish(1, ADDON, "2.0");
    client.addons.hangAt = "install";
    void run([[studyRecipe(), "filter-match"]]);
    await until(() => client.addons.calls.includes(`complete ${ADDON} 2.0`));
    expect((await client.studyStore.get(1))!.addonVersion).toBe("2.0");

    await client.restart();

    expect(await client.studyStore.get(1)).toMatchObject({ active: true, addonVersion: "1.0", pendingChange: null });
    await client.run(action(client), [[studyRecipe(), "filter-match"]]);
    expect(client.addons.installed.get(ADDON)?.version).toBe("2.0");
    expect(client.telemetry.eventsOf("update")).toHaveLength(1);
  });

  it("after an update installed: the study keeps the new version and the update is reported", async () => {
    const { client, run } = await enrolled();
    client.publish(1, ADDON, "2.0");
    client.addons.hangAt = "after-install";
    void run([[studyRecipe(), "filter-match"]]);
    await until(async () => client.addons.installed.get(ADDON)?.version === "2.0");
    await client.restart();
    expect(await client.studyStore.get(1)).toMatchObject({ addonVersion: "2.0", pendingChange: null });
    expect(client.telemetry.eventsOf("update").map(({ extra }) => extra.addonVersion)).toEqual(["2.0"]);
  });

  it("while the ended study's add-on was being told or removed: the next start uninstalls it", async () => {
    const { client, run } = await enrolled();
    client.noticeControl.hang = true;
    void run([[studyRecipe(), "filter-mismatch"]]);
    await until(() => client.notices.length === 1);
    expect(await client.studyStore.get(1)).toMatchObject({ active: false, pendingChange: { kind: "uninstall" } });
    expect(client.addons.installed.has(ADDON)).toBe(true);

    await client.restart();

    expect(client.addons.installed.has(ADDON)).toBe(false);
    expect(await client.studyStore.get(1)).toMatchObject({ active: false, pendingChange: null });
    expect(client.telemetry.eventsOf("unenroll")).toHaveLength(1);
  });
});

describe("study add-ons talk to the recipe client", () => {
  it("getStudy gives an add-on its own study; endStudy ends it with the add-on's reason and uninstalls it", async () => {
    const { client } = await enrolled();
    expect(await client.studies.studyForAddon(ADDON)).toMatchObject({
      recipeId: 1,
      slug: SLUG,
      branch: "treatment",
      active: true,
      addonVersion: "1.0",
    });
    expect(await client.studies.studyForAddon("someone-else@example.test")).toBeNull();

    await client.studies.endStudyOfAddon(ADDON, "study-complete");
    await client.addons.settled();

    expect(client.telemetry.eventsOf("unenroll").map(({ extra }) => extra.reason)).toEqual(["study-complete"]);
    expect(client.notices).toEqual([{ addonId: ADDON, reason: "study-complete", installedThen: true }]);
    expect(client.addons.installed.has(ADDON)).toBe(false);
    // Its ended study is still what it gets, e.g. while handling the unenroll notice.
    expect(await client.studies.studyForAddon(ADDON)).toMatchObject({
      active: false,
      studyEndDate: expect.any(String),
    });
    await expect(client.studies.endStudyOfAddon(ADDON, "again")).rejects.toThrow(/no active study/);
  });
});
