/**
 * "Run here" in a real Firefox: from the QA console, a published study whose filter does not match this client is
 * run in a branch QA chose; that branch's prefs are set, the enrollment is marked forced (studies page, event log,
 * intake), a normal run leaves it alone, and the undo puts every pref back as before. A draft runs only once the
 * server signed it into its preview collection, and a tampered preview is refused like any recipe.
 * Screenshots go to test-results/screenshots/.
 */
import { describe, expect, it } from "vitest";
import type { JsonValue } from "./harness/index.js";
import { waitForValue } from "./harness/waitForValue.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";
import { buildTestAddon, installedAddon, uploadXpi } from "./support/testAddons.js";

const SCREENSHOTS = "test-results/screenshots";
const SLUG = "run-here-study";
/** A default-branch pref Firefox has a built-in default for, a user-branch pref the user had set, and a new one. */
const DEFAULT_PREF = "browser.urlbar.maxRichResults";
const USER_PREF = "test.runhere.user";
const NEW_PREF = "test.runhere.new";
const USER_BEFORE = "the user's own value";
const DRAFT_PREF = "test.runhere.draft";
const ROLLOUT_PREF = "test.runhere.rollout";
const CONTROL_ADDON = "run-here-control@recipe-client.test";
const TREATMENT_ADDON = "run-here-treatment@recipe-client.test";

function branch(slug: string, results: number) {
  return {
    slug,
    ratio: 1,
    preferences: {
      [DEFAULT_PREF]: { preferenceType: "integer", preferenceBranchType: "default", preferenceValue: results },
      [USER_PREF]: { preferenceType: "string", preferenceBranchType: "user", preferenceValue: `${slug} value` },
      [NEW_PREF]: { preferenceType: "boolean", preferenceBranchType: "default", preferenceValue: slug === "treatment" },
    },
  };
}

describe("run here from the QA console", () => {
  const running = useServerAndAddon("runHere", {
    prefs: { "datareporting.healthreport.uploadEnabled": true },
    profilePrefs: { [USER_PREF]: USER_BEFORE },
    prepareServer: async (server) => {
      server.store.create(
        {
          name: "Run-here study",
          action: "multi-preference-experiment",
          arguments: {
            slug: SLUG,
            userFacingName: "Run-here study",
            userFacingDescription: "Three branches QA tries on one client.",
            isEnrollmentPaused: false,
            branches: [branch("control", 10), branch("treatment", 3), branch("third", 5)],
          },
          // Never true on this client: only a forced run can enroll it.
          filter_expression: 'normandy.channel == "no-such-channel"',
          capabilities: [],
        },
        true,
      );
      await server.publish();
    },
    waitForFirstRun: true,
  });
  const firefox = () => running.addon.firefox;
  const inPage = <T>(body: string, ...args: JsonValue[]) => firefox().evalInContent<T>(body, ...args);
  const untilInPage = <T>(what: string, probe: string, ...args: JsonValue[]) =>
    waitForValue(what, () => inPage<T | false | null>(`return ${probe};`, ...args), {
      timeoutMs: 15_000,
      intervalMs: 50,
    });
  const prefsNow = () =>
    firefox().evalInChrome<JsonValue[]>(
      `const read = (branch, name, get) => branch.getPrefType(name) === 0 ? null : branch[get](name);
       const defaults = Services.prefs.getDefaultBranch("");
       return [read(defaults, args[0], "getIntPref"), Services.prefs.prefHasUserValue(args[0]),
               read(Services.prefs, args[1], "getStringPref"), read(defaults, args[2], "getBoolPref"),
               Services.prefs.prefHasUserValue(args[2])];`,
      DEFAULT_PREF,
      USER_PREF,
      NEW_PREF,
    );
  const openConsole = async () => firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/console.html"));
  /** Loads the recipes into the console's "Run here", picks the one whose label starts with `label`. */
  const pickRecipe = async (label: string) => {
    await inPage(`document.getElementById("run-here-load").click();`);
    await untilInPage("the recipes", `!document.getElementById("run-here-form").hidden`);
    return inPage<boolean>(
      `const select = document.getElementById("run-here-recipe");
       const option = [...select.options].find((option) => option.textContent.startsWith(args[0]));
       if (!option) return false;
       select.value = option.value;
       select.dispatchEvent(new Event("change"));
       return true;`,
      label,
    );
  };
  /** Chooses "In branch `branch`" for the picked recipe and presses Run here. */
  const runInBranch = (branch: string) =>
    inPage(
      `document.querySelector('input[name="run-here-mode"][value="BRANCH_CHOSEN"]').checked = true;
       document.getElementById("run-here-branch").value = args[0];
       document.getElementById("run-here-run").click();`,
      branch,
    );
  const runHereStatus = (startsWith: string) =>
    untilInPage<string>(
      "the run-here status",
      `(() => { const text = document.getElementById("run-here-status").textContent;
                return !text.endsWith("…") && text.startsWith(args[0]) && text; })()`,
      startsWith,
    );

  it("in a chosen branch: sets that branch's prefs, marked forced everywhere, left alone by a normal run, undone with every pref back", async () => {
    const before = await prefsNow();
    expect(before).toEqual([10, false, USER_BEFORE, null, false]);
    const recipeId = running.server.store.list()[0]!.id;

    await openConsole();
    expect(await pickRecipe(`Published · ${recipeId} Run-here study`)).toBe(true);
    expect(
      await inPage<string[]>(`return [...document.getElementById("run-here-branch").options].map((o) => o.value);`),
    ).toEqual(["control", "treatment", "third"]);
    await runInBranch("treatment");
    const status = await runHereStatus("Recipe");
    expect(status).toMatch(
      new RegExp(
        `^Recipe ${recipeId} Run-here study \\(published, revision 1\\) ran here in a chosen branch: success\\. Enrolled in ${SLUG}, branch treatment, forced by QA`,
      ),
    );
    expect(await prefsNow()).toEqual([3, false, "treatment value", true, false]);
    // What changed, pref by pref, and the events recorded.
    expect(
      await inPage<string[][]>(
        `return [...document.querySelectorAll("#run-here-prefs tr")].map((row) => [...row.cells].map((cell) => cell.textContent));`,
      ),
    ).toEqual([
      [DEFAULT_PREF, "10", "3", "10", "3", "changed"],
      [USER_PREF, JSON.stringify(USER_BEFORE), '"treatment value"', "(no value)", "(no value)", "changed"],
      [NEW_PREF, "(no value)", "true", "(no value)", "true", "changed"],
    ]);
    const events = await inPage<string[]>(
      `return [...document.querySelectorAll("#run-here-events tr")].map((row) => row.cells[1].textContent + " " + row.cells[2].textContent);`,
    );
    expect(events).toEqual(expect.arrayContaining(["enroll preference_study", "qa FORCED_ENROLLMENT"]));
    await firefox().screenshot(`${SCREENSHOTS}/console-run-here.png`);

    const { preferenceExperiments } = await running.addon.studies();
    const [study] = preferenceExperiments;
    expect(study).toMatchObject({
      slug: SLUG,
      branch: "treatment",
      expired: false,
      forced: { mode: "BRANCH_CHOSEN", recipeId },
    });

    // A normal run sees the recipe's filter say no, which would end a normal enrollment: this one is left alone.
    const report = await running.addon.runNow();
    expect(report.recipes).toEqual([expect.objectContaining({ id: recipeId, suitability: "filter-mismatch" })]);
    expect((await running.addon.studies()).preferenceExperiments).toEqual([
      expect.objectContaining({ slug: SLUG, expired: false }),
    ]);
    expect(await prefsNow()).toEqual([3, false, "treatment value", true, false]);

    // The event log marks the study's events as forced.
    await openConsole();
    const marked = await untilInPage<string[]>(
      "the marked enroll event",
      `(() => { const rows = [...document.querySelectorAll("#events tr")].filter((row) => row.querySelector(".forced"));
                return rows.length > 0 && rows.map((row) => row.cells[2].textContent); })()`,
    );
    expect(marked).toContain("enroll forced by QA");

    // The studies page says so, and its button is the undo.
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/studies.html"));
    const forcedNote = await untilInPage<string>(
      "the forced note",
      `document.querySelector("#active-studies .study-forced")?.textContent`,
    );
    expect(forcedNote).toMatch(/^Forced by QA in a chosen branch on .* \(recipe \d+\): normal runs leave it alone/);
    expect(await inPage<string>(`return document.querySelector("#active-studies .study button").textContent;`)).toBe(
      "Undo",
    );
    await firefox().screenshot(`${SCREENSHOTS}/studies-forced.png`);
    // ... and so does the toolbar popup.
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/popup.html"));
    expect(
      await untilInPage<string>(
        "the popup's enrollments",
        `[...document.querySelectorAll("li")].map((item) => item.textContent).find((text) => text.includes(args[0]))`,
        SLUG,
      ),
    ).toBe(`Preference study ${SLUG} (treatment), forced by QA in a chosen branch`);

    // The intake marks it too: FORCED_ENROLLMENT carries the enroll event's enrollment id.
    const clientId = await firefox().evalInChrome<string>(
      `return Services.prefs.getStringPref("extensions.recipeclient.client_id");`,
    );
    await expect
      .poll(() => running.server.intake.events(clientId, { method: "qa" }).map((event) => event.extra), {
        timeout: 15_000,
        interval: 200,
      })
      .toEqual([
        { recipe_id: String(recipeId), experiment: SLUG, branch: "treatment", enrollment_id: study!.enrollmentId },
      ]);
    expect(
      running.server.intake.events(clientId, { method: "enroll" }).map((event) => event.extra?.["enrollmentId"]),
    ).toEqual([study!.enrollmentId]);

    // Undo from the console: unenrolled with reason qa-undo, every pref as before the run here.
    await openConsole();
    await pickRecipe(`Published · ${recipeId}`);
    await runInBranch("third");
    expect(await runHereStatus("Not run")).toMatch(/already forced here \(branch treatment\): undo it first/);
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/studies.html"));
    await untilInPage("the undo button", `document.querySelector("#active-studies .study button")`);
    await inPage(`document.querySelector("#active-studies .study button").click();`);
    await untilInPage("no active study", `!document.getElementById("no-active-studies").hidden`);
    expect(await prefsNow()).toEqual(before);
    expect((await running.addon.studies()).preferenceExperiments).toEqual([]);
    await expect
      .poll(
        () => running.server.intake.events(clientId, { method: "unenroll" }).map((event) => event.extra?.["reason"]),
        {
          timeout: 15_000,
          interval: 200,
        },
      )
      .toEqual(["qa-undo"]);

    // Forgotten, so QA can try another branch; this time undone from the console.
    await openConsole();
    await pickRecipe(`Published · ${recipeId}`);
    await runInBranch("third");
    await runHereStatus("Recipe");
    expect(await prefsNow()).toEqual([5, false, "third value", false, false]);
    await inPage(`document.getElementById("run-here-undo").click();`);
    expect(await runHereStatus("Undone")).toBe(
      `Undone: unenrolled from ${SLUG} (reason qa-undo), every pref back as before the run here.`,
    );
    expect(await prefsNow()).toEqual(before);
  });

  it("a draft runs only once the server signed it into its preview collection; a tampered preview is refused", async () => {
    const draft = running.server.store.create({
      name: "Draft study",
      action: "multi-preference-experiment",
      arguments: {
        slug: "draft-study",
        userFacingName: "Draft study",
        userFacingDescription: "Not published: only a preview can run.",
        isEnrollmentPaused: false,
        branches: [
          {
            slug: "only",
            ratio: 1,
            preferences: {
              [DRAFT_PREF]: { preferenceType: "string", preferenceBranchType: "default", preferenceValue: "drafted" },
            },
          },
        ],
      },
      filter_expression: 'normandy.channel == "no-such-channel"',
      capabilities: [],
    });
    const draftPref = () =>
      firefox().evalInChrome<string | null>(
        `return Services.prefs.getPrefType(args[0]) === 0 ? null : Services.prefs.getStringPref(args[0]);`,
        DRAFT_PREF,
      );
    const runDraft = () =>
      inPage<{ ok: boolean; error?: string }>(
        `try {
           await browser.runtime.sendMessage({ type: "run-here",
             request: { source: "preview", recipeId: args[0], mode: "FILTER_BYPASSED" } });
           return { ok: true };
         } catch (error) { return { ok: false, error: error.message }; }`,
        draft.id,
      );

    // Saved but not signed: nothing to run, whatever the page asks.
    await openConsole();
    expect(await pickRecipe(`Preview (signed draft) · ${draft.id}`)).toBe(false);
    expect(await runDraft()).toEqual({
      ok: false,
      error: expect.stringMatching(/not a verified recipe of the server's preview collection/),
    });
    expect(await draftPref()).toBeNull();

    // Signed on request: it runs (filter bypassed), and is undone.
    const signed = await fetch(`${running.server.url}/admin/api/recipes/${draft.id}/preview`, { method: "POST" });
    expect(signed.status).toBe(200);
    await openConsole();
    expect(await pickRecipe(`Preview (signed draft) · ${draft.id} Draft study`)).toBe(true);
    await inPage(
      `document.querySelector('input[name="run-here-mode"][value="FILTER_BYPASSED"]').checked = true;
       document.getElementById("run-here-run").click();`,
    );
    expect(await runHereStatus("Recipe")).toMatch(
      new RegExp(
        `^Recipe ${draft.id} Draft study \\(preview, revision 1\\) ran here with its filter bypassed: success\\. Enrolled in draft-study, branch only`,
      ),
    );
    expect(await draftPref()).toBe("drafted");
    await inPage(`document.getElementById("run-here-undo").click();`);
    await runHereStatus("Undone");
    expect(await draftPref()).toBeNull();

    // Changed after signing: refused like any recipe whose signature fails, listed with why, and never run.
    running.server.faults.set({ kind: "tamper-recipe", recipeId: draft.id });
    try {
      await openConsole();
      expect(await pickRecipe(`Preview (signed draft) · ${draft.id}`)).toBe(false);
      expect(await inPage<string>(`return document.getElementById("run-here-refused").textContent;`)).toMatch(
        new RegExp(`^Preview of recipe ${draft.id} Draft study refused, it will not run: .*signature`),
      );
      await firefox().screenshot(`${SCREENSHOTS}/console-run-here-refused.png`);
      expect(await runDraft()).toEqual({
        ok: false,
        error: expect.stringMatching(/not a verified recipe of the server's preview collection/),
      });
      expect(await draftPref()).toBeNull();
    } finally {
      running.server.faults.clear();
    }
  });

  it("an add-on study in a chosen branch installs that branch's add-on; a normal run leaves it; the undo uninstalls it", async () => {
    const control = await uploadXpi(running.server, await buildTestAddon(running.workDir, CONTROL_ADDON, "1.0"));
    const treatment = await uploadXpi(running.server, await buildTestAddon(running.workDir, TREATMENT_ADDON, "2.0"));
    const recipe = running.server.store.create(
      {
        name: "Add-on study",
        action: "branched-addon-study",
        arguments: {
          slug: "run-here-addon-study",
          userFacingName: "Run-here add-on study",
          userFacingDescription: "Each branch installs its own add-on.",
          isEnrollmentPaused: false,
          branches: [
            { slug: "control", ratio: 1, extensionApiId: control.id },
            { slug: "treatment", ratio: 1, extensionApiId: treatment.id },
          ],
        },
        filter_expression: 'normandy.channel == "no-such-channel"',
        capabilities: [],
      },
      true,
    );
    await running.server.publish();
    expect((await running.addon.runNow()).recipes).toContainEqual(
      expect.objectContaining({ id: recipe.id, suitability: "filter-mismatch" }),
    );
    const installed = (id: string) => installedAddon(firefox(), id);

    await openConsole();
    expect(await pickRecipe(`Published · ${recipe.id} Add-on study`)).toBe(true);
    await runInBranch("treatment");
    expect(await runHereStatus("Recipe")).toMatch(
      /ran here in a chosen branch: success\. Enrolled in run-here-addon-study, branch treatment, forced by QA/,
    );
    expect(await installed(TREATMENT_ADDON)).toEqual({ version: "2.0", isActive: true });
    expect(await installed(CONTROL_ADDON)).toBeNull();
    expect(
      await inPage<string[][]>(
        `return [...document.querySelectorAll("#run-here-addons tr")].map((row) => [...row.cells].map((cell) => cell.textContent));`,
      ),
    ).toEqual([[expect.stringContaining(`(${TREATMENT_ADDON})`), "(not installed)", "2.0"]]);
    await firefox().screenshot(`${SCREENSHOTS}/console-run-here-addon.png`);

    const report = await running.addon.runNow();
    expect(report.recipes).toContainEqual(expect.objectContaining({ id: recipe.id, suitability: "filter-mismatch" }));
    expect((await running.addon.studies()).addonStudies).toEqual([
      expect.objectContaining({
        recipeId: recipe.id,
        active: true,
        forced: expect.objectContaining({ mode: "BRANCH_CHOSEN" }),
      }),
    ]);
    expect(await installed(TREATMENT_ADDON)).toEqual({ version: "2.0", isActive: true });

    await openConsole();
    await pickRecipe(`Published · ${recipe.id} Add-on study`);
    await runInBranch("control");
    expect(await runHereStatus("Not run")).toMatch(/already forced here \(branch treatment\): undo it first/);
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/studies.html"));
    await untilInPage("the undo button", `document.querySelector("#active-studies .study button")`);
    await inPage(`document.querySelector("#active-studies .study button").click();`);
    await untilInPage("no active study", `!document.getElementById("no-active-studies").hidden`);
    await expect.poll(() => installed(TREATMENT_ADDON), { timeout: 10_000, interval: 100 }).toBeNull();
    expect((await running.addon.studies()).addonStudies).toEqual([]);
  });

  it("a preference rollout with its filter bypassed sets its default; a normal run leaves it; the undo takes it back", async () => {
    const recipe = running.server.store.create(
      {
        name: "Rollout",
        action: "preference-rollout",
        arguments: { slug: "run-here-rollout", preferences: [{ preferenceName: ROLLOUT_PREF, value: "rolled out" }] },
        filter_expression: 'normandy.channel == "no-such-channel"',
        capabilities: [],
      },
      true,
    );
    await running.server.publish();
    await running.addon.runNow();
    const rolloutDefault = () =>
      firefox().evalInChrome<string | null>(
        `const defaults = Services.prefs.getDefaultBranch("");
         return defaults.getPrefType(args[0]) === 0 ? null : defaults.getStringPref(args[0]);`,
        ROLLOUT_PREF,
      );

    await openConsole();
    expect(await pickRecipe(`Published · ${recipe.id} Rollout`)).toBe(true);
    expect(
      await inPage<boolean>(
        `return document.querySelector('input[name="run-here-mode"][value="BRANCH_CHOSEN"]').disabled;`,
      ),
    ).toBe(true);
    await inPage(
      `document.querySelector('input[name="run-here-mode"][value="FILTER_BYPASSED"]').checked = true;
       document.getElementById("run-here-run").click();`,
    );
    expect(await runHereStatus("Recipe")).toMatch(
      /ran here with its filter bypassed: success\. Enrolled in run-here-rollout, forced by QA/,
    );
    expect(await rolloutDefault()).toBe("rolled out");

    // A normal run, whose filter says no, and then the popup: still there, marked forced.
    await running.addon.runNow();
    expect(await rolloutDefault()).toBe("rolled out");
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/popup.html"));
    expect(
      await untilInPage<string>(
        "the popup's rollout",
        `[...document.querySelectorAll("li")].map((item) => item.textContent).find((text) => text.includes("run-here-rollout"))`,
      ),
    ).toBe("Preference rollout run-here-rollout, forced by QA with its filter bypassed");

    await openConsole();
    await pickRecipe(`Published · ${recipe.id} Rollout`);
    await inPage(
      `document.querySelector('input[name="run-here-mode"][value="FILTER_BYPASSED"]').checked = true;
       document.getElementById("run-here-run").click();`,
    );
    expect(await runHereStatus("Not run")).toMatch(/"run-here-rollout" is already forced here/);
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/studies.html"));
    expect(
      await untilInPage<string>("the forced note", `document.querySelector("#rollouts .study-forced")?.textContent`),
    ).toMatch(/^Forced by QA with its filter bypassed on /);
    await firefox().screenshot(`${SCREENSHOTS}/studies-forced-rollout.png`);
    await inPage(`document.querySelector("#rollouts .study button").click();`);
    await untilInPage("no rollout", `document.getElementById("rollouts-section").hidden`);
    expect(await rolloutDefault()).toBeNull();
    expect((await running.addon.studies()).preferenceRollouts).toEqual([]);
  });
});
