/**
 * An add-on study's `update` event survives a crash exactly once, in real Firefox. The study's add-on is
 * updated again and again (1.0 → 2.0 → …), and each time Firefox is SIGKILLed the moment it reports the new
 * version installed, or up to 300 ms later (the kills spread evenly over that span, where the add-on clears
 * the pending change and records the event; an AddonManager listener in the chrome context kills). Firefox
 * is started again with the server failing, so only start-up repair can act: where the record and Firefox
 * then agree, the event log must hold exactly one `update` event for that version, carrying the study's
 * enrollment id. Where Firefox told start-up the previous version (it sometimes does right after such a kill;
 * the update is then taken back) that is counted. Then a healthy run, after which, in every case, the log
 * holds exactly one such event and the record and Firefox agree on the new version, nothing pending.
 *
 * A kill while Firefox rewrites its add-on startup cache can make the next start load no profile add-ons (the
 * recipe client included); a second restart recovers. That is Firefox's, not ours: it is counted and the
 * restart repeated, never counted as a pass or a failure of the case.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import type { RecipeFields } from "../../server/recipeStore.js";
import { startRecipeServer } from "../../server/recipeServer.js";
import { ADDON_ID, AddonUnderTest, prefsFor } from "../e2e/support/addonUnderTest.js";
import { buildTestAddon, installedAddon, uploadXpi } from "../e2e/support/testAddons.js";
import { AreaTally, QUICK } from "./support/areaFigures.js";

/** 20 kills; `RELIABILITY_QUICK=1` (CI) does 5. */
const KILLS = QUICK ? 5 : 20;
const SLUG = "update-crash-study";
const STUDY_ADDON = "update-crash@recipe-client.test";
const CONSOLE_PAGE = "pages/console.html";

const tally = new AreaTally("addon-events");
const figures = { kills: 0, lost: 0, repeated: 0, disagreeing: 0, startupCacheLosses: 0, staleDatabase: 0 };
let workDir: string;
let server: RunningRecipeServer;
let addon: AddonUnderTest;
let recipeId = 0;

const studyRecipe = (extensionApiId: number): RecipeFields => ({
  name: SLUG,
  action: "branched-addon-study",
  arguments: {
    slug: SLUG,
    userFacingName: "Update crash",
    userFacingDescription: "Updated, then killed",
    isEnrollmentPaused: false,
    branches: [{ slug: "treatment", ratio: 1, extensionApiId }],
  },
  filter_expression: "true",
  capabilities: [],
});

const uploadVersion = async (version: string) =>
  (await uploadXpi(server, await buildTestAddon(workDir, STUDY_ADDON, version))).id;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "addon-event-crash-"));
  server = await startRecipeServer({ dataDir: join(workDir, "server"), port: 0 });
  recipeId = server.store.create(studyRecipe(await uploadVersion("1.0")), true).id;
  await server.publish();
  addon = await AddonUnderTest.start("reliability-addon-events", prefsFor(server), {
    permanentXpiDir: join(workDir, "client"),
  });
  await addon.waitForRuns(1);
  // A clean restart first, so Firefox has written its add-on database with the recipe client and the study add-on in it.
  await addon.firefox.restart();
  await addon.waitForRuns(1);
});

beforeEach((context) => addon.firefox.keepLogOnFailure(context));

afterAll(async () => {
  tally.write(
    `${figures.kills} kills 0–300 ms after Firefox reported the new version installed, ` +
      `${tally.passed} of ${tally.tried} with exactly one update event; lost = ${figures.lost}, repeated = ${figures.repeated}; ` +
      `Firefox reporting the previous version to start-up (the update taken back, finished by the next run) = ${figures.disagreeing}, ` +
      `kills that left extensions.json at the old version = ${figures.staleDatabase}, starts without profile add-ons (Firefox's startup cache, restarted again) = ${figures.startupCacheLosses}`,
  );
  await addon?.dispose();
  await server?.close();
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * Arms a one-shot watch in the chrome context: `delayMs` after Firefox reports `version` of the study add-on
 * installed (AddonManager's onInstalled or onInstallEnded, whichever comes first), Firefox SIGKILLs its own
 * process group (`kill(0, SIGKILL)` through ctypes), as the harness's kill() does, only without a round trip
 * to the test first: the moment does not depend on how loaded the machine is.
 */
function killWhenInstalled(version: string, delayMs: number): Promise<null> {
  return addon.firefox.evalInChrome(
    `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
     const { ctypes } = ChromeUtils.importESModule("resource://gre/modules/ctypes.sys.mjs");
     const libc = ctypes.open("libc.so.6");
     const kill = libc.declare("kill", ctypes.default_abi, ctypes.int, ctypes.int, ctypes.int);
     const [id, version, delayMs] = args;
     const killNow = () => kill(0, 9);
     const listener = {
       onInstalled: (addon) => reported(addon),
       onInstallEnded: (_install, addon) => reported(addon),
     };
     const reported = (addon) => {
       if (addon?.id !== id || addon.version !== version) return;
       AddonManager.removeAddonListener(listener);
       AddonManager.removeInstallListener(listener);
       if (delayMs === 0) killNow();
       else setTimeout(killNow, delayMs);
     };
     AddonManager.addAddonListener(listener);
     AddonManager.addInstallListener(listener);
     return null;`,
    STUDY_ADDON,
    version,
    delayMs,
  );
}

/**
 * The study's update events for `version`, and whether the record and Firefox agree on that version with
 * nothing pending; `problems` says what is not as it must end up.
 */
async function observe(version: string) {
  const study = (await addon.studies()).addonStudies.find((candidate) => candidate.slug === SLUG);
  const installed = await installedAddon(addon.firefox, STUDY_ADDON);
  const updates = (await addon.state()).events.filter(
    ([, category, method, object, value, extra]) =>
      category === "normandy" &&
      method === "update" &&
      object === "addon_study" &&
      value === SLUG &&
      extra?.addonVersion === version,
  );
  const agree = study?.addonVersion === installed?.version && study?.pendingChange === null;
  const problems: string[] = [];
  if (updates.length !== 1) problems.push(`${updates.length} update events for ${version}`);
  if (updates.some(([, , , , , extra]) => extra?.enrollmentId !== study?.enrollmentId))
    problems.push(`an update event without the study's enrollment id: ${JSON.stringify(updates)}`);
  if (!agree)
    problems.push(
      `the record says ${study?.addonVersion} (pending ${JSON.stringify(study?.pendingChange)}), Firefox has ${installed?.version}`,
    );
  if (installed?.version !== version) problems.push(`Firefox has ${installed?.version}, not ${version}`);
  return { updates, agree, problems, recordVersion: study?.addonVersion, installedVersion: installed?.version };
}

/** The study add-on's version in the profile's add-on database on disk (extensions.json), as the kill left it. */
function databaseVersion(): string | null {
  const file = join(addon.firefox.profileDir, "extensions.json");
  if (!existsSync(file)) return null;
  const database = JSON.parse(readFileSync(file, "utf8")) as { addons: { id: string; version: string }[] };
  return database.addons.find((entry) => entry.id === STUDY_ADDON)?.version ?? null;
}

/** Restarts Firefox until the recipe client runs (its start-up run, against the failing server, is recorded). */
async function restartUntilTheClientRuns(killedAt: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await addon.firefox.restart();
    const startupRunRecorded = async () =>
      ((await addon.state().catch(() => null))?.runs[0]?.startedAt ?? 0) > killedAt;
    try {
      await vi.waitFor(async () => expect(await startupRunRecorded()).toBe(true), { timeout: 30_000, interval: 250 });
      return;
    } catch (error) {
      const client = await installedAddon(addon.firefox, ADDON_ID);
      if (client?.isActive || attempt >= 2) throw error;
      figures.startupCacheLosses += 1;
    }
  }
}

it(`Firefox killed ${KILLS} times the moment a study add-on's new version is installed: its update event is recorded exactly once`, async () => {
  for (let kill = 1; kill <= KILLS; kill++) {
    const version = `${kill + 1}.0`;
    server.store.update(recipeId, studyRecipe(await uploadVersion(version)));
    await server.publish();
    // Spread over the first 300 ms after the install is reported, where the add-on records the update.
    const delayMs = Math.round(((kill - 1) * 300) / KILLS);
    await killWhenInstalled(version, delayMs);
    await addon.firefox.evalInExtensionPage(
      ADDON_ID,
      CONSOLE_PAGE,
      `browser.runtime.sendMessage({ type: "run-now" }); return null;`,
    );
    await addon.firefox.exited(60_000);
    const killedAt = Date.now();
    const onDisk = databaseVersion();
    figures.kills += 1;

    server.faults.set({ kind: "http-status", status: 500 });
    await restartUntilTheClientRuns(killedAt);
    server.faults.clear();

    // What start-up repair made of it (the server fails, so no run has acted yet).
    const problems: string[] = [];
    const atStartup = await observe(version);
    if (atStartup.updates.length > 1) figures.repeated += 1;
    if (atStartup.agree) {
      problems.push(...atStartup.problems.map((problem) => `after the restart: ${problem}`));
    } else {
      // Firefox told start-up the previous version, so the update was taken back; the next run does it again.
      figures.disagreeing += 1;
      if (atStartup.updates.length > 1)
        problems.push(`after the restart: ${atStartup.updates.length} update events for ${version}`);
    }
    if (onDisk !== version) figures.staleDatabase += 1;

    // Then a healthy run: the update is finished by now, with its event recorded exactly once.
    const healthy = await addon.runNow();
    expect(healthy.runnerStatus).toBe("success");
    const afterRun = await observe(version);
    if (afterRun.updates.length === 0) figures.lost += 1;
    if (afterRun.updates.length > 1 && atStartup.updates.length <= 1) figures.repeated += 1;
    problems.push(...afterRun.problems.map((problem) => `after the next run: ${problem}`));
    tally.record(
      `kill ${kill} (update to ${version}, killed ${delayMs} ms after it was reported installed; extensions.json had ${onDisk}; ` +
        `at start-up the record ${atStartup.agree ? "agreed with Firefox" : `said ${atStartup.recordVersion}, Firefox ${atStartup.installedVersion}`})`,
      [...new Set(problems)],
    );
  }
  expect(tally.tried).toBe(KILLS);
  expect(tally.failures).toEqual([]);
});
