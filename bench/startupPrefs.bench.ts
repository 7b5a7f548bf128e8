/**
 * How soon after a Firefox start the preference studies' values are back on the default branch, in ms since
 * the process started: ours (the prefs experiment API re-applies them at the add-on's start-up,
 * `getStartupApplication().appliedAtMs`) against Firefox's own Normandy (`Normandy.init` → `applyStartupPrefs`
 * on "final-ui-startup"), both in the same Firefox process, over several restarts. The profile has our
 * add-on enrolled in a study with a default-branch pref, and Normandy enabled with a study pref of its own
 * stored in `app.normandy.startupExperimentPrefs.*`.
 *
 * Observing Normandy: nothing an add-on runs comes early enough to watch it (an experiment API's "startup"
 * event, the earliest, fires after it), so the bench reads the time from Normandy itself. Normandy applies
 * its two branches in one synchronous call, rollouts first, and logs a console error for a stored value whose
 * type differs from the pref's; the profile stores one such rollout value, so the error's time stamp is when
 * Normandy applied its prefs (its study pref follows within the same call). For reference, the Add-on
 * Manager's `XPI_finalUIStartup` (Glean) says when "final-ui-startup" was notified.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRecipeServer } from "../server/recipeServer.js";
import { AddonUnderTest, prefsFor } from "../test/e2e/support/addonUnderTest.js";
import { defineBench } from "./defineBench.js";
import { median, QUICK, round, summarize } from "./measure.js";
import { askBackground, waitForBackground } from "./quietPage.js";

const RESTARTS = QUICK ? 3 : 9;
const TARGET_RATIO = 2;

/** Firefox prefs with shipped integer defaults, harmless to change in a bench profile. */
const OUR_STUDY_PREF = { name: "browser.urlbar.maxRichResults", value: 7 }; // default 10
const NORMANDY_STUDY_PREF = { name: "layout.spellcheckDefault", value: 2 }; // default 1
/** A string stored for an integer pref: Normandy skips it with a console error. */
const NORMANDY_MISMATCHED_ROLLOUT_PREF = "accessibility.typeaheadfind.flashBar";
const NORMANDY_ERROR = "Error setting startup pref";

interface StartTimes {
  ours: number;
  normandy: number;
  finalUiStartup: number;
}

defineBench("startup-prefs", async () => {
  const workDir = await mkdtemp(join(tmpdir(), "bench-startup-"));
  const server = await startRecipeServer({ dataDir: join(workDir, "server"), port: 0 });
  let addon: AddonUnderTest | undefined;
  try {
    server.store.create(
      {
        name: "Startup bench study",
        action: "multi-preference-experiment",
        arguments: studyArguments(),
        filter_expression: "true",
        capabilities: [],
      },
      true,
    );
    await server.publish();
    const profileDir = join(workDir, "profile");
    await mkdir(profileDir);
    addon = await AddonUnderTest.start(
      "bench-startup-prefs",
      {
        ...prefsFor(server),
        "app.normandy.enabled": true,
        // No recipe run of Normandy's own at start-up (it would only fail to reach its server).
        "app.normandy.first_run": false,
        [`app.normandy.startupExperimentPrefs.${NORMANDY_STUDY_PREF.name}`]: NORMANDY_STUDY_PREF.value,
        [`app.normandy.startupRolloutPrefs.${NORMANDY_MISMATCHED_ROLLOUT_PREF}`]: "type-mismatch",
      },
      { profileDir, permanentXpiDir: workDir },
    );
    await waitForBackground(addon);
    const [enrollment] = await addon.waitForRuns(1);
    if (!enrollment?.recipes.some((recipe) => recipe.status === "success"))
      throw new Error("the add-on did not enroll in the bench study");

    const starts: StartTimes[] = [];
    for (let restart = 0; restart < RESTARTS; restart++) {
      await addon.firefox.restart();
      starts.push(await startTimes(addon));
    }
    const ours = summarize(
      "ours: study prefs re-applied (ms since process start)",
      starts.map((start) => start.ours),
    );
    const normandy = summarize(
      "Firefox's Normandy: startup prefs applied (ms since process start)",
      starts.map((start) => start.normandy),
    );
    const ratio = round(median(starts.map((start) => start.ours / start.normandy)));
    return [
      {
        ...ours,
        ratios: { "Normandy's": ratio },
        target: { goal: `≤ ${TARGET_RATIO}× Normandy's`, met: ratio <= TARGET_RATIO },
        note: "ratio: median over restarts of ours / Normandy's, both in the same process",
      },
      normandy,
      summarize(
        '"final-ui-startup" notified (Glean XPI_finalUIStartup)',
        starts.map((start) => start.finalUiStartup),
      ),
    ];
  } finally {
    await addon?.dispose();
    await server.close();
    await rm(workDir, { recursive: true, force: true });
  }
});

function studyArguments() {
  return {
    slug: "bench-startup-prefs",
    userFacingName: "Start-up bench study",
    userFacingDescription: "One default-branch pref",
    isEnrollmentPaused: false,
    branches: [
      {
        slug: "only",
        ratio: 1,
        preferences: {
          [OUR_STUDY_PREF.name]: {
            preferenceType: "integer",
            preferenceBranchType: "default",
            preferenceValue: OUR_STUDY_PREF.value,
          },
        },
      },
    ],
  };
}

/** Both sides' times in the Firefox that just started, after checking both study prefs are really applied. */
async function startTimes(addon: AddonUnderTest): Promise<StartTimes> {
  await waitForBackground(addon);
  const { startup } = await askBackground(addon, { type: "get-studies" });
  const chrome = await addon.firefox.evalInChrome<{
    processStartedAt: number;
    finalUiStartup: number;
    defaults: number[];
  }>(
    `const defaults = Services.prefs.getDefaultBranch("");
     return {
       processStartedAt: Date.now() - Services.telemetry.msSinceProcessStart(),
       finalUiStartup: Glean.addonsManager.startupTimeline.XPI_finalUIStartup.testGetValue(),
       defaults: args.map((name) => defaults.getIntPref(name)),
     };`,
    OUR_STUDY_PREF.name,
    NORMANDY_STUDY_PREF.name,
  );
  if (chrome.defaults[0] !== OUR_STUDY_PREF.value || chrome.defaults[1] !== NORMANDY_STUDY_PREF.value || !startup) {
    throw new Error(`a study pref is not on the default branch after the restart: ${JSON.stringify(chrome.defaults)}`);
  }
  const normandyError = (await addon.firefox.consoleMessages()).find(
    (message) => message.process === "parent" && message.args.some((arg) => arg.includes(NORMANDY_ERROR)),
  );
  if (!normandyError) throw new Error("Normandy logged no startup pref error: its time cannot be read");
  return {
    ours: startup.appliedAtMs,
    normandy: normandyError.timeStamp - chrome.processStartedAt,
    finalUiStartup: chrome.finalUiStartup,
  };
}
